import assert from "node:assert/strict";
import { serverTest, type TestServer } from "../helpers/server.ts";
import { createAgentAndWidget, setupVisitor, type TestApp } from "../helpers/test_app.ts";
import { eventually, openSilentSocket, WsClient } from "../helpers/ws.ts";
import type { Config } from "../../config.ts";
import { signVisitorToken } from "../../lib/tokens.ts";
import type { Message } from "../../contract/wire.ts";

/** A test on a real server, on each database; every socket in `sockets` is closed after it. */
function wsTest(
  name: string,
  fn: (s: TestServer, sockets: WsClient[]) => Promise<void>,
  options: { limits?: Partial<Config["limits"]> } = {},
) {
  serverTest(name, (s) => {
    const sockets: WsClient[] = [];
    s.t.defer(() => Promise.all(sockets.map((w) => w.close())));
    return fn(s, sockets);
  }, { config: { limits: options.limits } });
}

async function newSession(t: TestApp, token: string) {
  const res = await t.post("/api/chat/sessions", {}, token);
  assert.equal(res.status, 201);
  return (await res.json()).id as string;
}

const upgradeHeaders = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

wsTest("GET /ws refuses bad tokens and foreign sessions before the upgrade", async (s) => {
  const { t } = s;
  const v = await setupVisitor(t);
  const sessionId = await newSession(t, v.visitorToken);
  const otherVisitor = await t.post("/embed/auth", {
    widgetId: v.widget.id,
    domain: "example.com",
  });
  const otherToken = (await otherVisitor.json()).token;
  const stranger = await setupVisitor(t);
  const forged = (await signVisitorToken("another-secret-another-secret-another", {
    visitorId: v.visitorId,
    widgetId: v.widget.id,
    organizationId: v.admin.organizationId,
    agentId: v.agent.id,
  })).token;
  const cases: [string, number][] = [
    [`sessionId=${sessionId}`, 401],
    [`sessionId=${sessionId}&token=garbage`, 401],
    [`sessionId=${sessionId}&token=${forged}`, 401],
    [`sessionId=${crypto.randomUUID()}&token=${v.visitorToken}`, 404],
    [`sessionId=nope&token=${v.visitorToken}`, 404],
    [`token=${v.visitorToken}`, 404],
    [`sessionId=${sessionId}&token=${otherToken}`, 404],
    [`sessionId=${sessionId}&token=${stranger.visitorToken}`, 404],
    [`sessionId=${sessionId}&token=${stranger.admin.token}`, 404],
  ];
  for (const [query, status] of cases) {
    const res = await t.request(`/ws?${query}`, { headers: upgradeHeaders });
    assert.equal(res.status, status, query);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    assert.equal(typeof body.error.code, "string");
  }
  const plain = await t.request(`/ws?sessionId=${sessionId}&token=${v.visitorToken}`);
  assert.equal(plain.status, 426);

  await t.put(`/api/widgets/${v.widget.id}`, { isActive: false }, v.admin.token);
  const inactive = await t.request(`/ws?sessionId=${sessionId}&token=${v.visitorToken}`, {
    headers: upgradeHeaders,
  });
  assert.equal(inactive.status, 403);
  // A real client is refused too.
  await assert.rejects(WsClient.connect(s.url, { sessionId, token: "garbage" }));
  // The organization's admin may still watch.
  const admin = await WsClient.connect(s.url, { sessionId, token: v.admin.token });
  await admin.waitForType("connection:established");
  await admin.close();
});

wsTest(
  "a sent message reaches the session's sockets in the seed's shapes and order",
  async (s, sockets) => {
    const { t } = s;
    const v = await setupVisitor(t);
    const sessionId = await newSession(t, v.visitorToken);
    const visitor = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
    const watcher = await WsClient.connect(s.url, { sessionId, token: v.admin.token });
    sockets.push(visitor, watcher);
    const hello = await visitor.waitForType("connection:established");
    assert.equal(hello.sessionId, sessionId);
    assert.match(hello.timestamp, /Z$/);
    await watcher.waitForType("connection:established");

    const res = await t.post(
      `/api/chat/sessions/${sessionId}/messages`,
      { content: "hello" },
      v.visitorToken,
    );
    assert.equal(res.status, 201);
    const { userMessage, agentMessage } = await res.json();
    for (const ws of [visitor, watcher]) {
      const done = await ws.waitFor((e) => e.type === "typing:stop");
      const seq = ws.events.slice(1, done.index + 1);
      assert.deepEqual(
        seq.map((
          e,
        ) => [
          e.type,
          "senderId" in e ? e.senderId : (e as { message: Message }).message.senderType,
        ]),
        [
          ["message:received", "user"],
          ["typing:start", "agent"],
          ["message:received", "agent"],
          ["typing:stop", "agent"],
        ],
      );
      const [u, , a] = seq as { message: Message; timestamp: string }[];
      assert.deepEqual(u.message, userMessage);
      assert.deepEqual(a.message, agentMessage);
      assert.ok(seq.every((e) => typeof e.timestamp === "string"));
    }

    // Session updates reach the sockets too.
    await t.put(`/api/chat/sessions/${sessionId}`, { status: "ended" }, v.visitorToken);
    const updated = await visitor.waitForType("session:updated");
    assert.equal(updated.session.status, "ended");
  },
);

wsTest(
  "GET /ws relays visitor typing to the other sockets and answers pings",
  async (s, sockets) => {
    const { t } = s;
    const v = await setupVisitor(t);
    const sessionId = await newSession(t, v.visitorToken);
    const visitor = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
    const admin = await WsClient.connect(s.url, { sessionId, token: v.admin.token });
    sockets.push(visitor, admin);
    await visitor.waitForType("connection:established");
    await admin.waitForType("connection:established");

    visitor.send({ type: "typing:start" });
    const typing = await admin.waitForType("typing:start");
    assert.equal(typing.senderId, "user");
    visitor.send({ type: "ping" });
    const pong = await visitor.waitForType("pong");
    assert.match(pong.timestamp, /Z$/);
    // The typist never hears its own typing.
    assert.ok(!visitor.events.some((e) => e.type === "typing:start"));

    for (
      const frame of [
        "not json",
        JSON.stringify({ type: "shout" }),
        JSON.stringify({ type: "ping", x: 1 }),
      ]
    ) {
      const from = visitor.events.length;
      visitor.send(frame);
      const err = await visitor.waitForType("error", { from });
      assert.equal(typeof err.code, "string");
    }
    // Still alive after bad frames.
    visitor.send({ type: "ping" });
    await visitor.waitFor((e) => e.type === "pong", { from: visitor.events.length - 1 });
  },
);

wsTest("GET /ws closes a socket that sends an oversized frame", async (s) => {
  const { t } = s;
  const v = await setupVisitor(t);
  const sessionId = await newSession(t, v.visitorToken);
  const ws = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
  await ws.waitForType("connection:established");
  ws.send(JSON.stringify({ type: "ping", pad: "x".repeat(2048) }));
  const closed = await ws.closed;
  assert.equal(closed.code, 1009);
}, { limits: { wsFrameBytes: 1024 } });

wsTest("resume after a reconnect sends every missed message once, in order", async (s, sockets) => {
  const { t } = s;
  const v = await setupVisitor(t);
  const sessionId = await newSession(t, v.visitorToken);
  const first = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
  await first.waitForType("connection:established");
  await t.post(`/api/chat/sessions/${sessionId}/messages`, { content: "one" }, v.visitorToken);
  const seen = await first.waitFor((e) =>
    e.type === "message:received" && e.message.senderType === "agent"
  );
  const lastId = (seen as unknown as { message: Message }).message.id;
  await first.close();

  // Meanwhile: more messages (from another tab) while this one was away.
  for (const content of ["two", "three"]) {
    await t.post(`/api/chat/sessions/${sessionId}/messages`, { content }, v.visitorToken);
  }
  const all =
    (await (await t.get(`/api/chat/sessions/${sessionId}/messages`, v.visitorToken)).json())
      .messages as Message[];
  const missed = all.slice(all.findIndex((m) => m.id === lastId) + 1);
  assert.equal(missed.length, 4);

  const again = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
  sockets.push(again);
  await again.waitForType("connection:established");
  again.send({ type: "resume", afterMessageId: lastId });
  await again.waitFor((e) => e.type === "message:received" && e.message.id === missed[0].id);
  // A message posted right after arrives too, after the missed ones, and only once (the exact
  // interleaving with a resume in progress is covered by the SocketPeer test in tests/hub).
  const live = await t.post(
    `/api/chat/sessions/${sessionId}/messages`,
    { content: "four" },
    v.visitorToken,
  );
  const lastOfAll = (await live.json()).agentMessage.id;
  await again.waitFor((e) => e.type === "message:received" && e.message.id === lastOfAll);
  const final =
    (await (await t.get(`/api/chat/sessions/${sessionId}/messages`, v.visitorToken)).json())
      .messages as Message[];
  const received = again.events.filter((e) => e.type === "message:received")
    .map((e) => (e as { message: Message }).message.id);
  const expected = final.slice(final.findIndex((m) => m.id === lastId) + 1).map((m) => m.id);
  assert.deepEqual(received, expected);

  const from = again.events.length;
  again.send({ type: "resume", afterMessageId: crypto.randomUUID() });
  assert.equal((await again.waitForType("error", { from })).code, "unknown_message");
  const fromStart = again.events.length;
  again.send({ type: "resume" });
  await again.waitFor((e) => e.type === "message:received" && e.message.id === final[0].id, {
    from: fromStart,
  });
});

wsTest("a visitor's socket hears nothing of another session", async (s, sockets) => {
  const { t } = s;
  const v = await setupVisitor(t);
  const mine = await newSession(t, v.visitorToken);
  const other = await createAgentAndWidget(t, v.admin.token);
  const otherAuth =
    await (await t.post("/embed/auth", { widgetId: other.widget.id, domain: "example.com" }))
      .json();
  const theirs = await newSession(t, otherAuth.token);
  const ws = await WsClient.connect(s.url, { sessionId: mine, token: v.visitorToken });
  sockets.push(ws);
  await ws.waitForType("connection:established");
  await t.post(`/api/chat/sessions/${theirs}/messages`, { content: "secret" }, otherAuth.token);
  await t.post(`/api/chat/sessions/${mine}/messages`, { content: "mine" }, v.visitorToken);
  await ws.waitFor((e) => e.type === "typing:stop");
  const contents = ws.events.flatMap((e) =>
    e.type === "message:received" ? [e.message.content] : []
  );
  assert.equal(contents[0], "mine");
  assert.ok(!contents.includes("secret"));
});

wsTest("GET /ws limits sockets per session", async (s, sockets) => {
  const { t } = s;
  const v = await setupVisitor(t);
  const sessionId = await newSession(t, v.visitorToken);
  for (let i = 0; i < 2; i++) {
    const ws = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
    sockets.push(ws);
    await ws.waitForType("connection:established");
  }
  const res = await t.request(`/ws?sessionId=${sessionId}&token=${v.visitorToken}`, {
    headers: upgradeHeaders,
  });
  assert.equal(res.status, 429);
  assert.ok(res.headers.get("retry-after"));
}, { limits: { socketsPerSession: 2 } });

wsTest(
  "GET /ws limits sockets per address and frees the slot when one closes",
  async (s, sockets) => {
    const { t } = s;
    const v = await setupVisitor(t);
    const sessions = [
      await newSession(t, v.visitorToken),
      await newSession(t, v.visitorToken),
      await newSession(t, v.visitorToken),
    ];
    const open = [];
    for (const sessionId of sessions.slice(0, 2)) {
      const ws = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
      sockets.push(ws);
      open.push(ws);
      await ws.waitForType("connection:established");
    }
    const refused = await fetch(`${s.url}/ws?sessionId=${sessions[2]}&token=${v.visitorToken}`, {
      headers: upgradeHeaders,
    });
    assert.equal(refused.status, 429);
    assert.equal((await refused.json()).error.code, "rate_limited");
    await open[0].close();
    // The server releases the slot when it sees the close; retry briefly until it has.
    let again: WsClient | undefined;
    for (let i = 0; i < 50 && !again; i++) {
      again = await WsClient.connect(s.url, { sessionId: sessions[2], token: v.visitorToken })
        .catch(() => new Promise<undefined>((r) => setTimeout(r, 50)));
    }
    assert.ok(again, "a slot is free again after a socket closed");
    sockets.push(again);
    await again.waitForType("connection:established");
  },
  { limits: { socketsPerAddress: 2 } },
);

wsTest("GET /ws heartbeat closes a socket that stops answering pings", async (s, sockets) => {
  const { t } = s;
  const v = await setupVisitor(t);
  const sessionId = await newSession(t, v.visitorToken);
  const healthy = await WsClient.connect(s.url, { sessionId, token: v.visitorToken });
  sockets.push(healthy);
  await healthy.waitForType("connection:established");
  const silent = await openSilentSocket(s.url, { sessionId, token: v.visitorToken });
  try {
    const hub = t.deps.hub;
    assert.ok(await eventually(() => hub.peers(sessionId).size === 2), "both joined");
    assert.ok(await eventually(() => hub.peers(sessionId).size === 1, 8000), "the silent one left");
    // The healthy client answers Deno's pings (its WebSocket does so by itself) and stays.
    assert.equal(healthy.socket.readyState, WebSocket.OPEN);
    healthy.send({ type: "ping" });
    await healthy.waitForType("pong");
  } finally {
    silent.close();
  }
}, { limits: { wsIdleSeconds: 1 } });
