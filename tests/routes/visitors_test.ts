import assert from "node:assert/strict";
import { dbTest, registerAdmin, setupVisitor, type TestApp } from "../helpers/test_app.ts";
import { rowsOf } from "../helpers/db.ts";
import { sql } from "drizzle-orm";

/** Rows of each table that hang on a visitor, counted in the database itself. */
async function counts(t: TestApp, visitorId: string) {
  const [row] = rowsOf<Record<string, number>>(
    await t.deps.database.db.execute(sql`
      select
        (select count(*)::int from chat_sessions where visitor_id = ${visitorId}) as sessions,
        (select count(*)::int from chat_messages m join chat_sessions s on s.id = m.chat_session_id
          where s.visitor_id = ${visitorId}) as messages,
        (select count(*)::int from leads l join chat_sessions s on s.id = l.chat_session_id
          where s.visitor_id = ${visitorId}) as leads,
        (select count(*)::int from ratings r join chat_sessions s on s.id = r.chat_session_id
          where s.visitor_id = ${visitorId}) as ratings,
        (select count(*)::int from visitors where id = ${visitorId}) as keys`),
  );
  return row;
}

/** A visitor with a conversation that has messages, a lead, a rating and a call. */
async function busyVisitor(t: TestApp) {
  const v = await setupVisitor(t, { voiceMode: "web" });
  const res = await t.post("/api/chat/sessions", {}, v.visitorToken);
  const id = (await res.json()).id;
  await t.post(`/api/chat/sessions/${id}/messages`, { content: "hello" }, v.visitorToken);
  await t.post(
    `/api/chat/sessions/${id}/lead`,
    { name: "Ada", email: "ada@example.com", consent: true },
    v.visitorToken,
  );
  await t.post(`/api/chat/sessions/${id}/rating`, { score: 5 }, v.visitorToken);
  return { ...v, sessionId: id };
}

dbTest(
  "DELETE /api/chat/visitor erases the visitor's sessions, messages, leads and ratings",
  async (t) => {
    const v = await busyVisitor(t);
    const bystander = await t.post("/embed/auth", { widgetId: v.widget.id, domain: "example.com" });
    const other = await bystander.json();
    const kept = await (await t.post("/api/chat/sessions", {}, other.token)).json();

    const before = await counts(t, v.visitorId);
    assert.deepEqual(before, { sessions: 1, messages: 3, leads: 1, ratings: 1, keys: 1 });
    assert.equal((await t.delete("/api/chat/visitor", v.admin.token)).status, 403);
    const res = await t.delete("/api/chat/visitor", v.visitorToken);
    assert.equal(res.status, 204);
    assert.deepEqual(await counts(t, v.visitorId), {
      sessions: 0,
      messages: 0,
      leads: 0,
      ratings: 0,
      keys: 0,
    });
    assert.equal((await t.get(`/api/chat/sessions/${v.sessionId}`, v.admin.token)).status, 404);
    assert.equal((await t.get(`/api/chat/sessions/${kept.id}`, other.token)).status, 200);
    assert.equal((await t.delete("/api/chat/visitor", "not-a-token")).status, 401);
  },
);

dbTest(
  "GET /api/visitors/:id/export and DELETE /api/visitors/:id: the organization's own only",
  async (t) => {
    const v = await busyVisitor(t);
    const stranger = await registerAdmin(t, "Other");
    const path = `/api/visitors/${encodeURIComponent(v.visitorId)}`;
    assert.equal((await t.get(`${path}/export`, stranger.token)).status, 404);
    assert.equal((await t.get(`${path}/export`, v.visitorToken)).status, 401);

    const res = await t.get(`${path}/export`, v.admin.token);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const data = await res.json();
    assert.equal(data.visitorId, v.visitorId);
    assert.deepEqual(data.sessions.map((s: { id: string }) => s.id), [v.sessionId]);
    assert.deepEqual(data.messages.map((m: { content: string }) => m.content).slice(0, 2), [
      "Hello! How can I help you today?",
      "hello",
    ]);
    assert.equal(data.leads[0].email, "ada@example.com");
    assert.equal(data.ratings[0].score, 5);

    // Another organization's delete erases nothing of ours.
    assert.equal((await t.delete(path, stranger.token)).status, 204);
    assert.equal((await counts(t, v.visitorId)).sessions, 1);
    assert.equal((await t.delete(path, v.admin.token)).status, 204);
    assert.deepEqual(await counts(t, v.visitorId), {
      sessions: 0,
      messages: 0,
      leads: 0,
      ratings: 0,
      keys: 0,
    });
    assert.equal((await t.get(`${path}/export`, v.admin.token)).status, 404);
  },
);

dbTest("PUT /api/organization sets retentionDays (1 to 36500, or null)", async (t) => {
  const admin = await registerAdmin(t);
  const put = (body: unknown) => t.put("/api/organization", body, admin.token);
  for (
    const bad of [{ retentionDays: 0 }, { retentionDays: 1.5 }, { retentionDays: "30" }, { x: 1 }]
  ) {
    assert.equal((await put(bad)).status, 400, JSON.stringify(bad));
  }
  const res = await put({ retentionDays: 30 });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).retentionDays, 30);
  assert.equal((await (await put({ retentionDays: null })).json()).retentionDays, null);
  assert.equal((await t.put("/api/organization", { retentionDays: 1 })).status, 401);
});
