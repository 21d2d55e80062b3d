import assert from "node:assert/strict";
import { openDatabase } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import { claimDue } from "../../db/queries/webhooks.ts";
import { createPgDatabase, DB_KINDS, type DbKind, TEST_DATABASE_URL } from "../helpers/db.ts";
import { registerAdmin, startApp } from "../helpers/test_app.ts";
import { startReceiver, TestClock } from "../helpers/receiver.ts";
import { WebhookWorker } from "../../webhooks/worker.ts";
import { enqueueWebhookEvent } from "../../webhooks/enqueue.ts";

/** A database that outlives the process using it: a PGlite directory or a PostgreSQL database. */
async function persistentDatabase(kind: DbKind) {
  if (kind === "pglite") {
    const dir = await Deno.makeTempDir();
    return {
      url: `pglite:${dir}`,
      drop: () => Deno.remove(dir, { recursive: true }),
    };
  }
  return await createPgDatabase();
}

for (const { kind, ignore } of DB_KINDS) {
  Deno.test({
    name: `webhook deliveries queued before a restart are sent by the next process [${kind}]`,
    ignore,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const store = await persistentDatabase(kind);
      const receiver = startReceiver();
      try {
        // First process: queues two events; its worker claims one and dies mid-attempt.
        const first = await openDatabase(store.url);
        await migrate(first);
        const t1 = await startApp(kind, {
          database: { kind, url: store.url, database: first, dispose: () => first.close() },
          config: { webhooksAllowPrivate: true },
        });
        const admin = await registerAdmin(t1);
        const created = await t1.post(
          "/api/webhooks",
          { url: receiver.url, events: ["lead.created"] },
          admin.token,
        );
        const webhook = await created.json();
        for (const email of ["a@example.com", "b@example.com"]) {
          await enqueueWebhookEvent(first.db, {
            organizationId: admin.organizationId,
            type: "lead.created",
            data: { session: {} as never, lead: { email } },
          });
        }
        // A second ahead of the database's clock: its now() has microseconds, a Date has not, so
        // a clock read in the same millisecond as the insert could find the row not yet due.
        const clock = new TestClock(Date.now() + 1000);
        const taken = await claimDue(first.db, {
          now: clock.now(),
          leaseEnd: new Date(clock.ms + 70_000),
          leaseId: crypto.randomUUID(),
          limit: 1,
        });
        assert.equal(taken.length, 1);
        await t1.close();
        await first.close();

        // Second process on the same database.
        const second = await openDatabase(store.url);
        await migrate(second);
        const worker = new WebhookWorker({
          database: second,
          keys: t1.deps.config,
          allowPrivate: true,
          now: clock.now,
        });
        assert.equal(await worker.runDue(), 1, "the free one at once");
        clock.advance(70_000);
        assert.equal(await worker.runDue(), 1, "the claimed one once its lease has ended");
        assert.equal(await worker.runDue(), 0);
        const emails = receiver.received.map((r) => (r.json.data.lead as { email: string }).email);
        assert.deepEqual(emails.sort(), ["a@example.com", "b@example.com"]);
        const t2 = await startApp(kind, {
          database: { kind, url: store.url, database: second, dispose: () => second.close() },
        });
        const log = await (await t2.get(`/api/webhooks/${webhook.id}/deliveries`, admin.token))
          .json();
        assert.deepEqual(log.deliveries.map((d: { status: string }) => d.status), [
          "delivered",
          "delivered",
        ]);
        await t2.close();
        await second.close();
      } finally {
        await receiver.close();
        await store.drop();
      }
    },
  });
}

Deno.test({
  name: "two workers on one PostgreSQL database deliver each webhook event exactly once",
  ignore: !TEST_DATABASE_URL,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const store = await createPgDatabase();
    const receiver = startReceiver();
    // A little latency at the receiver, so both workers are busy at the same time.
    receiver.respond = async () => {
      await new Promise((r) => setTimeout(r, 5));
      return new Response("ok");
    };
    const a = await openDatabase(store.url);
    const b = await openDatabase(store.url);
    try {
      await migrate(a);
      const t = await startApp("postgres", {
        database: { kind: "postgres", url: store.url, database: a, dispose: async () => {} },
        config: { webhooksAllowPrivate: true },
      });
      const admin = await registerAdmin(t);
      for (const events of [["lead.created"], ["lead.created", "conversation.rated"]]) {
        const res = await t.post("/api/webhooks", { url: receiver.url, events }, admin.token);
        assert.equal(res.status, 201);
      }
      const EVENTS = 60;
      for (let i = 0; i < EVENTS; i++) {
        await enqueueWebhookEvent(a.db, {
          organizationId: admin.organizationId,
          type: "lead.created",
          data: { session: {} as never, lead: { n: i } },
        });
      }
      const options = { keys: t.deps.config, allowPrivate: true, concurrency: 4 };
      const one = new WebhookWorker({ database: a, ...options });
      const two = new WebhookWorker({ database: b, ...options });
      const [byOne, byTwo] = await Promise.all([one.runDue(), two.runDue()]);
      assert.equal(byOne + byTwo, EVENTS * 2, "every delivery once, no more");
      assert.ok(byOne > 0 && byTwo > 0, `both shared the work (${byOne} + ${byTwo})`);
      const perPair = new Map<string, number>();
      for (const r of receiver.received) {
        const key = `${r.headers.get("x-parley-event-id")}`;
        perPair.set(key, (perPair.get(key) ?? 0) + 1);
      }
      assert.equal(perPair.size, EVENTS);
      assert.ok([...perPair.values()].every((n) => n === 2), "each event once per endpoint");
      await one.stop();
      await two.stop();
      await t.close();
    } finally {
      await a.close();
      await b.close();
      await receiver.close();
      await store.drop();
    }
  },
});
