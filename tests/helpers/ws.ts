/**
 * @module A real `WebSocket` client for tests: it records every event the server sends and can
 * await one that matches a predicate, with a timeout that names what was awaited.
 */
import type { ServerEvent } from "../../hub/events.ts";

/** How a socket closed. */
export interface Closed {
  code: number;
  reason: string;
}

/** A connected test socket. */
export class WsClient {
  /** Every event received, in order. */
  readonly events: ServerEvent[] = [];
  /** Resolves when the socket closes. */
  readonly closed: Promise<Closed>;
  readonly socket: WebSocket;
  #waiters = new Set<() => void>();

  private constructor(socket: WebSocket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => {
      socket.addEventListener("close", (e) => {
        resolve({ code: e.code, reason: e.reason });
        for (const wake of this.#waiters) wake();
      });
    });
    socket.addEventListener("message", (e) => {
      this.events.push(JSON.parse(String(e.data)));
      for (const wake of this.#waiters) wake();
    });
  }

  /** Opens `ws://…/ws?sessionId=&token=` on a test server; rejects when the upgrade fails. */
  static connect(
    baseUrl: string,
    query: { sessionId: string; token: string },
    timeoutMs = 5000,
  ): Promise<WsClient> {
    const url = new URL("/ws", baseUrl.replace(/^http/, "ws"));
    url.searchParams.set("sessionId", query.sessionId);
    url.searchParams.set("token", query.token);
    const socket = new WebSocket(url);
    const client = new WsClient(socket);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.close();
        reject(new Error(`WebSocket did not open within ${timeoutMs} ms`));
      }, timeoutMs);
      socket.addEventListener("open", () => {
        clearTimeout(timer);
        resolve(client);
      });
      socket.addEventListener("error", () => {
        clearTimeout(timer);
        reject(new Error("WebSocket failed to open"));
      });
    });
  }

  /** Sends a frame (an object is sent as JSON). */
  send(frame: unknown): void {
    this.socket.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /**
   * The first event (from index `from`, default 0) matching `predicate`, waiting for it to arrive.
   * Returns the event and its index so that a next wait can start after it.
   */
  async waitFor<E extends ServerEvent = ServerEvent>(
    predicate: (e: ServerEvent) => boolean,
    options: { timeoutMs?: number; from?: number; what?: string } = {},
  ): Promise<E & { index: number }> {
    const timeoutMs = options.timeoutMs ?? 5000;
    const deadline = Date.now() + timeoutMs;
    let checked = options.from ?? 0;
    for (;;) {
      for (; checked < this.events.length; checked++) {
        const e = this.events[checked];
        if (predicate(e)) return { ...e as E, index: checked };
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${options.what ?? "an event"}; got ${
            JSON.stringify(this.events.map((e) => e.type))
          }`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.#waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.#waiters.add(wake);
      });
    }
  }

  /** Waits for the `type` event (from index `from`). */
  waitForType<T extends ServerEvent["type"]>(
    type: T,
    options: { timeoutMs?: number; from?: number } = {},
  ): Promise<Extract<ServerEvent, { type: T }> & { index: number }> {
    return this.waitFor((e) => e.type === type, { ...options, what: type });
  }

  /** Closes and waits until closed. */
  async close(): Promise<Closed> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close();
    return await this.closed;
  }
}
