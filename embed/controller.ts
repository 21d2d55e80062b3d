/**
 * @module The chat frame's behaviour: authenticate, reuse or create the session, load history,
 * send with a `clientMessageId` (so retries are stored once), retry through outages, start a new
 * session after an ended one, and move the conversation to a phone or browser call. State lives in
 * the model; the components only call these methods.
 */
import type { ClientEvent, ServerEvent } from "../hub/events.ts";
import type { Message, PublicWidgetConfig, Session } from "../lib/wire.ts";
import type { FrameToHost } from "./protocol.ts";
import { ChatModel } from "./chat_model.ts";
import { Api, ApiError } from "./api.ts";
import type { Store } from "./store.ts";
import { backoffDelay } from "./socket.ts";
import { frameStrings as S } from "./strings.ts";
import {
  checkMicrophone,
  loadWebCallClient,
  type MicResult,
  normalizePhone,
  type WebCallClient,
} from "./voice.ts";

/** Options of the controller; tests inject `sleep`, the mic check and the call client. */
export interface ControllerOptions {
  config: PublicWidgetConfig;
  host: string;
  api: Api;
  store: Store;
  /** Tells the host page (the bridge). */
  notify: (message: FrameToHost) => void;
  sleep?: (ms: number) => Promise<void>;
  checkMic?: () => Promise<MicResult>;
  loadWebCall?: () => Promise<WebCallClient>;
  /** Longest message the server takes. */
  maxChars?: number;
}

interface SendResult {
  userMessage: Message;
  agentMessage: Message | null;
}

interface VoiceResult {
  callId: string;
  status: "connecting" | "ongoing" | "ended" | "error";
  phoneNumber?: string | null;
  accessToken?: string;
  /** The offline demo simulates the call on the server: no browser client to run. */
  simulated?: boolean;
}

const HISTORY_PAGE = 500;
const SEND_ATTEMPTS = 12;

/** Drives one widget frame. */
export class ChatController {
  readonly model = new ChatModel();
  #o: ControllerOptions;
  #sleep: (ms: number) => Promise<void>;
  #creating?: Promise<Session>;
  #announced = new Set<string>();
  #socketSend?: (e: ClientEvent) => void;
  #typingUntil = 0;
  #typingTimer?: ReturnType<typeof setTimeout>;
  #webCall?: WebCallClient;

  constructor(options: ControllerOptions) {
    this.#o = options;
    this.#sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /**
   * Authenticates and restores the stored conversation, or shows the welcome. A network or server
   * error is retried a few times before the error state (with its own retry button) shows.
   */
  async start(): Promise<void> {
    const m = this.model;
    m.status.value = "loading";
    for (let attempt = 1;; attempt++) {
      try {
        await this.#o.api.token();
        const sessionId = this.#o.store.load().sessionId;
        if (sessionId) await this.#restore(sessionId);
        if (!m.session.value) m.showWelcome(this.#o.config.welcomeMessage);
        m.status.value = "ready";
        return;
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(0, "error", String(err));
        if (e.status === 403 || e.status === 404) {
          m.status.value = "unavailable";
          this.#o.notify({ type: "unavailable", reason: e.message });
          return;
        }
        if ((e.status === 0 || e.status >= 500) && attempt < 4) {
          await this.#sleep(backoffDelay(attempt, 500, 4000));
          continue;
        }
        m.status.value = "error";
        return;
      }
    }
  }

  async #restore(id: string): Promise<void> {
    try {
      const session = await this.#o.api.request<Session>("GET", `/api/chat/sessions/${id}`);
      const history = await this.#history(id);
      const m = this.model;
      m.session.value = session;
      m.mode.value = session.mode;
      for (const msg of history) this.#announced.add(msg.id);
      m.setHistory(history);
    } catch (err) {
      // Gone (deleted, another visitor's after a storage mix-up): start afresh.
      if (err instanceof ApiError && (err.status === 404 || err.status === 403)) {
        this.#o.store.save({ sessionId: undefined });
        return;
      }
      throw err;
    }
  }

  async #history(id: string, after?: string): Promise<Message[]> {
    const all: Message[] = [];
    for (let page = 0; page < 20; page++) {
      const q = `limit=${HISTORY_PAGE}` + (after ? `&after=${after}` : "");
      const { messages } = await this.#o.api.request<{ messages: Message[] }>(
        "GET",
        `/api/chat/sessions/${id}/messages?${q}`,
      );
      all.push(...messages);
      if (messages.length < HISTORY_PAGE) break;
      after = messages[messages.length - 1].id;
    }
    return all;
  }

  /**
   * The `/ws` URL for the current session with a valid token; after repeated refusals the token is
   * renewed, in case the server stopped accepting it.
   */
  async socketUrl(failures = 0): Promise<string> {
    const token = await this.#o.api.token(failures > 0 && failures % 3 === 0);
    const id = this.model.session.value?.id ?? "";
    const base = location.origin.replace(/^http/, "ws");
    return `${base}/ws?sessionId=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`;
  }

  /** Connects the socket's `send` (from `useWebSocket`). */
  attachSocket(send: (e: ClientEvent) => void): void {
    this.#socketSend = send;
  }

  /** A server event from the socket. */
  onEvent(e: ServerEvent): void {
    const m = this.model;
    const before = m.mode.value;
    const message = m.apply(e);
    if (message) this.#announce(message);
    if (m.mode.value !== before) this.#o.notify({ type: "modeChange", mode: m.mode.value });
    if (e.type === "mode:changed" && e.mode === "chat") {
      this.#releaseWebCall();
      // Let "Call ended" show for a moment, then back to the chat where the transcript lands.
      this.#sleep(1500).then(() => {
        if (m.view.value === "call" && m.mode.value === "chat") m.view.value = "chat";
      });
    }
  }

  #announce(message: Message): void {
    if (this.#announced.has(message.id)) return;
    this.#announced.add(message.id);
    this.#o.notify({ type: "message", message });
  }

  #received(message: Message): void {
    this.model.upsert(message);
    this.#announce(message);
  }

  /** Sends the visitor's message. */
  async send(text: string): Promise<void> {
    const content = text.trim();
    if (!content) return;
    const max = this.#o.maxChars ?? 4000;
    if (content.length > max) {
      this.model.notice.value = S.tooLong(max);
      return;
    }
    this.model.notice.value = null;
    const clientMessageId = crypto.randomUUID();
    this.model.addPending(clientMessageId, content);
    this.#typing(false);
    await this.#deliver(clientMessageId, content);
  }

  /** Sends a failed message again, with the same `clientMessageId`. */
  async retry(clientMessageId: string): Promise<void> {
    const item = this.model.messages.value.find((x) => x.clientMessageId === clientMessageId);
    if (!item?.failed) return;
    this.model.retrying(clientMessageId);
    await this.#deliver(clientMessageId, item.content);
  }

  async #deliver(clientMessageId: string, content: string): Promise<void> {
    const m = this.model;
    m.awaiting.value++;
    try {
      for (let attempt = 1;; attempt++) {
        try {
          const session = await this.#activeSession();
          const res = await this.#o.api.request<SendResult>(
            "POST",
            `/api/chat/sessions/${session.id}/messages`,
            { content, clientMessageId },
          );
          m.confirm(clientMessageId, res.userMessage);
          this.#announce(res.userMessage);
          if (res.agentMessage) this.#received(res.agentMessage);
          return;
        } catch (err) {
          const e = err instanceof ApiError ? err : new ApiError(0, "error", String(err));
          const stored = (e.details as { userMessage?: Message } | undefined)?.userMessage;
          if (stored) {
            // Kept by the server, but the agent failed: the server says so in the chat too.
            m.confirm(clientMessageId, stored);
            this.#announce(stored);
            if (m.connection.value !== "open") m.notice.value = S.agentFailed;
            return;
          }
          if ((e.status === 409 || e.status === 404) && attempt < 3) {
            // The session ended (or vanished) meanwhile: the next attempt starts a new one.
            this.#forgetSession();
            continue;
          }
          if (e.status === 429 && attempt < 3 && (e.retryAfter ?? 60) <= 10) {
            await this.#sleep((e.retryAfter ?? 1) * 1000);
            continue;
          }
          const transient = e.status === 0 || e.status >= 500;
          if (transient && attempt < SEND_ATTEMPTS) {
            await this.#sleep(backoffDelay(attempt, 500, 8000));
            continue;
          }
          m.fail(
            clientMessageId,
            e.status === 429
              ? S.rateLimited(e.retryAfter ?? 60)
              : transient
              ? S.notSent
              : e.message,
          );
          return;
        }
      }
    } finally {
      m.awaiting.value--;
    }
  }

  #forgetSession(): void {
    const s = this.model.session.value;
    if (s && s.status !== "ended") this.model.session.value = { ...s, status: "ended" };
  }

  /** The session to write to: the current one, or a new one when there is none or it ended. */
  #activeSession(): Promise<Session> {
    const s = this.model.session.value;
    if (s && s.status !== "ended") return Promise.resolve(s);
    this.#creating ??= this.#createSession().finally(() => this.#creating = undefined);
    return this.#creating;
  }

  async #createSession(): Promise<Session> {
    const m = this.model;
    const hadOne = !!m.session.value;
    const session = await this.#o.api.request<Session>("POST", "/api/chat/sessions", {
      welcomeMessage: this.#o.config.welcomeMessage,
      metadata: { host: this.#o.host },
    });
    this.#o.store.save({ sessionId: session.id });
    if (hadOne) {
      m.upsert({
        id: `local:new:${session.id}`,
        sessionId: session.id,
        senderType: "system",
        messageType: "system",
        content: S.newConversation,
        metadata: {},
        createdAt: session.createdAt,
      });
    }
    m.session.value = session;
    m.mode.value = session.mode;
    // The welcome was stored as the session's first message: it replaces the local one.
    for (const msg of await this.#history(session.id)) {
      this.#announced.add(msg.id);
      m.upsert(msg);
    }
    return session;
  }

  /** Ends the conversation (header button); the next message starts a new one. */
  async endConversation(): Promise<void> {
    const s = this.model.session.value;
    if (!s || s.status === "ended") return;
    try {
      const updated = await this.#o.api.request<Session>("PUT", `/api/chat/sessions/${s.id}`, {
        status: "ended",
      });
      this.model.session.value = updated;
    } catch {
      this.model.notice.value = S.endFailed;
    }
  }

  /** The visitor is typing: tell watchers, throttled, and say when they stop. */
  userTyping(): void {
    const now = Date.now();
    if (now > this.#typingUntil) this.#socketSend?.({ type: "typing:start" });
    this.#typingUntil = now + 3000;
    clearTimeout(this.#typingTimer);
    this.#typingTimer = setTimeout(() => this.#typing(false), 3000);
  }

  #typing(on: boolean): void {
    if (on || !this.#typingUntil) return;
    this.#typingUntil = 0;
    clearTimeout(this.#typingTimer);
    this.#socketSend?.({ type: "typing:stop" });
  }

  // ---- voice ----------------------------------------------------------------------------------

  #voiceError(err: unknown): string {
    if (!(err instanceof ApiError)) return S.voiceFailed;
    // 404/405/501: the server (or this agent) has no voice route; say so plainly.
    if ([404, 405, 501].includes(err.status)) return S.voiceUnavailable;
    if (err.status === 400 || err.status === 409) return err.message;
    if (err.status === 429) return S.rateLimited(err.retryAfter ?? 60);
    return S.voiceFailed;
  }

  /** Asks the server to call the visitor's phone; returns an error to show, or null. */
  async callPhone(input: string): Promise<string | null> {
    const phoneNumber = normalizePhone(input);
    if (!phoneNumber) return S.phoneInvalid;
    const m = this.model;
    m.call.value = { kind: "phone", status: "starting", phoneNumber, captions: [], muted: false };
    m.view.value = "call";
    try {
      const session = await this.#activeSession();
      const r = await this.#o.api.request<VoiceResult>(
        "POST",
        `/api/chat/sessions/${session.id}/voice`,
        { phoneNumber },
      );
      this.#callCreated(r);
      return null;
    } catch (err) {
      m.call.value = null;
      m.view.value = "voice";
      return this.#voiceError(err);
    }
  }

  #callCreated(r: VoiceResult): void {
    const m = this.model;
    const c = m.call.value;
    if (c && c.status === "starting") m.call.value = { ...c, callId: r.callId, status: r.status };
    if (m.mode.value !== "voice") {
      m.mode.value = "voice";
      this.#o.notify({ type: "modeChange", mode: "voice" });
    }
  }

  /** Starts a call in the browser; returns an error to show, or null. */
  async callBrowser(): Promise<string | null> {
    const mic = await (this.#o.checkMic ?? checkMicrophone)();
    if (mic === "denied" || mic === "unsupported") return S.micDenied;
    if (mic === "missing") return S.micMissing;
    const m = this.model;
    m.call.value = { kind: "web", status: "starting", captions: [], muted: false };
    m.view.value = "call";
    try {
      const session = await this.#activeSession();
      // Fetch the client chunk while the server creates the call.
      const loading = (this.#o.loadWebCall ?? (() => loadWebCallClient()))();
      loading.catch(() => {});
      const r = await this.#o.api.request<VoiceResult>(
        "POST",
        `/api/chat/sessions/${session.id}/voice`,
        { mode: "web" },
      );
      this.#callCreated(r);
      if (r.simulated) return null;
      if (!r.accessToken) throw new ApiError(501, "no_access_token", S.voiceUnavailable);
      const client = await loading;
      this.#webCall = client;
      this.#wire(client);
      await client.startCall({ accessToken: r.accessToken });
      return null;
    } catch (err) {
      this.#releaseWebCall();
      if (m.call.value?.callId) await this.#endOnServer();
      m.call.value = null;
      m.view.value = "voice";
      return this.#voiceError(err);
    }
  }

  #wire(client: WebCallClient): void {
    const m = this.model;
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
      this.model.notice.value = S.callFailed;
      this.#releaseWebCall();
      this.#endOnServer();
    });
  }

  #releaseWebCall(): void {
    const client = this.#webCall;
    this.#webCall = undefined;
    try {
      client?.stopCall();
    } catch { /* already stopped */ }
  }

  async #endOnServer(): Promise<void> {
    const s = this.model.session.value;
    if (!s) return;
    try {
      await this.#o.api.request("POST", `/api/chat/sessions/${s.id}/voice/end`, {});
    } catch { /* 404: the call had already ended */ }
  }

  /** Ends the current call. */
  async endCall(): Promise<void> {
    const c = this.model.call.value;
    if (c) this.model.call.value = { ...c, status: "ended" };
    this.#releaseWebCall();
    await this.#endOnServer();
  }

  /** Mutes or unmutes the browser call. */
  toggleMute(): void {
    const c = this.model.call.value;
    if (!c || !this.#webCall) return;
    if (c.muted) this.#webCall.unmute();
    else this.#webCall.mute();
    this.model.call.value = { ...c, muted: !c.muted };
  }
}
