/**
 * @module The chat frame's behaviour: authenticate, reuse or create the session, load history,
 * send with a `clientMessageId` (so retries are stored once), retry through outages, start a new
 * session after an ended one, and move the conversation to a phone or browser call (`voice_calls.ts`,
 * in a chunk of its own). State lives in the model; the components only call these methods.
 */
import type { ClientEvent, ServerEvent } from "../contract/events.ts";
import type { Message, PublicWidgetConfig, Session } from "../contract/wire.ts";
import type { FrameToHost } from "./protocol.ts";
import { createChatModel } from "./chat_model.ts";
import { Api, ApiError } from "./api.ts";
import { cleanContext } from "./context.ts";
import type { Store } from "./store.ts";
import { backoffDelay } from "./socket.ts";
import { frameStrings as S } from "./strings.ts";
import type { MicResult, WebCallClient } from "./voice.ts";
import type { VoiceCalls } from "./voice_calls.ts";

/** The voice chunk's exports. */
type VoiceModule = typeof import("./voice_chunk.ts");

/** Options of the controller; tests inject `sleep`, the mic check and the call client. */
export interface ControllerOptions {
  /** The widget's welcome (the page's when it set one) and its pre-chat form, if any. */
  config:
    & Pick<PublicWidgetConfig, "welcomeMessage">
    & Partial<Pick<PublicWidgetConfig, "preChatForm">>;
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

const HISTORY_PAGE = 500;
const SEND_ATTEMPTS = 12;

/** Drives one widget frame. */
export class ChatController {
  readonly model = createChatModel();
  #o: ControllerOptions;
  #sleep: (ms: number) => Promise<void>;
  #creating?: Promise<Session>;
  #announced = new Set<string>();
  #socketSend?: (e: ClientEvent) => void;
  #typingUntil = 0;
  #typingTimer?: ReturnType<typeof setTimeout>;
  #voiceModule?: Promise<VoiceModule>;
  #calls?: VoiceCalls;

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
        let sessionId = this.#o.store.load().sessionId;
        // A verified visitor's conversation follows them to this device: their latest one.
        if (!sessionId && this.#o.store.load().visitorId?.startsWith("u_")) {
          const { sessions } = await this.#o.api.request(
            "GET",
            "/api/chat/sessions?status=active&limit=1",
          );
          sessionId = sessions[0]?.id;
          if (sessionId) this.#o.store.save({ sessionId });
        }
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
      const session = await this.#o.api.request("GET", `/api/chat/sessions/${id}`);
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
      const { messages } = await this.#o.api.request(
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
      this.#calls?.release();
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
          const session = await this.activeSession();
          const res = await this.#o.api.request(
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

  #context: Record<string, unknown> = {};

  #metadata() {
    return {
      host: this.#o.host,
      context: cleanContext(this.#context),
      // The server writes its own messages (calls, handoffs) in the chat's language.
      locale: globalThis.document?.documentElement.lang,
    };
  }

  /**
   * The page context (`setContext`, page URL and title) for the session and the agent; a live
   * session gets it at once, a new one when it is created.
   */
  setContext(context: Record<string, unknown>): void {
    this.#context = context;
    const s = this.model.session.value;
    if (s && s.status !== "ended") {
      this.#o.api.request("PUT", `/api/chat/sessions/${s.id}`, { metadata: this.#metadata() })
        .catch(() => {/* context is a nicety; the chat goes on without it */});
    }
  }

  /** What the controller was made with (the extras chunk talks to the server through it). */
  get deps(): ControllerOptions {
    return this.#o;
  }

  /** The session to write to: the current one, or a new one when there is none or it ended. */
  activeSession(): Promise<Session> {
    const s = this.model.session.value;
    if (s && s.status !== "ended") return Promise.resolve(s);
    this.#creating ??= this.#createSession().finally(() => this.#creating = undefined);
    return this.#creating;
  }

  async #createSession(): Promise<Session> {
    const m = this.model;
    const hadOne = !!m.session.value;
    const session = await this.#o.api.request("POST", "/api/chat/sessions", {
      welcomeMessage: this.#o.config.welcomeMessage,
      metadata: this.#metadata(),
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
      const updated = await this.#o.api.request("PUT", `/api/chat/sessions/${s.id}`, {
        status: "ended",
      });
      this.model.session.value = updated;
    } catch {
      this.model.notice.value = S.endFailed;
    }
  }

  /** "Talk to a person": asks the team to join (the AI answers until someone does). */
  async handoff(): Promise<void> {
    try {
      const s = await this.activeSession();
      this.model.session.value = await this.#o.api.request(
        "POST",
        `/api/chat/sessions/${s.id}/handoff`,
        {},
      );
    } catch {
      this.model.notice.value = S.loadFailed;
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

  // ---- voice: its own chunk, loaded when the visitor first opens the voice options ----------

  /** Loads the voice chunk (the call logic and its screens); once. */
  loadVoice(): Promise<VoiceModule> {
    this.#voiceModule ??= import("./voice_chunk.ts").then(async (mod) => {
      // Any call shows the call screen, which loads this chunk: the page hears of every call.
      mod.watchCalls(this.model, this.#o.notify);
      await mod.stylesReady;
      return mod;
    });
    return this.#voiceModule;
  }

  async #voice(): Promise<VoiceCalls> {
    const mod = await this.loadVoice();
    return this.#calls ??= new mod.VoiceCalls({
      model: this.model,
      api: this.#o.api,
      notify: this.#o.notify,
      activeSession: () => this.activeSession(),
      checkMic: this.#o.checkMic,
      loadWebCall: this.#o.loadWebCall,
    });
  }

  /** Asks the server to call the visitor's phone; returns an error to show, or null. */
  async callPhone(input: string): Promise<string | null> {
    return await (await this.#voice()).callPhone(input);
  }

  /** Starts a call in the browser; returns an error to show, or null. */
  async callBrowser(): Promise<string | null> {
    return await (await this.#voice()).callBrowser();
  }

  /** Ends the current call. */
  async endCall(): Promise<void> {
    await (await this.#voice()).endCall();
  }

  /** Mutes or unmutes the browser call. */
  toggleMute(): void {
    this.#calls?.toggleMute();
  }
}
