import assert from "node:assert/strict";
import { backoffDelay, SessionSocket } from "../../embed/socket.ts";
import type { ConnectionState } from "../../embed/chat_model.ts";
import type { ServerEvent } from "../../contract/events.ts";

Deno.test("backoffDelay: doubles from the base, capped, jittered to 50-100 %", () => {
  assert.deepEqual([1, 2, 3, 4, 10].map((a) => backoffDelay(a, 300, 8000, () => 1)), [
    300,
    600,
    1200,
    2400,
    8000,
  ]);
  assert.equal(backoffDelay(1, 300, 8000, () => 0), 150);
});

/** A WebSocket server that records what clients send and can drop them. */
function wsServer() {
  const received: string[] = [];
  const sockets = new Set<WebSocket>();
  let refuse = false;
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, (req) => {
    if (refuse) return new Response("no", { status: 503 });
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onopen = () => {
      sockets.add(socket);
      socket.send(
        JSON.stringify({ type: "connection:established", sessionId: "s", timestamp: "t" }),
      );
    };
    socket.onmessage = (e) => received.push(String(e.data));
    socket.onclose = () => sockets.delete(socket);
    return response;
  });
  return {
    url: `ws://127.0.0.1:${server.addr.port}/ws`,
    received,
    dropAll: () => sockets.forEach((s) => s.close(1012, "restart")),
    refuse: (v: boolean) => refuse = v,
    close: () => server.shutdown(),
  };
}

Deno.test("SessionSocket: resumes from the last message after each reconnect, with backoff waits", async () => {
  const server = wsServer();
  const states: ConnectionState[] = [];
  const events: ServerEvent[] = [];
  const waits: number[] = [];
  let last = "m1";
  let wake = () => {};
  const opened = () => new Promise<void>((r) => wake = r);
  let next = opened();
  const socket = new SessionSocket({
    url: () => Promise.resolve(server.url),
    lastMessageId: () => last,
    onEvent: (e) => events.push(e),
    onState: (s) => {
      states.push(s);
      if (s === "open") wake();
    },
    sleep: (ms) => {
      waits.push(ms);
      return Promise.resolve();
    },
  }).start();
  try {
    await next;
    for (let i = 0; i < 200 && server.received.length < 1; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    next = opened();
    last = "m7";
    server.refuse(true);
    server.dropAll();
    // Refused a few times (no waiting: the sleep is injected), then accepted again.
    while (waits.length < 3) await new Promise((r) => setTimeout(r, 5));
    server.refuse(false);
    await next;
    // The server records frames as they arrive; wait (bounded) for the second resume.
    for (let i = 0; i < 200 && server.received.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.deepEqual(server.received.map((r) => JSON.parse(r)), [
      { type: "resume", afterMessageId: "m1" },
      { type: "resume", afterMessageId: "m7" },
    ]);
    assert.equal(states[0], "connecting");
    assert.ok(states.includes("reconnecting"));
    assert.equal(states.at(-1), "open");
    // Each failed attempt waits longer (jitter aside, the ceiling doubles).
    assert.ok(waits.length >= 3 && waits[2] > 150);
    assert.equal(events.filter((e) => e.type === "connection:established").length, 2);
  } finally {
    socket.close();
    await server.close();
  }
});
