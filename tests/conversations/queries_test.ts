import assert from "node:assert/strict";
import { dbTest, setupVisitor, type TestApp } from "../helpers/test_app.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import type { Agent } from "../../agents/agent.ts";

/**
 * Statements per chat message, counted at the driver (PostgreSQL: everything postgres.js sends,
 * the shared rate-limit store included; PGlite: every drizzle statement, limits in memory).
 * Fan-out NOTIFYs are not part of it: `startApp` runs one process. Before the domain layer a
 * message took 5 statements before the agent was asked and 6 in all on PostgreSQL (4 and 5 on
 * PGlite): the session, the visitor's widget and the agent were three reads. Now one joined read
 * brings those, the organization's sealed Retell key and whether any endpoint takes
 * `message.created`. Then come the budgets (PostgreSQL only: messages per visitor and per address,
 * sent together, and the organization's agent replies, one atomic upsert each; in memory on
 * PGlite), the user message, its webhook enqueue (only with such an endpoint), and after the
 * agent the reply and its enqueue. A change that adds a query to the hot path fails here and
 * says so.
 */
const EXPECTED = {
  pglite: { beforeAgent: 2, total: 3 },
  postgres: { beforeAgent: 5, total: 6 },
};

let statements = 0;
let atReply = -1;
const demo = createDemoAgent({ delayMs: 0 });
const counting: Agent = {
  ...demo,
  kind: demo.kind,
  reply(input) {
    atReply = statements;
    return demo.reply(input);
  },
};

/** Warms up the limiter's rows and the session's first message, then counts one message. */
async function countOneMessage(t: TestApp, visitorToken: string) {
  const session = await (await t.post("/api/chat/sessions", {}, visitorToken)).json();
  const path = `/api/chat/sessions/${session.id}/messages`;
  assert.equal((await t.post(path, { content: "warm up" }, visitorToken)).status, 201);
  statements = 0;
  const res = await t.post(path, { content: "Where is my order?" }, visitorToken);
  assert.equal(res.status, 201);
  return { beforeAgent: atReply, total: statements };
}

dbTest(
  "POST /api/chat/sessions/:id/messages: statements before the agent is asked, and in all",
  async (t) => {
    const v = await setupVisitor(t);
    const counted = await countOneMessage(t, v.visitorToken);
    assert.deepEqual(counted, EXPECTED[t.kind], `statements per message on ${t.kind}`);
  },
  { agent: counting, onStatement: () => void statements++ },
);

dbTest(
  "POST /api/chat/sessions/:id/messages: with a message.created webhook, one more statement per stored message",
  async (t) => {
    const v = await setupVisitor(t);
    const hook = await t.post("/api/webhooks", {
      url: "https://hooks.example.com/parley",
      events: ["message.created"],
    }, v.admin.token);
    assert.equal(hook.status, 201);
    const plain = EXPECTED[t.kind];
    assert.deepEqual(await countOneMessage(t, v.visitorToken), {
      beforeAgent: plain.beforeAgent + 1,
      total: plain.total + 2,
    });
  },
  { agent: counting, onStatement: () => void statements++ },
);
