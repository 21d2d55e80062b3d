/**
 * Table tests of `db/queries/` on both databases: every read an actor makes is scoped, writes that
 * may be retried are idempotent, and message order is `seq`. The tenants are made through the API,
 * the queries are called directly.
 */
import assert from "node:assert/strict";
import { dbTest, setupVisitor, type TestApp } from "../helpers/test_app.ts";
import {
  claimRetellChat,
  findSession,
  findSessionWithWidgetAndAgent,
  type SessionScope,
} from "../../db/queries/sessions.ts";
import {
  findMessage,
  hasFailedReply,
  insertMessage,
  insertMessageOnce,
  lastSeqOf,
  listMessages,
  replyKey,
} from "../../db/queries/messages.ts";
import { getAgent } from "../../db/queries/agents.ts";
import { getWidget } from "../../db/queries/widgets.ts";
import { DEFAULT_WELCOME } from "../../contract/defaults.ts";

/** Two tenants, each with a visitor session, and a second visitor on the first widget. */
async function twoTenants(t: TestApp) {
  const a = await setupVisitor(t);
  const b = await setupVisitor(t);
  const session = async (token: string) =>
    (await (await t.post("/api/chat/sessions", {}, token)).json()).id as string;
  const other = await t.post("/embed/auth", { widgetId: a.widget.id, domain: "example.com" });
  const otherVisitor = await other.json();
  return {
    a,
    b,
    aSession: await session(a.visitorToken),
    bSession: await session(b.visitorToken),
    otherVisitorId: otherVisitor.visitorId as string,
  };
}

dbTest("findSession and findSessionWithWidgetAndAgent: only within the scope", async (t) => {
  const db = t.deps.database.db;
  const { a, b, aSession, bSession, otherVisitorId } = await twoTenants(t);
  const visitorA = { widgetId: a.widget.id, visitorId: a.visitorId };
  const cases: [string, SessionScope, string, boolean][] = [
    ["its organization", { organizationId: a.admin.organizationId }, aSession, true],
    ["its visitor", { organizationId: a.admin.organizationId, visitor: visitorA }, aSession, true],
    ["another organization", { organizationId: b.admin.organizationId }, aSession, false],
    [
      "another visitor of the widget",
      {
        organizationId: a.admin.organizationId,
        visitor: { widgetId: a.widget.id, visitorId: otherVisitorId },
      },
      aSession,
      false,
    ],
    [
      "the visitor on another widget",
      {
        organizationId: a.admin.organizationId,
        visitor: { widgetId: b.widget.id, visitorId: a.visitorId },
      },
      aSession,
      false,
    ],
    [
      "the organization, another's session",
      { organizationId: a.admin.organizationId },
      bSession,
      false,
    ],
    ["an unknown id", { organizationId: a.admin.organizationId }, crypto.randomUUID(), false],
  ];
  for (const [name, scope, id, visible] of cases) {
    assert.equal((await findSession(db, scope, id)) !== undefined, visible, name);
    const joined = await findSessionWithWidgetAndAgent(db, scope, id);
    assert.equal(joined !== undefined, visible, `${name} (joined)`);
    if (joined) {
      assert.equal(joined.session.id, id);
      assert.equal(joined.widget?.id, a.widget.id);
      assert.equal(joined.agent.id, a.agent.id);
    }
  }
});

dbTest("getAgent and getWidget: an id of another organization is nobody's", async (t) => {
  const db = t.deps.database.db;
  const { a, b } = await twoTenants(t);
  const cases: [string, string, string, boolean][] = [
    ["own agent", a.admin.organizationId, a.agent.id, true],
    ["another's agent", a.admin.organizationId, b.agent.id, false],
    ["unknown agent", a.admin.organizationId, crypto.randomUUID(), false],
  ];
  for (const [name, org, id, found] of cases) {
    assert.equal((await getAgent(db, org, id)) !== undefined, found, name);
  }
  assert.ok(await getWidget(db, b.admin.organizationId, b.widget.id));
  assert.equal(await getWidget(db, a.admin.organizationId, b.widget.id), undefined);
});

dbTest(
  "messages: stored once per clientMessageId, listed in seq order, scoped to the session",
  async (t) => {
    const db = t.deps.database.db;
    const { aSession, bSession } = await twoTenants(t);
    const base = { senderType: "user" as const, messageType: "text" as const };
    const first = await insertMessageOnce(db, {
      ...base,
      sessionId: aSession,
      content: "one",
      clientMessageId: "c-1",
    });
    const repeat = await insertMessageOnce(db, {
      ...base,
      sessionId: aSession,
      content: "one again",
      clientMessageId: "c-1",
    });
    const elsewhere = await insertMessageOnce(db, {
      ...base,
      sessionId: bSession,
      content: "same id, other session",
      clientMessageId: "c-1",
    });
    const cases: [string, boolean, boolean][] = [
      ["the first store", first.created, true],
      ["a repeat", repeat.created, false],
      ["the same id in another session", elsewhere.created, true],
    ];
    for (const [name, created, expected] of cases) assert.equal(created, expected, name);
    assert.equal(repeat.row.id, first.row.id);
    assert.equal(repeat.row.content, "one");

    const second = await insertMessage(db, { ...base, sessionId: aSession, content: "two" });
    assert.ok(second.seq > first.row.seq);
    assert.equal(await lastSeqOf(db, aSession), second.seq);
    assert.equal(await lastSeqOf(db, crypto.randomUUID()), 0);

    const contents = async (options: { afterSeq?: number; limit: number }) =>
      (await listMessages(db, aSession, options)).map((m) => m.content);
    const pages: [string, { afterSeq?: number; limit: number }, string[]][] = [
      ["from the start (the welcome first)", { limit: 10 }, [
        DEFAULT_WELCOME,
        "one",
        "two",
      ]],
      ["after the first user message", { afterSeq: first.row.seq, limit: 10 }, ["two"]],
      ["limited", { limit: 1 }, [DEFAULT_WELCOME]],
      ["after the last", { afterSeq: second.seq, limit: 10 }, []],
    ];
    for (const [name, options, expected] of pages) {
      assert.deepEqual(await contents(options), expected, name);
    }
    assert.ok(await findMessage(db, aSession, second.id));
    assert.equal(await findMessage(db, bSession, second.id), undefined);

    assert.equal(await hasFailedReply(db, aSession, first.row.id), false);
    await insertMessage(db, {
      sessionId: aSession,
      senderType: "system",
      messageType: "system",
      content: "failed",
      metadata: { replyTo: first.row.id, error: "retell_failed" },
    });
    assert.equal(await hasFailedReply(db, aSession, first.row.id), true);
    assert.equal(await hasFailedReply(db, aSession, second.id), false);
    assert.equal(replyKey(first.row.id), `reply:${first.row.id}`);
  },
);

dbTest("claimRetellChat: the first claim wins, a stale compare-and-set loses", async (t) => {
  const db = t.deps.database.db;
  const { aSession } = await twoTenants(t);
  const steps: [string, string, string | null, string][] = [
    ["the first claim", "chat_1", null, "chat_1"],
    ["a racer that saw no chat", "chat_2", null, "chat_1"],
    ["a replacement of the current chat", "chat_3", "chat_1", "chat_3"],
    ["a replacement of a chat already replaced", "chat_4", "chat_1", "chat_3"],
  ];
  for (const [name, chatId, previous, winner] of steps) {
    assert.equal(await claimRetellChat(db, aSession, chatId, previous), winner, name);
  }
});
