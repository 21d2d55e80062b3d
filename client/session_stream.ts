/**
 * @module The one client of a session's event stream (`/ws`), used by the chat frame
 * (`embed/socket.ts`) and the admin inbox (`islands/admin/Conversation.tsx`): connect, reconnect
 * with capped exponential backoff and jitter (an injected `sleep`, so tests need no waiting),
 * resume from the last message id so a reconnect loses nothing, a heartbeat that notices dead
 * connections, and a visible connection state.
 */
import type { ClientEvent, ServerEvent } from "../contract/events.ts";

/** Where the connection stands. */
export type ConnectionState = "idle" | "connecting" | "open" | "reconnecting" | "offline";

/** Options of a session socket. */
export interface SocketOptions {
  /**
   * A fresh `/ws?...` URL for attempt `failures` (consecutive attempts that never opened), so the
   * token may be renewed when the server keeps refusing it.
   */
  url: (failures: number) => Promise<string>;
  /** Where to resume: the newest message the client holds. */
  lastMessageId: () => string | undefined;
  onEvent: (event: ServerEvent) => void;
  onState: (state: ConnectionState) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Backoff: `baseMs * 2^(attempt-1)`, at most `maxMs`, with jitter. */
  baseMs?: number;
  maxMs?: number;
  pingMs?: number;
  WebSocket?: typeof WebSocket;
}

/** Failed attempts in a row: `attempt` is 1 after a socket that had opened closed. */
const opened0 = (attempt: number) => Math.max(0, attempt - 1);

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The delay before reconnect attempt `attempt` (1-based), jittered to 50–100 %. */
export function backoffDelay(attempt: number, baseMs = 300, maxMs = 8000, random = Math.random) {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(full * (0.5 + random() / 2));
}

/** One session's socket, reconnecting until `close()`. */
export class SessionSocket {
  #o: SocketOptions;
  #ws?: WebSocket;
  #closed = false;
  #wake?: () => void;

  constructor(options: SocketOptions) {
    this.#o = options;
  }

  /** Starts connecting (and reconnecting) in the background. */
  start(): this {
    this.#run();
    return this;
  }

  /** Sends a client event when connected; dropped otherwise (typing is ephemeral). */
  send(event: ClientEvent): void {
    if (this.#ws?.readyState === 1) this.#ws.send(JSON.stringify(event));
  }

  /** Skips the current backoff wait (the browser came back online). */
  retryNow(): void {
    this.#wake?.();
  }

  /** Stops for good. */
  close(): void {
    this.#closed = true;
    this.#wake?.();
    this.#ws?.close(1000);
  }

  async #run(): Promise<void> {
    const sleep = this.#o.sleep ?? defaultSleep;
    let attempt = 0;
    while (!this.#closed) {
      this.#o.onState(attempt === 0 ? "connecting" : "reconnecting");
      const opened = await this.#connectOnce(opened0(attempt)).catch(() => false);
      if (this.#closed) break;
      attempt = opened ? 1 : attempt + 1;
      this.#o.onState(navigator.onLine === false ? "offline" : "reconnecting");
      await Promise.race([
        sleep(backoffDelay(attempt, this.#o.baseMs, this.#o.maxMs)),
        new Promise<void>((r) => this.#wake = r),
      ]);
    }
    this.#o.onState("idle");
  }

  /** Resolves when the socket closes: true when it had opened. */
  async #connectOnce(failures: number): Promise<boolean> {
    const url = await this.#o.url(failures);
    if (this.#closed) return false;
    const Impl = this.#o.WebSocket ?? WebSocket;
    return await new Promise<boolean>((resolve) => {
      const ws = this.#ws = new Impl(url);
      let opened = false, heard = true;
      let ping: ReturnType<typeof setInterval> | undefined;
      ws.onopen = () => {
        opened = true;
        this.#o.onState("open");
        const after = this.#o.lastMessageId();
        ws.send(
          JSON.stringify(after ? { type: "resume", afterMessageId: after } : { type: "resume" }),
        );
        // A connection that stays silent across a whole ping interval is dead: drop it.
        ping = setInterval(() => {
          if (!heard) return ws.close(4000, "heartbeat");
          heard = false;
          this.send({ type: "ping" });
        }, this.#o.pingMs ?? 25_000);
      };
      ws.onmessage = (e) => {
        heard = true;
        let event: ServerEvent;
        try {
          event = JSON.parse(String(e.data));
        } catch {
          return;
        }
        if (event && typeof event.type === "string") this.#o.onEvent(event);
      };
      ws.onclose = () => {
        clearInterval(ping);
        resolve(opened);
      };
    });
  }
}
