/** SPEC v2.3 "Human replies and takeover", over HTTP on both databases and over real sockets. */
import assert from "node:assert/strict";
import { dbTest, setupVisitor, type TestApp } from "../helpers/test_app.ts";
import { addTeammate } from "../helpers/team.ts";
import { DB_KINDS } from "../helpers/db.ts";
import { startServer } from "../helpers/server.ts";
import { WsClient } from "../helpers/ws.ts";
import type { Message, Session } from "../../contract/wire.ts";
import { chatTranscript } from "../../calls/payload.ts";

async function newSession(t: TestApp, token: string): Promise<Session> {
  const res = await t.post("/api/chat/sessions", {}, token);
  assert.equal(res.status, 201);
  return await res.json();
}

async function messagesOf(t: TestApp, id: string, token: string): Promise<Message[]> {
  return (await (await t.get(`/api/chat/sessions/${id}/messages`, token)).json()).messages;
}

async function session(t: TestApp, id: string, token: string): Promise<Session> {
  return await (await t.get(`/api/chat/sessions/${id}`, token)).json();
}

dbTest("A new session is handled by the AI, unassigned, with no handoff", async (t) => {
  const v = await setupVisitor(t);
  const s = await newSession(t, v.visitorToken);
  assert.equal(s.handler, "ai");
  assert.equal(s.assigneeId, null);
  assert.equal(s.handoffRequestedAt, null);
});

dbTest(
  "A message posted with a user's token is a human reply: named, the AI not asked",
  async (t) => {
    const v = await setupVisitor(t);
    const member = await addTeammate(t, v.admin.token, "member", "Sam Rivera");
    const s = await newSession(t, v.visitorToken);
    const res = await t.post(`/api/chat/sessions/${s.id}/messages`, {
      content: "Hi, I'm Sam from the team.",
      metadata: { author: { kind: "human", userId: v.admin.userId, name: "Forged" } },
    }, member.token);
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.equal(body.agentMessage, null);
    const reply: Message = body.userMessage;
    assert.equal(reply.senderType, "agent");
    assert.equal(reply.messageType, "text");
    assert.deepEqual(reply.metadata.author, {
      kind: "human",
      userId: member.userId,
      name: "Sam Rivera",
    });

    const all = await messagesOf(t, s.id, v.visitorToken);
    assert.deepEqual(all.map((m) => m.content), [all[0].content, "Hi, I'm Sam from the team."]);
    const after = await session(t, s.id, v.visitorToken);
    assert.equal(after.handler, "human");
    assert.equal(after.assigneeId, member.userId);

    // A second teammate's reply keeps the assignee.
    const other = await addTeammate(t, v.admin.token, "admin", "Ola");
    await t.post(`/api/chat/sessions/${s.id}/messages`, { content: "Me too" }, other.token);
    assert.equal((await session(t, s.id, v.admin.token)).assigneeId, member.userId);
  },
);

dbTest("A repeated clientMessageId of a human reply is stored once", async (t) => {
  const v = await setupVisitor(t);
  const s = await newSession(t, v.visitorToken);
  const send = () =>
    t.post(
      `/api/chat/sessions/${s.id}/messages`,
      { content: "Once", clientMessageId: "h-1" },
      v.admin.token,
    );
  assert.equal((await send()).status, 201);
  assert.equal((await send()).status, 200);
  const all = await messagesOf(t, s.id, v.admin.token);
  assert.equal(all.filter((m) => m.content === "Once").length, 1);
});

dbTest(
  "While a person handles it, a visitor's message is stored with agentMessage null; back to ai the AI answers",
  async (t) => {
    const v = await setupVisitor(t);
    const s = await newSession(t, v.visitorToken);
    const take = await t.put(`/api/chat/sessions/${s.id}`, { handler: "human" }, v.admin.token);
    assert.equal(take.status, 200);
    const taken: Session = await take.json();
    assert.equal(taken.handler, "human");
    assert.equal(taken.assigneeId, v.admin.userId, "Take over assigns the caller");

    const res = await t.post(
      `/api/chat/sessions/${s.id}/messages`,
      { content: "hello?" },
      v.visitorToken,
    );
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.equal(body.agentMessage, null);
    assert.equal(body.userMessage.content, "hello?");
    assert.equal((await messagesOf(t, s.id, v.visitorToken)).length, 2, "welcome + the visitor's");

    const back = await t.put(`/api/chat/sessions/${s.id}`, { handler: "ai" }, v.admin.token);
    assert.equal((await back.json()).handler, "ai");
    const again = await t.post(
      `/api/chat/sessions/${s.id}/messages`,
      { content: "hello" },
      v.visitorToken,
    );
    assert.equal(again.status, 201);
    const answered = await again.json();
    assert.equal(answered.agentMessage.senderType, "agent");
    assert.equal(answered.agentMessage.metadata.author, undefined);
  },
);

dbTest(
  "PUT /sessions/:id takes handler and assigneeId from the organization's users only",
  async (t) => {
    const v = await setupVisitor(t);
    const member = await addTeammate(t, v.admin.token, "member");
    const s = await newSession(t, v.visitorToken);
    const assign = await t.put(
      `/api/chat/sessions/${s.id}`,
      { assigneeId: member.userId },
      v.admin.token,
    );
    assert.equal(assign.status, 200);
    const assigned: Session = await assign.json();
    assert.equal(assigned.assigneeId, member.userId);
    assert.equal(assigned.handler, "ai", "assigning alone does not take over");

    // Taking over an assigned session keeps its assignee.
    const take =
      await (await t.put(`/api/chat/sessions/${s.id}`, { handler: "human" }, v.admin.token)).json();
    assert.equal(take.assigneeId, member.userId);

    const stranger = await setupVisitor(t);
    for (const assigneeId of [stranger.admin.userId, crypto.randomUUID(), "nope"]) {
      const bad = await t.put(`/api/chat/sessions/${s.id}`, { assigneeId }, v.admin.token);
      assert.equal(bad.status, 400, assigneeId);
    }
    const handler = await t.put(`/api/chat/sessions/${s.id}`, { handler: "robot" }, v.admin.token);
    assert.equal(handler.status, 400);
    // A visitor decides neither.
    const visitor = await t.put(`/api/chat/sessions/${s.id}`, { handler: "ai" }, v.visitorToken);
    assert.equal(visitor.status, 403);
    const visitorAssign = await t.put(
      `/api/chat/sessions/${s.id}`,
      { assigneeId: null },
      v.visitorToken,
    );
    assert.equal(visitorAssign.status, 403);
    // Another organization's user cannot touch it at all.
    const foreign = await t.put(
      `/api/chat/sessions/${s.id}`,
      { handler: "ai" },
      stranger.admin.token,
    );
    assert.equal(foreign.status, 404);

    const unassign =
      await (await t.put(`/api/chat/sessions/${s.id}`, { assigneeId: null }, v.admin.token)).json();
    assert.equal(unassign.assigneeId, null);
    assert.equal(unassign.handler, "human");
  },
);

dbTest(
  "POST /sessions/:id/handoff → 200, a system message, and the AI keeps answering",
  async (t) => {
    const v = await setupVisitor(t);
    const s = await newSession(t, v.visitorToken);
    const res = await t.post(
      `/api/chat/sessions/${s.id}/handoff`,
      { reason: "billing question" },
      v.visitorToken,
    );
    assert.equal(res.status, 200);
    const body: Session = await res.json();
    assert.equal(body.id, s.id);
    assert.ok(body.handoffRequestedAt && Date.parse(body.handoffRequestedAt) > 0);
    assert.equal(body.handler, "ai");
    const all = await messagesOf(t, s.id, v.visitorToken);
    const notice = all.at(-1)!;
    assert.equal(notice.senderType, "system");
    assert.equal(notice.messageType, "system");
    assert.match(notice.content, /teammate/i);

    // Asking twice while waiting adds no second notice.
    const twice = await t.post(`/api/chat/sessions/${s.id}/handoff`, {}, v.visitorToken);
    assert.equal(twice.status, 200);
    assert.equal((await twice.json()).handoffRequestedAt, body.handoffRequestedAt);
    assert.equal((await messagesOf(t, s.id, v.visitorToken)).length, all.length);

    const answered =
      await (await t.post(`/api/chat/sessions/${s.id}/messages`, { content: "hi" }, v.visitorToken))
        .json();
    assert.ok(answered.agentMessage, "the AI answers until a person takes over");

    const bad = await t.post(
      `/api/chat/sessions/${s.id}/handoff`,
      { reason: "x".repeat(501) },
      v.visitorToken,
    );
    assert.equal(bad.status, 400);
    const otherVisitor = await setupVisitor(t);
    const foreign = await t.post(
      `/api/chat/sessions/${s.id}/handoff`,
      {},
      otherVisitor.visitorToken,
    );
    assert.equal(foreign.status, 404);
  },
);

dbTest("GET /api/chat/sessions filters handler, assigneeId (id or none) and waiting", async (t) => {
  const v = await setupVisitor(t);
  const member = await addTeammate(t, v.admin.token, "member");
  const a = await newSession(t, v.visitorToken); // AI, unassigned
  const b = await newSession(t, v.visitorToken); // handoff requested: waiting
  const c = await newSession(t, v.visitorToken); // handoff, then a human replied: not waiting
  const d = await newSession(t, v.visitorToken); // taken over by the member
  await t.post(`/api/chat/sessions/${b.id}/handoff`, {}, v.visitorToken);
  await t.post(`/api/chat/sessions/${c.id}/handoff`, {}, v.visitorToken);
  await t.post(`/api/chat/sessions/${c.id}/messages`, { content: "Here!" }, v.admin.token);
  await t.put(`/api/chat/sessions/${d.id}`, { handler: "human" }, member.token);

  const ids = async (query: string) => {
    const res = await t.get(`/api/chat/sessions?${query}`, member.token);
    assert.equal(res.status, 200, query);
    return ((await res.json()).sessions as Session[]).map((s) => s.id).sort();
  };
  assert.deepEqual(await ids("handler=ai"), [a.id, b.id].sort());
  assert.deepEqual(await ids("handler=human"), [c.id, d.id].sort());
  assert.deepEqual(await ids(`assigneeId=${member.userId}`), [d.id]);
  assert.deepEqual(await ids(`assigneeId=${v.admin.userId}`), [c.id]);
  assert.deepEqual(await ids("assigneeId=none"), [a.id, b.id].sort());
  assert.deepEqual(await ids("waiting=true"), [b.id]);
  assert.deepEqual(await ids("waiting=true&handler=human"), []);
  // A second handoff after the reply waits again.
  await t.post(`/api/chat/sessions/${c.id}/handoff`, {}, v.visitorToken);
  assert.deepEqual(await ids("waiting=true"), [b.id, c.id].sort());
  for (const bad of ["handler=bot", "assigneeId=me", "waiting=yes"]) {
    assert.equal((await t.get(`/api/chat/sessions?${bad}`, member.token)).status, 400, bad);
  }
});

dbTest("The demo agent offers a person when asked for one", async (t) => {
  const v = await setupVisitor(t);
  const s = await newSession(t, v.visitorToken);
  for (const ask of ["Can I talk to a human?", "I want a real person", "agent please"]) {
    const body =
      await (await t.post(`/api/chat/sessions/${s.id}/messages`, { content: ask }, v.visitorToken))
        .json();
    assert.equal(body.agentMessage.metadata.offer, "handoff", ask);
    assert.match(body.agentMessage.content, /Talk to a person/);
  }
});

Deno.test("chatTranscript names a person's turns, so the voice agent hears who spoke", () => {
  const text = chatTranscript([
    { senderType: "user", content: "Is my order late?" },
    { senderType: "agent", content: "Let me check.", metadata: {} },
    {
      senderType: "agent",
      content: "It ships today.",
      metadata: { author: { kind: "human", userId: "u", name: "Sam: (Rivera)" } },
    },
    { senderType: "system", content: "A teammate has been asked to join." },
  ]);
  assert.equal(
    text,
    "User: Is my order late?\nAgent: Let me check.\nAgent (Sam Rivera, a person): It ships today.",
  );
});

for (const { kind, ignore } of DB_KINDS) {
  Deno.test({
    name:
      `Live: a human reply, takeover and handoff reach the visitor; a teammate's typing carries their name [${kind}]`,
    ignore,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const s = await startServer(kind);
      const sockets: WsClient[] = [];
      try {
        const { t } = s;
        const v = await setupVisitor(t);
        const member = await addTeammate(t, v.admin.token, "member", "Sam Rivera");
        const chat = await newSession(t, v.visitorToken);
        const visitor = await WsClient.connect(s.url, {
          sessionId: chat.id,
          token: v.visitorToken,
        });
        const human = await WsClient.connect(s.url, { sessionId: chat.id, token: member.token });
        sockets.push(visitor, human);
        await visitor.waitForType("connection:established");
        await human.waitForType("connection:established");

        await t.post(`/api/chat/sessions/${chat.id}/handoff`, {}, v.visitorToken);
        const asked = await human.waitForType("session:updated");
        assert.ok(asked.session.handoffRequestedAt);
        await human.waitForMessage((m) => m.senderType === "system");

        human.send({ type: "typing:start" });
        const typing = await visitor.waitForType("typing:start");
        assert.equal(typing.senderId, "agent");
        assert.equal(typing.name, "Sam Rivera");
        human.send({ type: "typing:stop" });
        assert.equal((await visitor.waitForType("typing:stop")).name, "Sam Rivera");

        const from = visitor.events.length;
        await t.post(
          `/api/chat/sessions/${chat.id}/messages`,
          { content: "Sam here" },
          member.token,
        );
        const got = await visitor.waitForMessage((m) => m.content === "Sam here", { from });
        assert.equal((got.message.metadata.author as { name: string }).name, "Sam Rivera");
        const updated = await visitor.waitForType("session:updated", { from });
        assert.equal(updated.session.handler, "human");
        assert.equal(updated.session.assigneeId, member.userId);

        // The visitor's answer reaches the teammate, and no AI typing or reply follows.
        const before = human.events.length;
        await t.post(
          `/api/chat/sessions/${chat.id}/messages`,
          { content: "thanks Sam" },
          v.visitorToken,
        );
        await human.waitForMessage((m) => m.content === "thanks Sam", { from: before });
        assert.ok(!human.events.slice(before).some((e) => e.type === "typing:start"));

        // A removed teammate's token opens no socket.
        await t.delete(`/api/organization/members/${member.userId}`, v.admin.token);
        await assert.rejects(WsClient.connect(s.url, { sessionId: chat.id, token: member.token }));
      } finally {
        await Promise.all(sockets.map((w) => w.close()));
        await s.close();
      }
    },
  });
}

dbTest("A handoff request queues handoff.requested; a member cannot manage webhooks", async (t) => {
  const v = await setupVisitor(t);
  const member = await addTeammate(t, v.admin.token, "member");
  const hook = await (await t.post("/api/webhooks", {
    url: "https://hooks.example.com/parley",
    events: ["handoff.requested"],
  }, v.admin.token)).json();
  const s = await newSession(t, v.visitorToken);
  await t.post(`/api/chat/sessions/${s.id}/handoff`, { reason: "billing" }, v.visitorToken);
  // Asking again while waiting queues nothing more.
  await t.post(`/api/chat/sessions/${s.id}/handoff`, {}, v.visitorToken);
  const log = await (await t.get(`/api/webhooks/${hook.id}/deliveries`, v.admin.token)).json();
  assert.deepEqual(log.deliveries.map((d: { event: string }) => d.event), ["handoff.requested"]);
  for (
    const [method, path] of [["GET", "/api/webhooks"], ["POST", "/api/webhooks"], [
      "DELETE",
      `/api/webhooks/${hook.id}`,
    ]]
  ) {
    const res = await t.request(path, {
      method,
      headers: { authorization: `Bearer ${member.token}`, "content-type": "application/json" },
      body: method === "POST"
        ? JSON.stringify({ url: "https://x.example.com", events: [] })
        : undefined,
    });
    assert.equal(res.status, 403, `${method} ${path}`);
  }
});
