/**
 * @module A real `WebSocket` client for tests: it records every event the server sends and can
 * await one that matches a predicate, with a timeout that names what was awaited.
 */
import type { ServerEvent } from "../../contract/events.ts";
import type { Message } from "../../contract/wire.ts";

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

  /** Waits for a `message:received` whose message matches (from index `from`). */
  waitForMessage(
    predicate: (m: Message) => boolean,
    options: { timeoutMs?: number; from?: number; what?: string } = {},
  ): Promise<Extract<ServerEvent, { type: "message:received" }> & { index: number }> {
    return this.waitFor(
      (e) => e.type === "message:received" && predicate(e.message),
      { what: "a matching message:received", ...options },
    );
  }

  /** Messages received so far, in order. */
  messages(): Message[] {
    return this.events.flatMap((e) => e.type === "message:received" ? [e.message] : []);
  }

  /** Closes and waits until closed. */
  async close(): Promise<Closed> {
    if (this.socket.readyState < WebSocket.CLOSING) this.socket.close();
    return await this.closed;
  }
}

/**
 * A raw TCP client that completes the WebSocket handshake and then never reads or answers pings:
 * a stalled or vanished reader. Resolves once the server answered 101.
 */
export async function openSilentSocket(
  baseUrl: string,
  query: { sessionId: string; token: string },
): Promise<Deno.TcpConn> {
  const { hostname, port } = new URL(baseUrl);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
  const path = `/ws?sessionId=${encodeURIComponent(query.sessionId)}&token=${
    encodeURIComponent(query.token)
  }`;
  await conn.write(new TextEncoder().encode(
    `GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
  ));
  const head = new Uint8Array(1024);
  const n = await conn.read(head);
  const status = new TextDecoder().decode(head.subarray(0, n ?? 0)).split("\r\n")[0];
  if (!/^HTTP\/1.1 101/.test(status)) {
    conn.close();
    throw new Error(`Upgrade refused: ${status}`);
  }
  return conn;
}

/** Polls `check` until it is true or `timeoutMs` passed; returns the last result. */
export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return check();
}
