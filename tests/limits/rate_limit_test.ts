import assert from "node:assert/strict";
import {
  createAgentAndWidget,
  dbTest,
  registerAdmin,
  startApp,
  uniqueEmail,
} from "../helpers/test_app.ts";
import { eachDatabase, openTestDatabase } from "../helpers/db.ts";
import { rateLimits } from "../../db/schema.ts";

dbTest("POST /embed/auth floods get 429 with Retry-After", async (t) => {
  const { token } = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, token);
  const body = { widgetId: widget.id, domain: "example.com" };
  for (let i = 0; i < 3; i++) assert.equal((await t.post("/embed/auth", body)).status, 200);
  const res = await t.post("/embed/auth", body);
  assert.equal(res.status, 429);
  assert.ok(Number(res.headers.get("retry-after")) >= 1);
  const json = await res.json();
  assert.equal(json.error.code, "rate_limited");
}, { config: { limits: { embedAuthPerMinute: 3 } } });

dbTest("POST /api/auth/login locks an email after repeated failures", async (t) => {
  const email = uniqueEmail();
  await t.post("/api/auth/register", { email, password: "the right one", organizationName: "A" });
  for (let i = 0; i < 3; i++) {
    assert.equal((await t.post("/api/auth/login", { email, password: "wrong" + i })).status, 401);
  }
  const locked = await t.post("/api/auth/login", { email, password: "the right one" });
  assert.equal(locked.status, 429, "even the right password waits while locked");
  assert.ok(locked.headers.get("retry-after"));
  // Another account is not affected.
  const other = uniqueEmail();
  await t.post("/api/auth/register", {
    email: other,
    password: "the right one",
    organizationName: "B",
  });
  assert.equal(
    (await t.post("/api/auth/login", { email: other, password: "the right one" })).status,
    200,
  );
}, { config: { limits: { loginFailuresPerQuarterHour: 3 } } });

dbTest("a successful login clears earlier failures", async (t) => {
  const email = uniqueEmail();
  await t.post("/api/auth/register", { email, password: "the right one", organizationName: "A" });
  for (let round = 0; round < 3; round++) {
    assert.equal((await t.post("/api/auth/login", { email, password: "wrong" })).status, 401);
    assert.equal((await t.post("/api/auth/login", { email, password: "wrong" })).status, 401);
    assert.equal(
      (await t.post("/api/auth/login", { email, password: "the right one" })).status,
      200,
    );
  }
}, { config: { limits: { loginFailuresPerQuarterHour: 3 } } });

eachDatabase("rate limits hold across two processes on one PostgreSQL database", async () => {
  const database = await openTestDatabase("postgres");
  const config = { limits: { embedAuthPerMinute: 4 } };
  const a = await startApp("postgres", { database, config });
  const b = await startApp("postgres", { database, config });
  try {
    const { token } = await registerAdmin(a);
    const { widget } = await createAgentAndWidget(a, token);
    const body = { widgetId: widget.id, domain: "example.com" };
    const statuses = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await (i % 2 ? b : a).post("/embed/auth", body)).status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 429, 429]);
  } finally {
    await a.close();
    await b.close();
    await database.dispose();
  }
}, { kinds: ["postgres"] });

dbTest("rate_limits rows of ended windows are pruned on PostgreSQL", async (t) => {
  const { db } = t.deps.database;
  await t.deps.rateLimits.consume("embedAuth", "203.0.113.1");
  await db.insert(rateLimits).values([
    { key: "embedAuth:old-1", points: 3, expire: new Date(Date.now() - 1000) },
    { key: "embedAuth:old-2", points: 1, expire: new Date(Date.now() - 86_400_000) },
  ]);
  assert.equal(await t.deps.rateLimits.prune(), 2);
  const keys = (await db.select({ key: rateLimits.key }).from(rateLimits)).map((r) => r.key);
  assert.deepEqual(keys, ["embedAuth:203.0.113.1"], "a live window is kept");
}, { kinds: ["postgres"] });
