/**
 * @module The session hub: who is connected to which chat session, and delivery of events to them.
 * In-process by default; `pg_fanout.ts` carries events between processes sharing a database.
 */
import { event, type ServerEvent } from "../contract/events.ts";
import { SocketAdmission } from "./admission.ts";
import type { MessageRow } from "../db/schema.ts";
import { log } from "../lib/log.ts";
import { toMessage } from "../db/wire.ts";

/** One connected socket, as the hub sees it. */
export interface Peer {
  readonly role: "visitor" | "admin";
  /** The widget a visitor's socket chats through (closed with it, `closeWidget`). */
  readonly widgetId?: string | null;
  /** Sends one event; events with a stored message carry its `seq` (resume and re-sync use it). */
  send(event: ServerEvent): void;
  /** Sends every message stored since the last one this peer got (after a lost connection). */
  resync?(): Promise<void>;
  /** Closes the peer's socket (shutdown); resolves when the close has gone out. */
  close?(code: number, reason: string): void | Promise<void>;
}

/** Carries published events to other processes (see `pg_fanout.ts`). */
export interface Fanout {
  publish(sessionId: string, event: ServerEvent): Promise<void>;
  /** Tells the other processes to close a widget's visitor sockets. */
  closeWidget?(widgetId: string): Promise<void>;
  close(): Promise<void>;
}

/** Options of a published event. */
export interface PublishOptions {
  /** A peer that must not receive it (the sender of a relayed typing frame). */
  except?: Peer;
}

/** The close code of a visitor's socket whose widget was deactivated or deleted (SPEC v2.2). */
export const WIDGET_CLOSED = 4403;

/** Map<sessionId, Set<Peer>> with join/leave/publish. */
export class Hub {
  #rooms = new Map<string, Set<Peer>>();
  #fanout?: Fanout;
  /** Socket slots per client address and for the process (see `admission.ts`). */
  readonly admission = new SocketAdmission();

  /** Sends events to other processes too. */
  attachFanout(fanout: Fanout): void {
    this.#fanout = fanout;
  }

  /** Adds a peer to a session; returns the function that removes it. */
  join(sessionId: string, peer: Peer): () => void {
    let room = this.#rooms.get(sessionId);
    if (!room) this.#rooms.set(sessionId, room = new Set());
    room.add(peer);
    return () => {
      room.delete(peer);
      if (room.size === 0 && this.#rooms.get(sessionId) === room) this.#rooms.delete(sessionId);
    };
  }

  /** Peers of a session in this process. */
  peers(sessionId: string): ReadonlySet<Peer> {
    return this.#rooms.get(sessionId) ?? new Set();
  }

  /** Every session with a peer in this process. */
  sessions(): IterableIterator<string> {
    return this.#rooms.keys();
  }

  /**
   * Delivers to this process's peers and hands the event to the fan-out. A fan-out failure is
   * logged, not thrown: the event is stored or transient, and re-sync repairs what was missed.
   */
  async publish(
    sessionId: string,
    event: ServerEvent,
    options: PublishOptions = {},
  ): Promise<void> {
    this.deliverLocal(sessionId, event, options);
    try {
      await this.#fanout?.publish(sessionId, event);
    } catch (err) {
      log.warn("fan-out publish failed", { sessionId, type: event.type, error: String(err) });
    }
  }

  /**
   * Closes every visitor socket of a widget with 4403, in this process and (through the fan-out)
   * in every other; admins watching its sessions stay connected.
   */
  async closeWidget(widgetId: string): Promise<void> {
    this.closeWidgetLocal(widgetId);
    try {
      await this.#fanout?.closeWidget?.(widgetId);
    } catch (err) {
      log.warn("fan-out widget close failed", { widgetId, error: String(err) });
    }
  }

  /** Closes this process's visitor sockets of a widget (the fan-out calls it for others'). */
  closeWidgetLocal(widgetId: string): void {
    for (const room of this.#rooms.values()) {
      for (const peer of room) {
        if (peer.role !== "visitor" || peer.widgetId !== widgetId) continue;
        Promise.resolve(peer.close?.(WIDGET_CLOSED, "This widget is not active")).catch((err) =>
          log.warn("closing a widget's socket failed", { widgetId, error: String(err) })
        );
      }
    }
  }

  /** Delivers to this process's peers only (what the fan-out calls for remote events). */
  deliverLocal(sessionId: string, event: ServerEvent, options: PublishOptions = {}): void {
    for (const peer of this.peers(sessionId)) {
      if (peer === options.except) continue;
      try {
        peer.send(event);
      } catch (err) {
        log.warn("peer send failed", { sessionId, error: String(err) });
      }
    }
  }

  /** Asks every local peer to catch up on stored messages (after the fan-out reconnected). */
  async resyncAll(): Promise<void> {
    const peers = [...this.#rooms.values()].flatMap((room) => [...room]);
    await Promise.all(peers.map(async (peer) => {
      try {
        await peer.resync?.();
      } catch (err) {
        log.warn("peer re-sync failed", { error: String(err) });
      }
    }));
  }

  /**
   * Stops cross-process delivery and closes every local socket with 1012 (service restart), which
   * the widget treats as "reconnect now": behind a load balancer it lands on another process.
   */
  async close(): Promise<void> {
    await this.#fanout?.close();
    this.#fanout = undefined;
    const peers = [...this.#rooms.values()].flatMap((room) => [...room]);
    this.#rooms.clear();
    await Promise.all(peers.map((peer) => peer.close?.(1012, "Server restarting")));
  }
}

/** A stored message as its `message:received` event. */
export function messageEvent(row: MessageRow): ServerEvent {
  return event({ type: "message:received", message: toMessage(row), seq: row.seq });
}

/** Publishes a stored message to its session as `message:received`. */
export function publishMessage(hub: Hub, row: MessageRow): Promise<void> {
  return hub.publish(row.chatSessionId, messageEvent(row));
}
