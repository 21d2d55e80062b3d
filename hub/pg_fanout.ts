/**
 * @module Cross-process fan-out over PostgreSQL LISTEN/NOTIFY. A NOTIFY payload must stay under
 * 8000 bytes, so events travel as ids (message, call) that the receiving process reads back from
 * the database, batched while a NOTIFY is in flight; each process skips its own notifications by
 * process id. When the listener
 * reconnects (postgres.js calls `onlisten` again) every local peer re-syncs the messages it missed.
 */
import { eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { calls, type MessageRow } from "../db/schema.ts";
import { getMessagesByIds } from "../db/queries/messages.ts";
import { getSessionById } from "../db/queries/sessions.ts";
import { log } from "../lib/log.ts";
import { toCall, toMessage, toSession } from "../db/wire.ts";
import {
  FanoutBatchSchema,
  type FanoutEvent,
  type ServerEvent,
  toFanout,
} from "../contract/events.ts";
import type { Fanout, Hub } from "./hub.ts";

/** The channel every Parley process listens on. */
export const CHANNEL = "parley_events";
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more. */
const MAX_PAYLOAD_BYTES = 7900;
/** An event waiting for the next NOTIFY, with the caller waiting for it to go out. */
interface Pending {
  json: string;
  bytes: number;
  done: () => void;
  failed: (err: unknown) => void;
}

/** Options of the fan-out. */
export interface PgFanoutOptions {
  channel?: string;
  /** Distinguishes this process (two apps in one test process need two ids). */
  processId?: string;
}

/**
 * The fan-out, attached to the hub. Events published while a NOTIFY is in flight go out together
 * in the next one (a payload is `<processId>\n[event, …]`): under load that turns thousands of
 * round trips a second into a few hundred, and a receiver reads a batch's messages in one query.
 * One NOTIFY at a time also keeps every event in publication order across processes.
 */
export class PgFanout implements Fanout {
  readonly processId: string;
  #hub: Hub;
  #database: Database;
  #channel: string;
  #unlisten?: () => Promise<void>;
  #queue: Promise<void> = Promise.resolve();
  #listens = 0;
  #encoder = new TextEncoder();
  #pending: Pending[] = [];
  #flushing = false;

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

  /** Sends the event to the other processes; resolves once its NOTIFY went out. */
  publish(sessionId: string, event: ServerEvent): Promise<void> {
    const wire = toFanout(sessionId, event);
    if (!wire) return Promise.resolve();
    return this.#send(wire);
  }

  /** Tells the other processes to close the widget's visitor sockets. */
  closeWidget(widgetId: string): Promise<void> {
    return this.#send({ type: "widget:closed", widgetId, timestamp: new Date().toISOString() });
  }

  #send(wire: FanoutEvent): Promise<void> {
    const json = JSON.stringify(wire);
    const bytes = this.#encoder.encode(json).byteLength;
    if (bytes + this.processId.length + 4 > MAX_PAYLOAD_BYTES) {
      log.warn("fan-out event too large, not sent", { type: wire.type });
      return Promise.resolve();
    }
    return new Promise((done, failed) => {
      this.#pending.push({ json, bytes, done, failed });
      if (!this.#flushing) this.#flush();
    });
  }

  /** Stops listening. */
  async close(): Promise<void> {
    await this.#unlisten?.();
    this.#unlisten = undefined;
    await this.#queue;
  }

  /** Sends what is pending, as many events per NOTIFY as fit, one NOTIFY at a time. */
  async #flush(): Promise<void> {
    this.#flushing = true;
    try {
      while (this.#pending.length > 0) {
        const batch: Pending[] = [];
        let size = this.processId.length + 3;
        while (this.#pending.length > 0 && size + this.#pending[0].bytes + 1 <= MAX_PAYLOAD_BYTES) {
          const next = this.#pending.shift()!;
          size += next.bytes + 1;
          batch.push(next);
        }
        const payload = `${this.processId}\n[${batch.map((p) => p.json).join(",")}]`;
        try {
          await this.#database.notify(this.#channel, payload);
          for (const p of batch) p.done();
        } catch (err) {
          for (const p of batch) p.failed(err);
        }
      }
    } finally {
      this.#flushing = false;
    }
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
    // Our own notifications come back too: skip them without parsing.
    if (payload.startsWith(this.processId + "\n")) return;
    this.#queue = this.#queue.then(() => this.#deliver(payload)).catch((err) =>
      log.warn("fan-out delivery failed", { error: String(err) })
    );
  }

  async #deliver(payload: string): Promise<void> {
    const newline = payload.indexOf("\n");
    if (newline < 0) return;
    // Another process wrote it, but it is still input: a payload that does not parse is dropped.
    const parsed = FanoutBatchSchema.safeParse(JSON.parse(payload.slice(newline + 1)));
    if (!parsed.success) {
      log.warn("fan-out payload refused", { error: parsed.error.message });
      return;
    }
    for (const w of parsed.data) {
      if (w.type === "widget:closed") this.#hub.closeWidgetLocal(w.widgetId);
    }
    const wires = parsed.data.filter((w) =>
      w.type !== "widget:closed" && this.#hub.peers(w.sessionId).size > 0
    ) as Exclude<FanoutEvent, { type: "widget:closed" }>[];
    if (wires.length === 0) return;
    const db = this.#database.db;
    // One query for every message of the batch.
    const messageIds = wires.flatMap((w) => "messageId" in w ? [w.messageId] : []);
    const messages = new Map(
      (messageIds.length ? await getMessagesByIds(db, messageIds) : []).map((r) => [r.id, r]),
    );
    for (const wire of wires) {
      const event = await this.#rebuild(wire, messages);
      if (event) this.#hub.deliverLocal(wire.sessionId, event);
    }
  }

  /** The server event a fan-out event stands for, from the rows as stored (undefined: gone). */
  async #rebuild(
    wire: Exclude<FanoutEvent, { type: "widget:closed" }>,
    messages: Map<string, MessageRow>,
  ): Promise<ServerEvent | undefined> {
    const db = this.#database.db;
    const { sessionId, timestamp } = wire;
    const messageOf = (id: string) => {
      const row = messages.get(id);
      return row && row.chatSessionId === sessionId ? row : undefined;
    };
    switch (wire.type) {
      case "message:received": {
        const row = messageOf(wire.messageId);
        return row && { type: wire.type, message: toMessage(row), seq: row.seq, timestamp };
      }
      case "mode:changed": {
        const row = messageOf(wire.messageId);
        return row && {
          type: wire.type,
          mode: wire.mode,
          callDetails: wire.callDetails,
          message: toMessage(row),
          seq: row.seq,
          timestamp,
        };
      }
      case "typing:start":
      case "typing:stop":
        return wire.name === undefined
          ? { type: wire.type, senderId: wire.senderId, timestamp }
          : { type: wire.type, senderId: wire.senderId, name: wire.name, timestamp };
      case "call:updated": {
        const [row] = await db.select().from(calls).where(eq(calls.id, wire.callId)).limit(1);
        return row && row.chatSessionId === sessionId
          ? { type: wire.type, call: toCall(row), timestamp }
          : undefined;
      }
      case "session:updated": {
        const row = await getSessionById(db, sessionId);
        return row && { type: wire.type, session: toSession(row), timestamp };
      }
      default:
        return wire satisfies never;
    }
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
