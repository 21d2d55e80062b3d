import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { dbTest, setupVisitor } from "../helpers/test_app.ts";
import { rowsOf } from "../helpers/db.ts";
import { RETENTION_INTERVAL_MS, startRetentionJob } from "../../conversations/retention.ts";

const DAY = 24 * 3600 * 1000;

dbTest(
  "the retention job deletes conversations untouched for longer than retentionDays",
  async (t) => {
    const db = t.deps.database.db;
    const v = await setupVisitor(t);
    const old = (await (await t.post("/api/chat/sessions", {}, v.visitorToken)).json()).id;
    const fresh = (await (await t.post("/api/chat/sessions", {}, v.visitorToken)).json()).id;
    // Another organization keeps everything (no retention set).
    const other = await setupVisitor(t);
    const kept = (await (await t.post("/api/chat/sessions", {}, other.visitorToken)).json()).id;
    assert.equal(
      (await t.put("/api/organization", { retentionDays: 30 }, v.admin.token)).status,
      200,
    );

    // The clock the test controls: the job's "now" and its timer.
    let now = new Date();
    let scheduled: { run: () => void; ms: number } | undefined;
    const job = startRetentionJob(db, {
      now: () => now,
      every: (run, ms) => {
        scheduled = { run, ms };
        return () => scheduled = undefined;
      },
    });
    assert.ok(scheduled && scheduled.ms <= 3600_000, "runs at least hourly");
    assert.equal(scheduled.ms, RETENTION_INTERVAL_MS);

    assert.equal(await job.runOnce(), 0, "nothing is 30 days old yet");
    now = new Date(Date.now() + 31 * DAY);
    // A message 20 days from now keeps `fresh` touched within the window.
    await db.execute(
      sql`update chat_messages set created_at = ${
        new Date(Date.now() + 20 * DAY).toISOString()
      }::timestamptz
    where chat_session_id = ${fresh}`,
    );

    scheduled!.run();
    // The tick runs in the background; runOnce joins the purge in flight (or runs another).
    await job.runOnce();
    const ids = rowsOf<{ id: string }>(await db.execute(sql`select id from chat_sessions`))
      .map((r) => r.id).sort();
    assert.deepEqual(ids, [fresh, kept].sort());
    assert.equal(
      rowsOf(await db.execute(sql`select 1 from chat_messages where chat_session_id = ${old}`))
        .length,
      0,
    );
    job.stop();
    assert.equal(scheduled, undefined);
  },
);
