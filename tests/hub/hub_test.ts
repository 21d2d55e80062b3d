import assert from "node:assert/strict";
import { Hub, type Peer } from "../../hub/hub.ts";
import { event, type ServerEvent } from "../../contract/events.ts";
import { CloseCode, type SocketLike, SocketPeer } from "../../hub/socket_peer.ts";
import type { MessageRow } from "../../db/schema.ts";
import { startServer } from "../helpers/server.ts";
import { setupVisitor, testConfig } from "../helpers/test_app.ts";
import { eventually, openSilentSocket, WsClient } from "../helpers/ws.ts";

/** A socket whose unsent bytes the test controls. */
class FakeSocket implements SocketLike {
  sent: ServerEvent[] = [];
  readyState = 1;
  bufferedAmount = 0;
  closedWith?: { code?: number; reason?: string };
  send(data: string) {
    this.sent.push(JSON.parse(data));
  }
  close(code?: number, reason?: string) {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
}

function row(seq: number, content = `m${seq}`): MessageRow {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    seq,
    chatSessionId: "s",
    senderType: "agent",
    messageType: "text",
    content,
    voiceUrl: null,
    metadata: {},
    clientMessageId: null,
    createdAt: new Date(0),
  };
}

const messageEvent = (r: MessageRow): ServerEvent =>
  event({
    type: "message:received",
    message: {
      id: r.id,
      sessionId: "s",
      senderType: r.senderType,
      messageType: r.messageType,
      content: r.content,
      metadata: {},
      createdAt: r.createdAt.toISOString(),
    },
    seq: r.seq,
  });

const contents = (s: FakeSocket) =>
  s.sent.flatMap((e) => e.type === "message:received" ? [e.message.content] : []);

Deno.test("Hub.publish reaches the session's peers except the sender, and no other session", () => {
  const hub = new Hub();
  const got: string[] = [];
  const peer = (name: string): Peer => ({
    role: "visitor",
    send: (e) => void got.push(`${name}:${e.type}`),
  });
  const a = peer("a"), b = peer("b"), c = peer("c");
  hub.join("s1", a);
  const leaveB = hub.join("s1", b);
  hub.join("s2", c);
  hub.publish("s1", event({ type: "typing:start", senderId: "user" }), { except: a });
  assert.deepEqual(got, ["b:typing:start"]);
  leaveB();
  hub.publish("s1", event({ type: "typing:stop", senderId: "user" }));
  assert.deepEqual(got, ["b:typing:start", "a:typing:stop"]);
  assert.deepEqual([...hub.sessions()].sort(), ["s1", "s2"]);
});

Deno.test("Hub.publish survives a peer that throws", () => {
  const hub = new Hub();
  const got: string[] = [];
  hub.join("s", {
    role: "admin",
    send: () => {
      throw new Error("broken");
    },
  });
  hub.join("s", { role: "visitor", send: (e) => void got.push(e.type) });
  hub.publish("s", event({ type: "pong" }));
  assert.deepEqual(got, ["pong"]);
});

Deno.test("SocketPeer closes a slow reader instead of buffering without end", () => {
  const socket = new FakeSocket();
  let closed = 0;
  const peer = new SocketPeer(socket, {
    role: "visitor",
    maxBufferedBytes: 1000,
    loadAfter: () => Promise.resolve([]),
    onClose: () => closed++,
  });
  peer.send(event({ type: "pong" }));
  socket.bufferedAmount = 1001;
  peer.send(event({ type: "pong" }));
  assert.equal(socket.sent.length, 1);
  assert.equal(socket.closedWith?.code, CloseCode.tryAgainLater);
  assert.equal(closed, 1);
  assert.ok(peer.closed);
  peer.send(event({ type: "pong" }));
  peer.stopped();
  assert.equal(socket.sent.length, 1);
  assert.equal(closed, 1);
});

Deno.test("SocketPeer.resume sends stored messages in order, then held live events, each once", async () => {
  const socket = new FakeSocket();
  const stored = Array.from({ length: 450 }, (_, i) => row(i + 1));
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  const peer = new SocketPeer(socket, {
    role: "visitor",
    maxBufferedBytes: 1 << 20,
    async loadAfter(afterSeq, limit) {
      await gate;
      return stored.filter((r) => r.seq > afterSeq).slice(0, limit);
    },
  });
  const resumed = peer.resume(100);
  // Live events while the database is read: one already stored (449), one new (451).
  peer.send(messageEvent(stored[448]));
  peer.send(event({ type: "typing:start", senderId: "agent" }));
  const fresh = row(451);
  peer.send(messageEvent(fresh));
  assert.equal(socket.sent.length, 0, "held until the stored messages are out");
  release();
  await resumed;
  const expected = [...stored.slice(100), fresh].map((r) => r.content);
  assert.deepEqual(contents(socket), expected);
  assert.equal(socket.sent.filter((e) => e.type === "typing:start").length, 1);
  assert.equal(peer.lastSeq, 451);

  // A re-sync starts from the last message sent.
  stored.push(fresh, row(452));
  await peer.resync();
  assert.deepEqual(contents(socket).slice(-2), ["m451", "m452"]);
});

Deno.test({
  name: "GET /ws closes a socket whose reader stopped reading",
  async fn() {
    const base = testConfig();
    const s = await startServer("pglite", {
      config: { limits: { ...base.limits, wsBufferedBytes: 64 * 1024 } },
    });
    let conn: Deno.TcpConn | undefined;
    try {
      const v = await setupVisitor(s.t);
      const sessionId =
        (await (await s.t.post("/api/chat/sessions", {}, v.visitorToken)).json()).id;
      const watcher = await WsClient.connect(s.url, { sessionId, token: v.admin.token });
      await watcher.waitForType("connection:established");
      // A raw client that completes the handshake and then never reads.
      conn = await openSilentSocket(s.url, { sessionId, token: v.visitorToken });
      const hub = s.t.deps.hub;
      await eventually(() => hub.peers(sessionId).size === 2);
      assert.equal(hub.peers(sessionId).size, 2);
      // Flood the session: the stalled reader is dropped, the healthy watcher keeps up.
      const big = "x".repeat(16 * 1024);
      // Yielding after each event lets the healthy watcher (in this process) read as it goes.
      let sent = 0;
      for (; sent < 4000 && hub.peers(sessionId).size === 2; sent++) {
        hub.publish(sessionId, event({ type: "error", code: "flood", message: big }));
        await new Promise((r) => setTimeout(r, 0));
      }
      assert.equal(hub.peers(sessionId).size, 1, `the slow reader left the session (${sent} sent)`);
      assert.equal([...hub.peers(sessionId)][0].role, "admin");
      assert.equal(watcher.socket.readyState, WebSocket.OPEN);
      await watcher.close();
    } finally {
      conn?.close();
      await s.close();
    }
  },
});
