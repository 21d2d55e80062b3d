import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { dbTest, type TestApp } from "../../helpers/test_app.ts";
import { calls, chatSessions } from "../../../db/schema.ts";
import { createSessionWithWelcome } from "../../../db/queries/sessions.ts";
import { insertMessage } from "../../../db/queries/messages.ts";
import {
  type AdminSession,
  apiToken,
  createAgentByForm,
  createWidgetByForm,
  signUp,
} from "./browser_session.ts";

/** A visitor of the widget chatting through the public API, as the widget does. */
async function visitorChats(t: TestApp, widgetId: string, texts: string[]) {
  const auth = await t.post("/embed/auth", { widgetId, domain: "example.com" });
  assert.equal(auth.status, 200);
  const { token } = await auth.json();
  const created = await t.post("/api/chat/sessions", {}, token);
  assert.equal(created.status, 201);
  const session = await created.json();
  for (const content of texts) {
    const res = await t.post(`/api/chat/sessions/${session.id}/messages`, { content }, token);
    assert.equal(res.status, 201);
  }
  return session.id as string;
}

/** Session ids in the order the page lists them. */
function listedIds(html: string): string[] {
  return [...html.matchAll(/data-session-id="([0-9a-f-]{36})"/g)].map((m) => m[1]);
}

async function setup(t: TestApp) {
  const s = await signUp(t);
  const agentId = await createAgentByForm(s, { name: "Helper" });
  const widgetId = await createWidgetByForm(s, agentId, { name: "Main site" });
  return { s, agentId, widgetId };
}

async function organizationOf(s: AdminSession): Promise<string> {
  const me = await s.t.get("/api/auth/me", await apiToken(s));
  return (await me.json()).organization.id;
}

dbTest(
  "GET /admin/conversations lists the organization's conversations, newest first",
  async (t) => {
    const { s, widgetId } = await setup(t);
    const empty = await s.page("/admin/conversations");
    assert.equal(empty.res.status, 200);
    assert.match(empty.html, /No conversations here yet/);

    const first = await visitorChats(t, widgetId, ["Hello there"]);
    const second = await visitorChats(t, widgetId, [
      "What are your prices?",
      "And <b>shipping</b>?",
    ]);
    const { res, html } = await s.page("/admin/conversations");
    assert.equal(res.status, 200);
    assert.deepEqual(listedIds(html), [second, first]);
    assert.match(html, /Main site/);
    assert.match(html, /data-island="InboxList"/);
    assert.doesNotMatch(html, /<b>shipping/, "message text is escaped");

    const feed = await s.get("/admin/conversations/feed");
    assert.equal(feed.status, 200);
    assert.match(feed.headers.get("content-type") ?? "", /application\/json/);
    const { items } = await feed.json();
    assert.deepEqual(items.map((i: { id: string }) => i.id), [second, first]);
    assert.equal(items[0].messageCount, 5, "welcome, two questions, two answers");
    assert.equal(items[0].previewSender, "agent");
    assert.equal(items[0].widgetName, "Main site");
    assert.equal(items[0].status, "active");
  },
);

dbTest("GET /admin/conversations filters by widget, status and date, and pages", async (t) => {
  const { s, agentId, widgetId } = await setup(t);
  const otherWidget = await createWidgetByForm(s, agentId, { name: "Docs site" });
  const organizationId = await organizationOf(s);
  const db = t.deps.database.db;
  const ids: string[] = [];
  for (let i = 0; i < 27; i++) {
    const { session } = await createSessionWithWelcome(db, {
      organizationId,
      agentId,
      widgetId: i < 26 ? widgetId : otherWidget,
      visitorId: `v_visitor_${i}`,
      metadata: {},
    }, "Welcome");
    ids.push(session.id);
  }
  const token = await apiToken(s);
  const ended = await t.put(`/api/chat/sessions/${ids[3]}`, { status: "ended" }, token);
  assert.equal(ended.status, 200);
  // Two old conversations, a minute apart (equal times would order by id, which is random).
  await db.update(chatSessions).set({ createdAt: new Date("2020-01-05T10:00:00Z") })
    .where(eq(chatSessions.id, ids[0]));
  await db.update(chatSessions).set({ createdAt: new Date("2020-01-05T10:01:00Z") })
    .where(eq(chatSessions.id, ids[1]));

  const page1 = await s.page("/admin/conversations");
  const firstIds = listedIds(page1.html);
  assert.equal(firstIds.length, 25);
  assert.equal(firstIds[0], ids[26], "newest first");
  const older = /href="(\/admin\/conversations\?before=[0-9a-f-]{36})"/.exec(page1.html);
  assert.ok(older, "an Older link");
  const page2 = await s.page(older[1].replaceAll("&amp;", "&"));
  const secondIds = listedIds(page2.html);
  assert.deepEqual(secondIds, [ids[1], ids[0]]);
  assert.equal(new Set([...firstIds, ...secondIds]).size, 27, "no conversation twice or missed");
  assert.match(page2.html, /Newest/);
  assert.match(page2.html, /data-live="false"/, "older pages are not polled");

  const byWidget = await s.page(`/admin/conversations?widget=${otherWidget}`);
  assert.deepEqual(listedIds(byWidget.html), [ids[26]]);
  const byStatus = await s.page("/admin/conversations?status=ended");
  assert.deepEqual(listedIds(byStatus.html), [ids[3]]);
  const byDate = await s.page("/admin/conversations?date=2020-01-05");
  assert.deepEqual(listedIds(byDate.html), [ids[1], ids[0]]);
  const none = await s.page("/admin/conversations?date=2019-12-31");
  assert.deepEqual(listedIds(none.html), []);
  const feed = await (await s.get(`/admin/conversations/feed?status=ended`)).json();
  assert.deepEqual(feed.items.map((i: { id: string }) => i.id), [ids[3]]);
  // Malformed filters are dropped, never a 500.
  const odd = await s.page("/admin/conversations?widget=nope&status=maybe&date=yesterday&before=x");
  assert.equal(odd.res.status, 200);
  assert.equal(listedIds(odd.html).length, 25);
});

dbTest(
  "GET /admin/conversations/:id shows text and voice in one timeline with the call",
  async (t) => {
    const { s, widgetId } = await setup(t);
    const id = await visitorChats(t, widgetId, ["Can you call me?"]);
    const db = t.deps.database.db;
    await insertMessage(db, {
      sessionId: id,
      senderType: "system",
      messageType: "system",
      content: "Calling +15555550123…",
    });
    await insertMessage(db, {
      sessionId: id,
      senderType: "agent",
      messageType: "voice",
      content: "Hi, this is the assistant on the phone.",
    });
    await insertMessage(db, {
      sessionId: id,
      senderType: "user",
      messageType: "voice",
      content: "Great, thanks for calling.",
    });
    await insertMessage(db, {
      sessionId: id,
      senderType: "user",
      messageType: "text",
      content: "Back in the chat now.",
    });
    await db.insert(calls).values({
      chatSessionId: id,
      retellCallId: "call_abc",
      kind: "phone",
      phoneNumber: "+15555550123",
      status: "ended",
      startedAt: new Date("2026-01-01T10:00:00Z"),
      endedAt: new Date("2026-01-01T10:01:05Z"),
      recordingUrl: "https://recordings.example/call_abc.wav",
      summary: "The visitor asked about prices.",
      disconnectionReason: "user_hangup",
    });

    const { res, html } = await s.page(`/admin/conversations/${id}`);
    assert.equal(res.status, 200);
    assert.match(html, /data-island="Conversation"/);
    const order = [
      "Can you call me?",
      "Calling +15555550123…",
      "Voice call",
      "Hi, this is the assistant on the phone.",
      "Great, thanks for calling.",
      "Back to chat",
      "Back in the chat now.",
    ].map((text) => html.lastIndexOf(`>${text}<`));
    assert.ok(order.every((i) => i > 0), `every item is shown: ${order}`);
    assert.deepEqual(order, [...order].sort((a, b) => a - b), "in the order they happened");
    assert.match(html, /Phone call/);
    assert.match(html, />1:05</, "the call's duration");
    assert.match(html, /href="https:\/\/recordings\.example\/call_abc\.wav"/);
    assert.match(html, /The visitor asked about prices\./);
    assert.match(html, /user hangup/);
    assert.match(html, /End conversation/);
    assert.match(html, new RegExp(`class="inbox-row selected"[^>]*data-session-id="${id}"`));

    // Ending goes through the chat API with the page's token, then shows as ended.
    const token = await apiToken(s);
    const ended = await t.put(`/api/chat/sessions/${id}`, { status: "ended" }, token);
    assert.equal(ended.status, 200);
    const after = await s.page(`/admin/conversations/${id}`);
    assert.doesNotMatch(after.html, /End conversation/);
    assert.match(after.html, /Conversation ended/);
  },
);

dbTest("another organization's conversation is a 404 and never listed", async (t) => {
  const { widgetId } = await setup(t);
  const id = await visitorChats(t, widgetId, ["Private question"]);
  const intruder = await signUp(t, { organizationName: "Intruder" });
  const view = await intruder.get(`/admin/conversations/${id}`);
  assert.equal(view.status, 404);
  assert.doesNotMatch(await view.text(), /Private question/);
  const list = await intruder.page("/admin/conversations");
  assert.deepEqual(listedIds(list.html), []);
  const feed = await (await intruder.get("/admin/conversations/feed")).json();
  assert.deepEqual(feed.items, []);
  const cursor = await intruder.page(`/admin/conversations?before=${id}`);
  assert.equal(cursor.res.status, 200);
  assert.deepEqual(listedIds(cursor.html), [], "another organization's cursor shows nothing");
  const token = await apiToken(intruder);
  const end = await t.put(`/api/chat/sessions/${id}`, { status: "ended" }, token);
  assert.equal(end.status, 404);
  const [row] = await t.deps.database.db.select().from(chatSessions)
    .where(eq(chatSessions.id, id));
  assert.equal(row.status, "active");
});
