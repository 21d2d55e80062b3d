import assert from "node:assert/strict";
import {
  createAgentAndWidget,
  dbTest,
  registerAdmin,
  setupVisitor,
  type TestApp,
  testConfig,
} from "../../helpers/test_app.ts";
import type { Agent } from "../../../agents/agent.ts";
import { createDemoAgent } from "../../../agents/demo.ts";
import { HttpError } from "../../../lib/errors.ts";
import { DEFAULT_WELCOME } from "../../../contract/defaults.ts";

/** The demo agent with some methods replaced (it keeps whatever else the interface asks for). */
function scriptedAgent(overrides: Partial<Pick<Agent, "reply" | "endChat">>): Agent {
  return { ...createDemoAgent({ delayMs: 0 }), ...overrides };
}

async function createSession(t: TestApp, token: string, body: Record<string, unknown> = {}) {
  const res = await t.post("/api/chat/sessions", body, token);
  assert.equal(res.status, 201, await res.clone().text());
  return await res.json();
}

async function messagesOf(t: TestApp, sessionId: string, token: string, query = "") {
  const res = await t.get(`/api/chat/sessions/${sessionId}/messages${query}`, token);
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).messages as Record<string, unknown>[];
}

async function visitorToken(t: TestApp, widgetId: string, visitorId?: string) {
  const res = await t.post("/embed/auth", { widgetId, domain: "example.com", visitorId });
  assert.equal(res.status, 200);
  return (await res.json()).token as string;
}

dbTest("POST /api/chat/sessions creates a visitor session with the widget's welcome", async (t) => {
  const v = await setupVisitor(t, { welcomeMessage: "Welcome to Acme!" });
  const res = await t.post(
    "/api/chat/sessions",
    { metadata: { page: "/pricing" } },
    v.visitorToken,
  );
  assert.equal(res.status, 201);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const session = await res.json();
  assert.equal(session.organizationId, v.admin.organizationId);
  assert.equal(session.agentId, v.agent.id);
  assert.equal(session.widgetId, v.widget.id);
  assert.equal(session.visitorId, v.visitorId);
  assert.equal(session.status, "active");
  assert.equal(session.mode, "chat");
  assert.deepEqual(session.metadata, { page: "/pricing" });
  assert.match(session.createdAt, /^\d{4}-\d\d-\d\dT.*Z$/);

  const messages = await messagesOf(t, session.id, v.visitorToken);
  assert.equal(messages.length, 1);
  assert.equal(messages[0].senderType, "agent");
  assert.equal(messages[0].messageType, "text");
  assert.equal(messages[0].content, "Welcome to Acme!");
  assert.equal(messages[0].sessionId, session.id);

  // SPEC v2.2: a visitor's welcomeMessage is never stored as the agent's words.
  const own = await createSession(t, v.visitorToken, { welcomeMessage: "Page welcome" });
  assert.equal((await messagesOf(t, own.id, v.visitorToken))[0].content, "Welcome to Acme!");
});

dbTest("POST /api/chat/sessions falls back to the default welcome", async (t) => {
  const v = await setupVisitor(t);
  const session = await createSession(t, v.visitorToken);
  assert.equal((await messagesOf(t, session.id, v.visitorToken))[0].content, DEFAULT_WELCOME);
});

dbTest(
  "POST /api/chat/sessions keeps visitors to their widget's agent and themselves",
  async (t) => {
    const v = await setupVisitor(t);
    const other = await createAgentAndWidget(t, v.admin.token);
    const wrongAgent = await t.post(
      "/api/chat/sessions",
      { agentId: other.agent.id },
      v.visitorToken,
    );
    assert.equal(wrongAgent.status, 403);
    assert.equal((await wrongAgent.json()).error.code, "forbidden");
    const wrongVisitor = await t.post(
      "/api/chat/sessions",
      { visitorId: "somebody-else-123" },
      v.visitorToken,
    );
    assert.equal(wrongVisitor.status, 403);
    const same = await createSession(t, v.visitorToken, {
      agentId: v.agent.id,
      visitorId: v.visitorId,
    });
    assert.equal(same.agentId, v.agent.id);

    await t.put(`/api/widgets/${v.widget.id}`, { isActive: false }, v.admin.token);
    const inactive = await t.post("/api/chat/sessions", {}, v.visitorToken);
    assert.equal(inactive.status, 403);
  },
);

dbTest("POST /api/chat/sessions as an admin needs an agent of the organization", async (t) => {
  const admin = await registerAdmin(t);
  const { agent } = await createAgentAndWidget(t, admin.token);
  const stranger = await registerAdmin(t, "Other");
  const strangerAgent = await createAgentAndWidget(t, stranger.token);

  const missing = await t.post("/api/chat/sessions", {}, admin.token);
  assert.equal(missing.status, 400);
  assert.equal((await missing.json()).error.details[0].path, "agentId");
  const foreign = await t.post(
    "/api/chat/sessions",
    { agentId: strangerAgent.agent.id },
    admin.token,
  );
  assert.equal(foreign.status, 404);

  const session = await createSession(t, admin.token, { agentId: agent.id });
  assert.equal(session.widgetId, null);
  assert.equal(session.organizationId, admin.organizationId);
  assert.equal((await messagesOf(t, session.id, admin.token))[0].content, DEFAULT_WELCOME);
});

dbTest("POST /api/chat/sessions validates its body and token", async (t) => {
  const v = await setupVisitor(t);
  const cases: [unknown, string][] = [
    [{ agentId: "nope" }, "agentId"],
    [{ visitorId: "a b" }, "visitorId"],
    [{ welcomeMessage: "x".repeat(1001) }, "welcomeMessage"],
    [{ metadata: "text" }, "metadata"],
    [{ metadata: { big: "x".repeat(9000) } }, "metadata"],
    [{ extra: 1 }, ""],
  ];
  for (const [body, path] of cases) {
    const res = await t.post("/api/chat/sessions", body, v.visitorToken);
    assert.equal(res.status, 400, JSON.stringify(body));
    const json = await res.json();
    assert.ok(
      json.error.details.some((d: { path: string }) => d.path === path),
      JSON.stringify(json),
    );
  }
  for (const token of [undefined, "garbage"]) {
    const res = await t.post("/api/chat/sessions", {}, token);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.code, "unauthorized");
  }
});

dbTest("chat sessions are invisible to other visitors, widgets and organizations", async (t) => {
  const v = await setupVisitor(t);
  const session = await createSession(t, v.visitorToken);
  const sameWidgetOtherVisitor = await visitorToken(t, v.widget.id);
  const otherWidget = await createAgentAndWidget(t, v.admin.token);
  const sameVisitorOtherWidget = await visitorToken(t, otherWidget.widget.id, v.visitorId);
  const stranger = await setupVisitor(t);
  const outsiders = [
    sameWidgetOtherVisitor,
    sameVisitorOtherWidget,
    stranger.visitorToken,
    stranger.admin.token,
  ];
  for (const token of outsiders) {
    const get = await t.get(`/api/chat/sessions/${session.id}`, token);
    assert.equal(get.status, 404);
    assert.equal((await get.json()).error.code, "not_found");
    assert.equal((await t.get(`/api/chat/sessions/${session.id}/messages`, token)).status, 404);
    const send = await t.post(
      `/api/chat/sessions/${session.id}/messages`,
      { content: "hi" },
      token,
    );
    assert.equal(send.status, 404);
    assert.equal(
      (await t.put(`/api/chat/sessions/${session.id}`, { status: "ended" }, token)).status,
      404,
    );
  }
  assert.equal((await t.get(`/api/chat/sessions/not-a-uuid`, v.visitorToken)).status, 404);
  // The owner and the organization's admin still see it, untouched.
  for (const token of [v.visitorToken, v.admin.token]) {
    const res = await t.get(`/api/chat/sessions/${session.id}`, token);
    assert.equal(res.status, 200);
    assert.equal((await res.json()).status, "active");
  }
  assert.equal((await messagesOf(t, session.id, v.visitorToken)).length, 1);
});

dbTest(
  "POST /api/chat/sessions/:id/messages stores the user message and the agent's reply",
  async (t) => {
    const v = await setupVisitor(t);
    const session = await createSession(t, v.visitorToken);
    const res = await t.post(
      `/api/chat/sessions/${session.id}/messages`,
      { content: "How do I embed it?", metadata: { from: "test" } },
      v.visitorToken,
    );
    assert.equal(res.status, 201);
    const { userMessage, agentMessage } = await res.json();
    assert.equal(userMessage.senderType, "user");
    assert.equal(userMessage.messageType, "text");
    assert.equal(userMessage.content, "How do I embed it?");
    assert.deepEqual(userMessage.metadata, { from: "test" });
    assert.equal(userMessage.sessionId, session.id);
    assert.equal(agentMessage.senderType, "agent");
    assert.match(agentMessage.content, /script/);
    assert.equal(agentMessage.metadata.replyTo, userMessage.id);

    const all = await messagesOf(t, session.id, v.visitorToken);
    assert.deepEqual(all.map((m) => m.id).slice(1), [userMessage.id, agentMessage.id]);
    // Scripts are stored as text; escaping is the renderer's job, never the database's.
    const xss = await t.post(
      `/api/chat/sessions/${session.id}/messages`,
      { content: "<img src=x onerror=alert(1)>" },
      v.admin.token,
    );
    assert.equal(xss.status, 201);
    assert.equal((await xss.json()).userMessage.content, "<img src=x onerror=alert(1)>");
  },
);

dbTest("POST /api/chat/sessions/:id/messages is idempotent by clientMessageId", async (t) => {
  let asked = 0;
  t.deps.agent = scriptedAgent({
    reply: () => Promise.resolve({ content: `answer ${++asked}` }),
  });
  const v = await setupVisitor(t);
  const session = await createSession(t, v.visitorToken);
  const path = `/api/chat/sessions/${session.id}/messages`;
  const first = await t.post(path, { content: "hello", clientMessageId: "c-1" }, v.visitorToken);
  assert.equal(first.status, 201);
  const pair = await first.json();
  const again = await t.post(path, { content: "hello", clientMessageId: "c-1" }, v.visitorToken);
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), pair);
  assert.equal(asked, 1);

  // Concurrent repeats: one user message, one question to the agent.
  const burst = await Promise.all(
    Array.from(
      { length: 5 },
      () => t.post(path, { content: "race", clientMessageId: "c-2" }, v.visitorToken),
    ),
  );
  assert.deepEqual(burst.map((r) => r.status).sort(), [200, 200, 200, 200, 201]);
  const bodies = await Promise.all(burst.map((r) => r.json()));
  assert.equal(new Set(bodies.map((b) => b.userMessage.id)).size, 1);
  assert.equal(asked, 2);
  const contents = (await messagesOf(t, session.id, v.visitorToken)).map((m) => m.content);
  assert.deepEqual(contents.slice(1), ["hello", "answer 1", "race", "answer 2"]);

  // The same client id in another session is another message.
  const other = await createSession(t, v.visitorToken);
  const elsewhere = await t.post(`/api/chat/sessions/${other.id}/messages`, {
    content: "hello",
    clientMessageId: "c-1",
  }, v.visitorToken);
  assert.equal(elsewhere.status, 201);
});

dbTest("POST /api/chat/sessions/:id/messages validates content and type", async (t) => {
  const v = await setupVisitor(t);
  const session = await createSession(t, v.visitorToken);
  const path = `/api/chat/sessions/${session.id}/messages`;
  const cases: [unknown, string][] = [
    [{ content: "" }, "content"],
    [{ content: "   \n" }, "content"],
    [{ content: "x".repeat(4001) }, "content"],
    [{}, "content"],
    [{ content: 42 }, "content"],
    [{ content: "hi", messageType: "system" }, "messageType"],
    [{ content: "hi", messageType: "voice" }, "messageType"],
    [{ content: "hi", messageType: "html" }, "messageType"],
    [{ content: "hi", clientMessageId: "reply:abc" }, "clientMessageId"],
    [{ content: "hi", senderType: "agent" }, ""],
  ];
  for (const [body, field] of cases) {
    const res = await t.post(path, body, v.visitorToken);
    assert.equal(res.status, 400, JSON.stringify(body).slice(0, 80));
    const json = await res.json();
    assert.ok(
      json.error.details.some((d: { path: string }) => d.path === field),
      JSON.stringify(json),
    );
  }
  const system = await t.post(path, { content: "hi", messageType: "system" }, v.admin.token);
  assert.equal(system.status, 400);
  const longest = await t.post(path, { content: "é".repeat(4000) }, v.visitorToken);
  assert.equal(longest.status, 201);
  const tooBig = await t.post(path, { content: "x".repeat(70_000) }, v.visitorToken);
  assert.equal(tooBig.status, 413);
  assert.equal((await messagesOf(t, session.id, v.visitorToken)).length, 3);
});

dbTest("PUT /api/chat/sessions/:id ends the session and the agent's chat", async (t) => {
  const ended: string[] = [];
  t.deps.agent = scriptedAgent({
    reply: () => Promise.resolve({ content: "ok" }),
    endChat: (s) => Promise.resolve(void ended.push(s.id)),
  });
  const v = await setupVisitor(t);
  const session = await createSession(t, v.visitorToken, { metadata: { a: 1 } });
  const path = `/api/chat/sessions/${session.id}`;
  const meta = await t.put(path, { metadata: { b: 2 } }, v.visitorToken);
  assert.equal(meta.status, 200);
  const metaJson = await meta.json();
  assert.deepEqual(metaJson.metadata, { b: 2 });
  assert.equal(metaJson.status, "active");
  assert.deepEqual(ended, []);

  const end = await t.put(path, { status: "ended" }, v.visitorToken);
  assert.equal(end.status, 200);
  const endJson = await end.json();
  assert.equal(endJson.status, "ended");
  assert.deepEqual(endJson.metadata, { b: 2 });
  assert.ok(endJson.endedAt);
  assert.deepEqual(ended, [session.id]);

  const send = await t.post(`${path}/messages`, { content: "still there?" }, v.visitorToken);
  assert.equal(send.status, 409);
  assert.equal((await send.json()).error.code, "conflict");
  const reopen = await t.put(path, { status: "active" }, v.admin.token);
  assert.equal(reopen.status, 409);
  const bad = await t.put(path, { status: "paused" }, v.visitorToken);
  assert.equal(bad.status, 400);
  assert.equal((await t.put(path, { status: "ended" }, v.admin.token)).status, 200);
  assert.deepEqual(ended, [session.id]);
});

dbTest("GET /api/chat/sessions/:id/messages pages with after and limit", async (t) => {
  const v = await setupVisitor(t);
  const session = await createSession(t, v.visitorToken);
  for (let i = 0; i < 3; i++) {
    await t.post(`/api/chat/sessions/${session.id}/messages`, { content: `m${i}` }, v.visitorToken);
  }
  const all = await messagesOf(t, session.id, v.visitorToken);
  assert.equal(all.length, 7);
  const firstTwo = await messagesOf(t, session.id, v.visitorToken, "?limit=2");
  assert.deepEqual(firstTwo.map((m) => m.id), all.slice(0, 2).map((m) => m.id));
  const rest = await messagesOf(t, session.id, v.visitorToken, `?after=${all[1].id}&limit=100`);
  assert.deepEqual(rest.map((m) => m.id), all.slice(2).map((m) => m.id));
  assert.deepEqual(await messagesOf(t, session.id, v.visitorToken, `?after=${all[6].id}`), []);

  const other = await createSession(t, v.visitorToken);
  const foreign = await t.get(
    `/api/chat/sessions/${other.id}/messages?after=${all[1].id}`,
    v.visitorToken,
  );
  assert.equal(foreign.status, 400);
  for (const q of ["?limit=0", "?limit=501", "?limit=abc", "?after=nope"]) {
    assert.equal(
      (await t.get(`/api/chat/sessions/${session.id}/messages${q}`, v.visitorToken)).status,
      400,
      q,
    );
  }
});

dbTest("GET /api/chat/sessions lists the organization's sessions newest first", async (t) => {
  const v = await setupVisitor(t);
  const second = await createAgentAndWidget(t, v.admin.token);
  const secondVisitor = await visitorToken(t, second.widget.id);
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await createSession(t, v.visitorToken)).id);
  const onSecond = await createSession(t, secondVisitor);
  await t.put(`/api/chat/sessions/${ids[1]}`, { status: "ended" }, v.admin.token);
  const stranger = await setupVisitor(t);
  await createSession(t, stranger.visitorToken);

  const list = async (query: string, token = v.admin.token) => {
    const res = await t.get(`/api/chat/sessions${query}`, token);
    assert.equal(res.status, 200, await res.clone().text());
    return await res.json();
  };
  const all = await list("");
  assert.deepEqual(all.sessions.map((s: { id: string }) => s.id), [
    onSecond.id,
    ...ids.toReversed(),
  ]);
  assert.equal(all.nextBefore, null);

  const byWidget = await list(`?widgetId=${v.widget.id}`);
  assert.deepEqual(byWidget.sessions.map((s: { id: string }) => s.id), ids.toReversed());
  const ended = await list("?status=ended");
  assert.deepEqual(ended.sessions.map((s: { id: string }) => s.id), [ids[1]]);
  const active = await list(`?status=active&widgetId=${v.widget.id}`);
  assert.equal(active.sessions.length, 4);

  // Cursor pagination walks every session once.
  const seen: string[] = [];
  let before = "";
  for (let page = 0; page < 10; page++) {
    const body = await list(`?limit=2${before ? `&before=${before}` : ""}`);
    seen.push(...body.sessions.map((s: { id: string }) => s.id));
    if (!body.nextBefore) break;
    before = body.nextBefore;
  }
  assert.deepEqual(seen, all.sessions.map((s: { id: string }) => s.id));

  // A visitor sees only their own sessions; a foreign cursor is a 404; bad filters are 400.
  const mine = await list("", v.visitorToken);
  assert.deepEqual(mine.sessions.map((s: { id: string }) => s.id), ids.toReversed());
  assert.equal(
    (await t.get(`/api/chat/sessions?before=${onSecond.id}`, stranger.admin.token)).status,
    404,
  );
  for (const q of ["?status=open", "?limit=1000", "?widgetId=x", "?before=yesterday"]) {
    assert.equal((await t.get(`/api/chat/sessions${q}`, v.admin.token)).status, 400, q);
  }
  assert.equal((await t.get("/api/chat/sessions")).status, 401);
});

dbTest("a failing agent keeps the user message and the session usable", async (t) => {
  let fail = true;
  t.deps.agent = scriptedAgent({
    reply: () =>
      fail
        ? Promise.reject(new HttpError(502, "retell_failed", "Retell could not answer"))
        : Promise.resolve({ content: "back again" }),
  });
  const v = await setupVisitor(t);
  const session = await createSession(t, v.visitorToken);
  const path = `/api/chat/sessions/${session.id}/messages`;
  const res = await t.post(path, { content: "anyone?", clientMessageId: "k1" }, v.visitorToken);
  assert.equal(res.status, 502);
  const { error } = await res.json();
  assert.equal(error.code, "retell_failed");
  assert.equal(error.details.userMessage.content, "anyone?");
  const stored = await messagesOf(t, session.id, v.visitorToken);
  assert.deepEqual(stored.slice(1).map((m) => [m.senderType, m.messageType]), [["user", "text"], [
    "system",
    "system",
  ]]);
  assert.equal(stored[1].id, error.details.userMessage.id);

  fail = false;
  // The client retries the same message: it is answered now, and not stored twice.
  const retry = await t.post(path, { content: "anyone?", clientMessageId: "k1" }, v.visitorToken);
  assert.equal(retry.status, 200);
  const pair = await retry.json();
  assert.equal(pair.userMessage.id, error.details.userMessage.id);
  assert.equal(pair.agentMessage.content, "back again");
  const next = await t.post(path, { content: "next" }, v.visitorToken);
  assert.equal(next.status, 201);
  assert.equal((await messagesOf(t, session.id, v.visitorToken)).length, 6);
});

dbTest("chat routes rate-limit a flooding visitor with 429 and Retry-After", async (t) => {
  const v = await setupVisitor(t);
  const session = await createSession(t, v.visitorToken);
  const path = `/api/chat/sessions/${session.id}/messages`;
  for (let i = 0; i < 3; i++) {
    assert.equal((await t.post(path, { content: `m${i}` }, v.visitorToken)).status, 201);
  }
  const limited = await t.post(path, { content: "one too many" }, v.visitorToken);
  assert.equal(limited.status, 429);
  assert.ok(Number(limited.headers.get("retry-after")) > 0);
  assert.equal((await limited.json()).error.code, "rate_limited");
  // Another visitor of the same widget has their own budget.
  const other = await visitorToken(t, v.widget.id);
  const theirs = await createSession(t, other);
  assert.equal(
    (await t.post(`/api/chat/sessions/${theirs.id}/messages`, { content: "hi" }, other)).status,
    201,
  );
  // Nothing of the refused message was stored.
  const contents = (await messagesOf(t, session.id, v.visitorToken)).map((m) => m.content);
  assert.ok(!contents.includes("one too many"));
  assert.equal((await t.post("/api/chat/sessions", {}, v.visitorToken)).status, 201);
  assert.equal((await t.post("/api/chat/sessions", {}, v.visitorToken)).status, 429);
}, {
  config: {
    limits: {
      ...testConfig().limits,
      messagesPerVisitorPerMinute: 3,
      sessionsPerVisitorPerHour: 2,
    },
  },
});
