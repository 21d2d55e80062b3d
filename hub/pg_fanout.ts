/**
 * @module Cross-process fan-out over PostgreSQL LISTEN/NOTIFY. A NOTIFY payload must stay under
 * 8000 bytes, so events travel as ids (message, call) that the receiving process reads back from
 * the database; each process skips its own notifications by process id. When the listener
 * reconnects (postgres.js calls `onlisten` again) every local peer re-syncs the messages it missed.
 */
import { eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { calls } from "../db/schema.ts";
import { getMessagesByIds } from "../db/queries/messages.ts";
import { getSessionById } from "../db/queries/sessions.ts";
import { log } from "../lib/log.ts";
import { toCall, toMessage, toSession } from "../lib/wire.ts";
import type { ServerEvent } from "./events.ts";
import type { Fanout, Hub } from "./hub.ts";

/** The channel every Parley process listens on. */
export const CHANNEL = "parley_events";
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7900;
/** Events about one socket, never shared. */
const LOCAL_ONLY = new Set<ServerEvent["type"]>(["connection:established", "pong", "error"]);

/** A notification: the event with its rows replaced by ids. */
interface Wire {
  /** Process id of the sender. */
  o: string;
  /** Session id. */
  s: string;
  /** The event without `message`, `session` or `call`. */
  e: Record<string, unknown>;
  /** Message id, call id; `session` is re-read from `s`. */
  m?: string;
  c?: string;
  sess?: true;
}

/** Options of the fan-out. */
export interface PgFanoutOptions {
  channel?: string;
  /** Distinguishes this process (two apps in one test process need two ids). */
  processId?: string;
}

/** The fan-out, attached to the hub. */
export class PgFanout implements Fanout {
  readonly processId: string;
  #hub: Hub;
  #database: Database;
  #channel: string;
  #unlisten?: () => Promise<void>;
  #queue: Promise<void> = Promise.resolve();
  #listens = 0;
  #encoder = new TextEncoder();

  constructor(hub: Hub, database: Database, options: PgFanoutOptions = {}) {
    this.#hub = hub;
    this.#database = database;
    this.#channel = options.channel ?? CHANNEL;
    this.processId = options.processId ?? crypto.randomUUID();
  }

  /** How many times the listener (re)connected. */
  get listens(): number {
    return this.#listens;
  }

  /** Starts listening. */
  async start(): Promise<void> {
    const sub = await this.#database.listen(
      this.#channel,
      (payload) => this.#enqueue(payload),
      () => this.#onListen(),
    );
    this.#unlisten = () => sub.unlisten();
  }

  /** Sends the event to the other processes. */
  async publish(sessionId: string, event: ServerEvent): Promise<void> {
    if (LOCAL_ONLY.has(event.type)) return;
    const { message, session, call, ...rest } = event as ServerEvent & {
      message?: { id: string };
      session?: unknown;
      call?: { id: string };
    };
    const wire: Wire = { o: this.processId, s: sessionId, e: rest };
    if (message) wire.m = message.id;
    if (call) wire.c = call.id;
    if (session) wire.sess = true;
    const payload = JSON.stringify(wire);
    if (this.#encoder.encode(payload).byteLength > MAX_PAYLOAD_BYTES) {
      log.warn("fan-out event too large, not sent", { sessionId, type: event.type });
      return;
    }
    await this.#database.notify(this.#channel, payload);
  }

  /** Stops listening. */
  async close(): Promise<void> {
    await this.#unlisten?.();
    this.#unlisten = undefined;
    await this.#queue;
  }

  #onListen(): void {
    // The first call is the initial LISTEN; later ones follow a reconnect, when NOTIFYs may have
    // been missed while the connection was down.
    if (++this.#listens === 1) return;
    log.info("fan-out listener reconnected, re-syncing peers", { listens: this.#listens });
    this.#queue = this.#queue.then(() => this.#hub.resyncAll());
  }

  /** Notifications are handled one at a time so that a session's events keep their order. */
  #enqueue(payload: string): void {
    this.#queue = this.#queue.then(() => this.#deliver(payload)).catch((err) =>
      log.warn("fan-out delivery failed", { error: String(err) })
    );
  }

  async #deliver(payload: string): Promise<void> {
    const wire = JSON.parse(payload) as Wire;
    if (wire.o === this.processId || typeof wire.s !== "string") return;
    if (this.#hub.peers(wire.s).size === 0) return;
    const db = this.#database.db;
    const event: Record<string, unknown> = { ...wire.e };
    let seq: number | undefined;
    if (wire.m) {
      const [row] = await getMessagesByIds(db, [wire.m]);
      if (!row || row.chatSessionId !== wire.s) return;
      event.message = toMessage(row);
      seq = row.seq;
    }
    if (wire.c) {
      const [row] = await db.select().from(calls).where(eq(calls.id, wire.c)).limit(1);
      if (!row || row.chatSessionId !== wire.s) return;
      event.call = toCall(row);
    }
    if (wire.sess) {
      const row = await getSessionById(db, wire.s);
      if (!row) return;
      event.session = toSession(row);
    }
    this.#hub.deliverLocal(wire.s, event as unknown as ServerEvent, { seq });
  }
}

/** Starts a fan-out for the hub on the database and attaches it. */
export async function startPgFanout(
  hub: Hub,
  database: Database,
  options: PgFanoutOptions = {},
): Promise<PgFanout> {
  const fanout = new PgFanout(hub, database, options);
  await fanout.start();
  hub.attachFanout(fanout);
  return fanout;
}
