/**
 * What one client can make the server hold through WebSockets (SPEC v2.1 and #13): malformed
 * upgrades hold no slot, an oversized frame closes the socket and cools its address off, and the
 * per-address and global caps refuse the rest. Real server, real sockets, both databases.
 */
import assert from "node:assert/strict";
import { DB_KINDS } from "../helpers/db.ts";
import { startServer, type TestServer } from "../helpers/server.ts";
import { type ConfigOverrides, setupVisitor } from "../helpers/test_app.ts";
import { newSession } from "../helpers/retell_app.ts";
import { eventually, WsClient } from "../helpers/ws.ts";

function wsTest(
  name: string,
  fn: (s: TestServer, sockets: WsClient[]) => Promise<void>,
  config: ConfigOverrides = {},
) {
  for (const { kind, ignore } of DB_KINDS) {
    Deno.test({
      name: `${name} [${kind}]`,
      ignore,
      sanitizeOps: false,
      sanitizeResources: false,
      async fn() {
        const s = await startServer(kind, { config });
        const sockets: WsClient[] = [];
        try {
          await fn(s, sockets);
        } finally {
          await Promise.all(sockets.map((w) => w.close()));
          await s.close();
        }
      },
    });
  }
}

const KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const HANDSHAKE = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": KEY,
  "sec-websocket-version": "13",
};
const MALFORMED: [string, Record<string, string>][] = [
  ["no Sec-WebSocket-Key", {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-version": "13",
  }],
  ["no Connection: upgrade", {
    upgrade: "websocket",
    connection: "keep-alive",
    "sec-websocket-key": KEY,
    "sec-websocket-version": "13",
  }],
  ["wrong Sec-WebSocket-Version", {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": KEY,
    "sec-websocket-version": "8",
  }],
  ["a key that is not 16 bytes", {
    upgrade: "websocket",
    connection: "Upgrade",
    "sec-websocket-key": "short",
    "sec-websocket-version": "13",
  }],
];

wsTest(
  "GET /ws: malformed upgrades get 400 with the error envelope and hold no socket slot",
  async (s, sockets) => {
    const v = await setupVisitor(s.t);
    const sessionId = await newSession(s.t, v.visitorToken);
    const url = `${s.url}/ws?sessionId=${sessionId}&token=${v.visitorToken}`;
    for (let round = 0; round < 50; round++) {
      for (const [what, headers] of MALFORMED) {
        const res = await fetch(url, { headers });
        assert.equal(res.status, 400, what);
        assert.match(res.headers.get("content-type") ?? "", /application\/json/);
        const body = await res.json();
        assert.equal(body.error.code, "bad_request", what);
      }
    }
    // 200 malformed requests later, the same address still gets both of its real sockets.
    for (let i = 0; i < 2; i++) {
      const ws = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
      sockets.push(ws);
      await ws.waitForType("connection:established");
    }
  },
  { limits: { socketsPerAddress: 2 } },
);

wsTest(
  "GET /ws: an oversized frame closes the socket (1009), the address's others, and cools it off",
  async (s, sockets) => {
    const v = await setupVisitor(s.t);
    const sessionId = await newSession(s.t, v.visitorToken);
    const a = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
    const b = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
    sockets.push(a, b);
    await a.waitForType("connection:established");
    await b.waitForType("connection:established");
    a.socket.send("x".repeat(200 * 1024));
    assert.equal((await a.closed).code, 1009);
    assert.equal((await b.closed).code, 1008, "the address's other socket is closed too");
    const again = await fetch(`${s.url}/ws?sessionId=${sessionId}&token=${v.visitorToken}`, {
      headers: HANDSHAKE,
    });
    assert.equal(again.status, 429);
    assert.ok(Number(again.headers.get("retry-after")) >= 60);
    await again.body?.cancel();
  },
);

wsTest(
  "GET /ws: the process's socket cap refuses the next socket with 503 and frees on close",
  async (s, sockets) => {
    const v = await setupVisitor(s.t);
    const sessionId = await newSession(s.t, v.visitorToken);
    const first = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
    const second = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
    sockets.push(first, second);
    await assert.rejects(WsClient.connect(s.url, { sessionId, token: v.visitorToken }));
    const refused = await fetch(`${s.url}/ws?sessionId=${sessionId}&token=${v.visitorToken}`, {
      headers: HANDSHAKE,
    });
    assert.equal(refused.status, 503);
    await refused.body?.cancel();
    await first.close();
    assert.ok(await eventually(() => s.t.deps.hub.admission.total === 1));
    const third = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
    sockets.push(third);
    await third.waitForType("connection:established");
  },
  { limits: { socketsTotal: 2 } },
);

wsTest(
  "RATE_LIMITS=off lifts the per-address socket cap but not the process's",
  async (s, sockets) => {
    const v = await setupVisitor(s.t);
    const sessionId = await newSession(s.t, v.visitorToken);
    for (let i = 0; i < 3; i++) {
      const ws = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
      sockets.push(ws);
    }
    await assert.rejects(WsClient.connect(s.url, { sessionId, token: v.visitorToken }));
  },
  { rateLimits: false, limits: { socketsPerAddress: 1, socketsTotal: 3 } },
);
