import assert from "node:assert/strict";
import { dbTest, registerAdmin } from "./helpers/test_app.ts";

dbTest("GET /healthz reports the database", async (t) => {
  const res = await t.get("/healthz");
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { status: "ok", db: "ok" });
});

dbTest("unknown routes, oversized and malformed bodies get JSON errors", async (t) => {
  const unknown = await t.get("/api/nope");
  assert.equal(unknown.status, 404);
  assert.match(unknown.headers.get("content-type") ?? "", /application\/json/);
  assert.equal((await unknown.json()).error.code, "not_found");

  const { token } = await registerAdmin(t);
  const huge = await t.post("/api/agents", { name: "x".repeat(70 * 1024) }, token);
  assert.equal(huge.status, 413);
  assert.equal((await huge.json()).error.code, "payload_too_large");

  const malformed = await t.post("/api/agents", '{"name": ', token);
  assert.equal(malformed.status, 400);
  assert.equal((await malformed.json()).error.code, "invalid_json");

  const wrongType = await t.request("/api/agents", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "text/plain" },
    body: "name=x",
  });
  assert.equal(wrongType.status, 400);
  const text = JSON.stringify(await wrongType.json());
  assert.ok(!text.includes("at "), "no stack trace");
});

dbTest("a closed database answers 503 on /healthz and routes", async (t) => {
  await t.deps.database.close();
  const health = await t.get("/healthz");
  assert.equal(health.status, 503);
  const res = await t.post("/api/auth/login", { email: "a@b.co", password: "whatever1" });
  assert.equal(res.status, 503);
  assert.equal((await res.json()).error.code, "database_unavailable");
});

dbTest("responses carry nosniff and a referrer policy", async (t) => {
  for (const path of ["/healthz", "/api/nope"]) {
    const res = await t.get(path);
    await res.body?.cancel();
    assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
    assert.equal(res.headers.get("referrer-policy"), "strict-origin-when-cross-origin", path);
    assert.equal(res.headers.get("x-frame-options"), null, "the widget frame must stay frameable");
  }
});
