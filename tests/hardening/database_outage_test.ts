import assert from "node:assert/strict";
import postgres from "postgres";
import { registerAdmin, startApp } from "../helpers/test_app.ts";
import { eachDatabase, TEST_DATABASE_URL } from "../helpers/db.ts";

eachDatabase(
  "a database outage answers 503 and the server recovers without a restart",
  async () => {
    const t = await startApp("postgres");
    const admin = postgres(TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      const { token } = await registerAdmin(t);
      assert.equal((await t.get("/healthz")).status, 200);
      const dbName = new URL(t.testDb.url).pathname.slice(1);
      // Block new connections and cut the existing ones: the database is gone for the app.
      await admin.unsafe(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS false`);
      await admin`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${dbName}`;

      const health = await t.get("/healthz");
      assert.equal(health.status, 503);
      const res = await t.get("/api/agents", token);
      assert.equal(res.status, 503);
      assert.equal((await res.json()).error.code, "database_unavailable");
      assert.ok(res.headers.get("retry-after"));

      await admin.unsafe(`ALTER DATABASE ${dbName} ALLOW_CONNECTIONS true`);
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        const r = await t.get("/api/agents", token);
        status = r.status;
        await r.body?.cancel();
        if (status !== 200) {
          assert.equal(status, 503, "only 503 while recovering");
          await new Promise((r) => setTimeout(r, 100));
        }
      }
      assert.equal(status, 200, "recovered");
      assert.equal((await t.get("/healthz")).status, 200);
    } finally {
      await admin.end();
      await t.close();
    }
  },
  { kinds: ["postgres"] },
);
