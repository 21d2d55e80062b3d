/**
 * @module The session hub: who is connected to which chat session, and delivery of events to them.
 * In-process by default; `pg_fanout.ts` carries events between processes sharing a database.
 */
import type { ServerEvent } from "./events.ts";

/** One connected socket, as the hub sees it. */
export interface Peer {
  readonly role: "visitor" | "admin";
  send(event: ServerEvent): void;
}

/** Carries published events to other processes (see `pg_fanout.ts`). */
export interface Fanout {
  publish(sessionId: string, event: ServerEvent): Promise<void>;
  close(): Promise<void>;
}

/** Map<sessionId, Set<Peer>> with join/leave/publish. */
export class Hub {
  #rooms = new Map<string, Set<Peer>>();
  #fanout?: Fanout;

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

  /** Delivers to this process's peers and hands the event to the fan-out. */
  async publish(
    sessionId: string,
    event: ServerEvent,
    options: { except?: Peer } = {},
  ): Promise<void> {
    this.deliverLocal(sessionId, event, options.except);
    await this.#fanout?.publish(sessionId, event);
  }

  /** Delivers to this process's peers only (what the fan-out calls for remote events). */
  deliverLocal(sessionId: string, event: ServerEvent, except?: Peer): void {
    for (const peer of this.peers(sessionId)) if (peer !== except) peer.send(event);
  }

  /** Stops cross-process delivery. */
  async close(): Promise<void> {
    await this.#fanout?.close();
  }
}
