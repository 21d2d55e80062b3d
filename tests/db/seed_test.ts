import assert from "node:assert/strict";
import { dbTest } from "../helpers/test_app.ts";
import { seedDemo } from "../../db/seed.ts";

dbTest("seedDemo creates a working demo tenant once", async (t) => {
  const demo = await seedDemo(t.deps.database.db);
  assert.ok(demo);
  assert.equal(await seedDemo(t.deps.database.db), undefined, "not twice");
  const login = await t.post("/api/auth/login", { email: demo.email, password: demo.password });
  assert.equal(login.status, 200);
  const auth = await t.post("/embed/auth", { widgetId: demo.widgetId, domain: "localhost" });
  assert.equal(auth.status, 200);
  const elsewhere = await t.post("/embed/auth", { widgetId: demo.widgetId, domain: "evil.test" });
  assert.equal(elsewhere.status, 403);
});
