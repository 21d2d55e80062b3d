/**
 * @module A WebSocket as a hub `Peer`: a bounded send path (a slow reader is closed, not buffered
 * without end), and resume/re-sync that deliver every stored message once and in `seq` order even
 * while live events keep arriving.
 */
import type { MessageRow } from "../db/schema.ts";
import type { ServerEvent } from "../contract/events.ts";
import { messageEvent, type Peer } from "./hub.ts";

/** The part of a WebSocket the peer uses (Deno's `WebSocket` fits). */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  readonly readyState: number;
  readonly bufferedAmount: number;
  addEventListener?(type: "close", listener: () => void, options?: { once?: boolean }): void;
}

/** Options of a socket peer. */
export interface SocketPeerOptions {
  role: "visitor" | "admin";
  /** The session's widget (a visitor's socket closes with it). */
  widgetId?: string | null;
  /** Past this many unsent bytes the reader is too slow and is closed (1013). */
  maxBufferedBytes: number;
  /** Stored messages of the session with `seq > afterSeq`, oldest first, at most `limit`. */
  loadAfter(afterSeq: number, limit: number): Promise<MessageRow[]>;
  /** Called once when the peer stops (closed by either side). */
  onClose?(): void;
}

const OPEN = 1;
const CLOSED = 3;
/** How long `close()` waits for the peer's close frame to be answered. */
const CLOSE_WAIT_MS = 1000;
const RESUME_BATCH = 200;
/** Live events held while a resume reads the database; more than this means something is stuck. */
const MAX_HELD = 1000;
/** Message ids remembered to drop duplicates between resume and live delivery. */
const MAX_REMEMBERED = 2000;

/**
 * The JSON of an event, made once however many peers it goes to: the hub hands the same event
 * object to every socket of a session.
 */
const wireCache = new WeakMap<ServerEvent, string>();
function serialized(e: ServerEvent): string {
  let json = wireCache.get(e);
  if (json === undefined) wireCache.set(e, json = JSON.stringify(e));
  return json;
}

/** Close codes the server uses. */
export const CloseCode = {
  goingAway: 1001,
  policy: 1008,
  tooBig: 1009,
  tryAgainLater: 1013,
} as const;

/** A socket joined to a session. */
export class SocketPeer implements Peer {
  readonly role: "visitor" | "admin";
  readonly widgetId?: string | null;
  /** Highest `seq` of a message this peer was sent. */
  lastSeq = 0;
  #socket: SocketLike;
  #options: SocketPeerOptions;
  #sent = new Set<string>();
  #held: ServerEvent[] | undefined;
  #closed = false;

  constructor(socket: SocketLike, options: SocketPeerOptions) {
    this.#socket = socket;
    this.#options = options;
    this.role = options.role;
    this.widgetId = options.widgetId;
  }

  /** True once the peer stopped sending. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Queues or sends an event; duplicate messages are dropped. */
  send(e: ServerEvent): void {
    if (this.#closed) return;
    if (this.#held) {
      if (this.#held.length >= MAX_HELD) {
        void this.close(CloseCode.tryAgainLater, "Too far behind");
        return;
      }
      this.#held.push(e);
      return;
    }
    this.#write(e);
  }

  /**
   * Sends every stored message after `anchor`, then the live events that arrived meanwhile. Live
   * events are held from this call on, so `anchor` may be a lookup still to be awaited (the
   * client's `afterMessageId`); resolving to undefined sends nothing and returns false.
   */
  async resume(anchor: number | (() => Promise<number | undefined>)): Promise<boolean> {
    if (this.#closed) return false;
    const outer = this.#held === undefined;
    if (outer) this.#held = [];
    try {
      const afterSeq = typeof anchor === "number" ? anchor : await anchor();
      if (afterSeq === undefined) return false;
      let cursor = afterSeq;
      for (;;) {
        const rows = await this.#options.loadAfter(cursor, RESUME_BATCH);
        for (const row of rows) this.#write(messageEvent(row));
        if (rows.length < RESUME_BATCH || this.#closed) break;
        cursor = rows[rows.length - 1].seq;
      }
      return true;
    } finally {
      if (outer) {
        const held = this.#held ?? [];
        this.#held = undefined;
        for (const e of held) this.#write(e);
      }
    }
  }

  /** Catches up from the last message this peer got. */
  async resync(): Promise<void> {
    await this.resume(this.lastSeq);
  }

  /**
   * Closes the socket and stops the peer; resolves once the close handshake is done (or after a
   * second), so a shutdown can wait for its close code to reach clients before dropping sockets.
   */
  close(code: number = CloseCode.goingAway, reason = ""): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#held = undefined;
    const socket = this.#socket;
    const done = new Promise<void>((resolve) => {
      if (socket.readyState === CLOSED || !socket.addEventListener) return resolve();
      const timer = setTimeout(resolve, CLOSE_WAIT_MS);
      socket.addEventListener("close", () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
    try {
      if (socket.readyState === OPEN) socket.close(code, reason);
    } catch {
      // Already closing: nothing left to do.
    }
    this.#options.onClose?.();
    return done;
  }

  /** Marks the peer stopped after the socket closed by itself. */
  stopped(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#held = undefined;
    this.#options.onClose?.();
  }

  #write(e: ServerEvent): void {
    if (this.#closed || this.#socket.readyState !== OPEN) return;
    if (e.type === "message:received") {
      if (this.#sent.has(e.message.id)) return;
      this.#remember(e.message.id);
    }
    const seq = "seq" in e ? e.seq : undefined;
    // The socket's own queue is the send queue; bounding it keeps a stalled reader from holding
    // memory for every event of a busy session.
    if (this.#socket.bufferedAmount > this.#options.maxBufferedBytes) {
      void this.close(CloseCode.tryAgainLater, "Reader too slow");
      return;
    }
    this.#socket.send(serialized(e));
    if (seq !== undefined && seq > this.lastSeq) this.lastSeq = seq;
  }

  #remember(id: string): void {
    this.#sent.add(id);
    if (this.#sent.size > MAX_REMEMBERED) {
      const oldest = this.#sent.values().next().value;
      if (oldest !== undefined) this.#sent.delete(oldest);
    }
  }
}
