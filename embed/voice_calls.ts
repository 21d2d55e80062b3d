/**
 * @module Moving a chat to a voice call: a phone callback (number checked before it is sent) or a
 * call in the browser (microphone asked for first, Retell's client from its own chunk), followed
 * through the server's events, ended here or by either side. Loaded with the voice screens, in a
 * chunk of its own, only when a visitor opens the voice options.
 */
import { effect } from "@webreflection/signal";
import type { Session } from "../contract/wire.ts";
import type { FrameToHost } from "./protocol.ts";
import type { ChatModel } from "./chat_model.ts";
import { type Api, ApiError } from "./api.ts";
import { frameStrings as S } from "./strings.ts";
import { voiceStrings as V } from "./strings_voice.ts";
import { carryVoiceError } from "./voice_notice.ts";
import {
  checkMicrophone,
  consentText,
  loadWebCallClient,
  type MicResult,
  normalizePhone,
  type WebCallClient,
} from "./voice.ts";
import type { CallStarted } from "../contract/responses.ts";

/** What the calls need from the chat controller. */
export interface VoiceContext {
  model: ChatModel;
  api: Api;
  notify: (message: FrameToHost) => void;
  /** The session to call from (created when there is none). */
  activeSession: () => Promise<Session>;
  checkMic?: () => Promise<MicResult>;
  loadWebCall?: () => Promise<WebCallClient>;
}

type VoiceResult = CallStarted;

/**
 * Tells the host page when a call connects (`callStart`) and when that call is over (`callEnd`),
 * once each, whoever started it (this frame, a phone callback, another tab of the visitor): the
 * model follows every call through the server's events. Runs from the voice chunk's loading,
 * which the call screen triggers whenever a call is on.
 */
export function watchCalls(model: ChatModel, notify: (message: FrameToHost) => void): () => void {
  let live: { id: string; kind: "phone" | "web" } | undefined;
  return effect(() => {
    const c = model.call.value;
    if (live && (!c || c.callId !== live.id || c.status !== "ongoing")) {
      notify({ type: "callEnd", call: live });
      live = undefined;
    }
    if (!live && c?.callId && c.status === "ongoing") {
      live = { id: c.callId, kind: c.kind };
      notify({ type: "callStart", call: live });
    }
  });
}

/**
 * `consent: true` when the widget asks for consent: the voice options only start a call after the
 * visitor agreed to the owner's notice (VoicePanel), so reaching here means they did.
 */
const consented = (): { consent?: true } => consentText() ? { consent: true } : {};

/** The voice calls of one widget frame. */
export class VoiceCalls {
  #c: VoiceContext;
  #webCall?: WebCallClient;

  constructor(context: VoiceContext) {
    this.#c = context;
  }

  #voiceError(err: unknown): string {
    if (!(err instanceof ApiError)) return S.voiceFailed;
    // 404/405/501: the server (or this agent) has no voice route; say so plainly.
    if ([404, 405, 501].includes(err.status)) return V.voiceUnavailable;
    // The server says why a number is refused (premium rate, a country not offered) and when a
    // budget that was met frees up ("try again in 40 minutes"); its words are the clearest.
    if ([400, 403, 409, 429].includes(err.status) && err.message) return err.message;
    return S.voiceFailed;
  }

  /** Asks the server to call the visitor's phone; returns an error to show, or null. */
  async callPhone(input: string): Promise<string | null> {
    const phoneNumber = normalizePhone(input);
    if (!phoneNumber) return V.phoneInvalid;
    const m = this.#c.model;
    m.call.value = { kind: "phone", status: "starting", phoneNumber, captions: [], muted: false };
    m.view.value = "call";
    try {
      const session = await this.#c.activeSession();
      const r = await this.#c.api.request(
        "POST",
        `/api/chat/sessions/${session.id}/voice`,
        { phoneNumber, ...consented() },
      );
      this.#callCreated(r);
      return null;
    } catch (err) {
      // The options come back in place of the call screen and show why (voice_notice.ts).
      const error = this.#voiceError(err);
      carryVoiceError(error);
      m.call.value = null;
      m.view.value = "voice";
      return error;
    }
  }

  #callCreated(r: VoiceResult): void {
    const m = this.#c.model;
    const c = m.call.value;
    if (c && c.status === "starting") m.call.value = { ...c, callId: r.callId, status: r.status };
    if (m.mode.value !== "voice") {
      m.mode.value = "voice";
      this.#c.notify({ type: "modeChange", mode: "voice" });
    }
  }

  /** Starts a call in the browser; returns an error to show, or null. */
  async callBrowser(): Promise<string | null> {
    const mic = await (this.#c.checkMic ?? checkMicrophone)();
    if (mic === "denied" || mic === "unsupported") return V.micDenied;
    if (mic === "missing") return V.micMissing;
    const m = this.#c.model;
    m.call.value = { kind: "web", status: "starting", captions: [], muted: false };
    m.view.value = "call";
    try {
      const session = await this.#c.activeSession();
      // Fetch the client chunk while the server creates the call.
      const loading = (this.#c.loadWebCall ?? (() => loadWebCallClient()))();
      loading.catch(() => {});
      const r = await this.#c.api.request(
        "POST",
        `/api/chat/sessions/${session.id}/voice`,
        { mode: "web", ...consented() },
      );
      this.#callCreated(r);
      if (r.simulated) return null;
      if (!r.accessToken) throw new ApiError(501, "no_access_token", V.voiceUnavailable);
      const client = await loading;
      this.#webCall = client;
      this.#wire(client);
      await client.startCall({ accessToken: r.accessToken });
      return null;
    } catch (err) {
      this.release();
      if (m.call.value?.callId) await this.#endOnServer();
      const error = this.#voiceError(err);
      carryVoiceError(error);
      m.call.value = null;
      m.view.value = "voice";
      return error;
    }
  }

  #wire(client: WebCallClient): void {
    const m = this.#c.model;
    const patch = (p: Partial<NonNullable<typeof m.call.value>>) => {
      if (m.call.value && this.#webCall === client) m.call.value = { ...m.call.value, ...p };
    };
    client.on("call_started", () => patch({ status: "ongoing", startedAt: Date.now() }));
    client.on("update", (u: { transcript?: { role: string; content: string }[] }) => {
      const lines = (u?.transcript ?? []).filter((t) => t.content?.trim()).slice(-4);
      patch({
        captions: lines.map((t) => ({
          role: t.role === "agent" ? "agent" : "user",
          content: String(t.content),
        })),
      });
    });
    client.on("call_ended", () => {
      if (this.#webCall !== client) return;
      patch({ status: "ended" });
      this.#webCall = undefined;
      this.#endOnServer();
    });
    client.on("error", () => {
      if (this.#webCall !== client) return;
      patch({ status: "error" });
      this.#c.model.notice.value = V.callFailed;
      this.release();
      this.#endOnServer();
    });
  }

  /** Lets go of a browser call (the server says the call is over). */
  release(): void {
    const client = this.#webCall;
    this.#webCall = undefined;
    try {
      client?.stopCall();
    } catch { /* already stopped */ }
  }

  async #endOnServer(): Promise<void> {
    const s = this.#c.model.session.value;
    if (!s) return;
    try {
      await this.#c.api.request("POST", `/api/chat/sessions/${s.id}/voice/end`, {});
    } catch { /* 404: the call had already ended */ }
  }

  /** Ends the current call. */
  async endCall(): Promise<void> {
    const c = this.#c.model.call.value;
    if (c) this.#c.model.call.value = { ...c, status: "ended" };
    this.release();
    await this.#endOnServer();
  }

  /** Mutes or unmutes the browser call. */
  toggleMute(): void {
    const c = this.#c.model.call.value;
    if (!c || !this.#webCall) return;
    if (c.muted) this.#webCall.unmute();
    else this.#webCall.mute();
    this.#c.model.call.value = { ...c, muted: !c.muted };
  }
}
