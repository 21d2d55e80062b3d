/**
 * The message, new-visitor and agent-reply budgets of SPEC v2.1 through HTTP on both databases,
 * including bursts that race.
 */
import assert from "node:assert/strict";
import { dbTest, setupVisitor, type TestApp } from "../helpers/test_app.ts";
import { newSession, retellTest } from "../helpers/retell_app.ts";

const proxied = { trustProxyHops: 1 };

function send(t: TestApp, token: string, sessionId: string, content: string, address?: string) {
  return t.post(
    `/api/chat/sessions/${sessionId}/messages`,
    { content },
    token,
    address ? { "x-forwarded-for": address } : {},
  );
}

async function visitorOf(t: TestApp, widgetId: string, address: string) {
  const res = await t.post("/embed/auth", { widgetId, domain: "example.com" }, "", {
    "x-forwarded-for": address,
  });
  return res;
}

dbTest("messages per visitor: a burst of 40 stores and answers exactly 30", async (t) => {
  const v = await setupVisitor(t);
  const sessionId = await newSession(t, v.visitorToken);
  const results = await Promise.all(
    Array.from({ length: 40 }, (_, i) => send(t, v.visitorToken, sessionId, `hello ${i}`)),
  );
  const statuses = results.map((r) => r.status);
  assert.equal(statuses.filter((s) => s === 201).length, 30, statuses.join(","));
  assert.equal(statuses.filter((s) => s === 429).length, 10);
  const limited = results.find((r) => r.status === 429)!;
  assert.ok(Number(limited.headers.get("retry-after")) >= 1);
  assert.equal((await limited.json()).error.details.limit, "messagesPerVisitor");
  const listed = await t.get(`/api/chat/sessions/${sessionId}/messages?limit=500`, v.visitorToken);
  const users = (await listed.json()).messages.filter((m: { senderType: string }) =>
    m.senderType === "user"
  );
  assert.equal(users.length, 30, "a refused message is not stored");
});

dbTest(
  "messages per client address: new visitors do not reset it (120 a minute)",
  async (t) => {
    const v = await setupVisitor(t);
    const address = "203.0.113.5";
    const statuses: number[] = [];
    for (let n = 0; n < 5; n++) {
      const res = await visitorOf(t, v.widget.id, address);
      const token = (await res.json()).token;
      const sessionId = await newSession(t, token);
      const burst = await Promise.all(
        Array.from({ length: 25 }, (_, i) => send(t, token, sessionId, `m${i}`, address)),
      );
      statuses.push(...burst.map((r) => r.status));
    }
    assert.equal(statuses.filter((s) => s === 201).length, 120);
    assert.equal(statuses.filter((s) => s === 429).length, 5);
  },
  { config: proxied },
);

dbTest(
  "new visitors per client address: 60 an hour; a returning visitor costs nothing",
  async (t) => {
    const v = await setupVisitor(t);
    const address = "203.0.113.6";
    const first = await (await visitorOf(t, v.widget.id, address)).json();
    for (let i = 1; i < 60; i++) {
      assert.equal((await visitorOf(t, v.widget.id, address)).status, 200);
    }
    const refused = await visitorOf(t, v.widget.id, address);
    assert.equal(refused.status, 429);
    assert.ok(refused.headers.get("retry-after"));
    assert.equal((await refused.json()).error.details.limit, "newVisitors");
    // The visitor who comes back with their key is still welcome.
    const back = await t.post(
      "/embed/auth",
      {
        widgetId: v.widget.id,
        domain: "example.com",
        visitorId: first.visitorId,
        visitorKey: first.visitorKey,
      },
      "",
      { "x-forwarded-for": address },
    );
    assert.equal(back.status, 200, await back.clone().text());
    assert.equal((await back.json()).visitorId, first.visitorId);
    // Another address is not affected.
    assert.equal((await visitorOf(t, v.widget.id, "198.51.100.1")).status, 200);
  },
  { config: { ...proxied, limits: { embedAuthPerMinute: 1000 } } },
);

retellTest(
  "agent replies per organization: over the budget the visitor is told and Retell is not asked",
  async (t, fake, v) => {
    for (const content of ["one", "two"]) {
      const res = await send(t, v.visitorToken, v.sessionId, content);
      assert.equal(res.status, 201);
      assert.equal((await res.json()).agentMessage.senderType, "agent");
    }
    const completions = fake.requestsTo(/create-chat-completion/).length;
    assert.equal(completions, 2);
    const over = await send(t, v.visitorToken, v.sessionId, "three");
    assert.equal(over.status, 201);
    const body = await over.json();
    assert.equal(body.userMessage.content, "three", "the visitor's message is kept");
    assert.equal(body.agentMessage.senderType, "system");
    assert.match(body.agentMessage.content, /unavailable/);
    assert.equal(fake.requestsTo(/create-chat-completion/).length, completions);
  },
  { config: { limits: { agentRepliesPerOrganizationPerDay: 2 } } },
);

dbTest("RATE_LIMITS=off: a load test may send past every budget", async (t) => {
  const v = await setupVisitor(t);
  const sessionId = await newSession(t, v.visitorToken);
  const results = await Promise.all(
    Array.from({ length: 45 }, (_, i) => send(t, v.visitorToken, sessionId, `m${i}`)),
  );
  assert.ok(results.every((r) => r.status === 201));
}, { config: { rateLimits: false } });
