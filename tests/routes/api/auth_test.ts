import assert from "node:assert/strict";
import { dbTest, registerAdmin, uniqueEmail } from "../../helpers/test_app.ts";
import { signVisitorToken } from "../../../lib/tokens.ts";
import { SignJWT } from "jose";

dbTest("POST /api/auth/register creates an organization and an admin token", async (t) => {
  const email = uniqueEmail();
  const res = await t.post("/api/auth/register", {
    email: email.toUpperCase(),
    password: "long enough password",
    organizationName: "Acme",
  });
  assert.equal(res.status, 201);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const body = await res.json();
  assert.equal(body.user.email, email);
  assert.equal(body.organization.name, "Acme");
  assert.equal(typeof body.token, "string");
  assert.equal(body.user.passwordHash, undefined);

  const again = await t.post("/api/auth/register", {
    email,
    password: "another password",
    organizationName: "Other",
  });
  assert.equal(again.status, 409);
  assert.equal((await again.json()).error.code, "conflict");
});

dbTest("POST /api/auth/login accepts the right password only", async (t) => {
  const email = uniqueEmail();
  await t.post("/api/auth/register", { email, password: "right password", organizationName: "A" });
  const ok = await t.post("/api/auth/login", { email, password: "right password" });
  assert.equal(ok.status, 200);
  const { token, user } = await ok.json();
  assert.equal(user.email, email);
  const me = await t.get("/api/auth/me", token);
  assert.equal(me.status, 200);
  assert.equal((await me.json()).organization.name, "A");

  for (
    const body of [{ email, password: "wrong password" }, {
      email: uniqueEmail(),
      password: "right password",
    }]
  ) {
    const res = await t.post("/api/auth/login", body);
    assert.equal(res.status, 401);
    assert.equal((await res.json()).error.message, "Email or password is incorrect");
  }
});

dbTest("POST /api/auth/register validates its body", async (t) => {
  const cases: [unknown, string][] = [
    [{ email: "not-an-email", password: "long enough", organizationName: "A" }, "email"],
    [{ email: uniqueEmail(), password: "short", organizationName: "A" }, "password"],
    [{ email: uniqueEmail(), password: "long enough" }, "organizationName"],
    [{ email: uniqueEmail(), password: "long enough", organizationName: "A", admin: true }, ""],
  ];
  for (const [body, path] of cases) {
    const res = await t.post("/api/auth/register", body);
    assert.equal(res.status, 400, JSON.stringify(body));
    const json = await res.json();
    assert.equal(json.error.code, "validation_failed");
    assert.ok(
      json.error.details.some((d: { path: string }) => d.path === path),
      JSON.stringify(json),
    );
  }
  const malformed = await t.post("/api/auth/register", "{not json");
  assert.equal(malformed.status, 400);
  assert.equal((await malformed.json()).error.code, "invalid_json");
});

dbTest("GET /api/auth/me refuses missing, expired, visitor and tampered tokens", async (t) => {
  const { token, organizationId, userId } = await registerAdmin(t);
  const secret = t.deps.config.jwtSecret;
  const key = new TextEncoder().encode(secret);
  const expired = await new SignJWT({ org: organizationId }).setProtectedHeader({ alg: "HS256" })
    .setSubject(userId).setIssuer("parley").setAudience("parley:admin")
    .setIssuedAt(1_600_000_000).setExpirationTime(1_600_000_100).sign(key);
  const visitor = (await signVisitorToken(secret, {
    visitorId: "v_12345678",
    widgetId: crypto.randomUUID(),
    organizationId,
    agentId: crypto.randomUUID(),
  })).token;
  const [h, p] = token.split(".");
  const none = `${btoa(JSON.stringify({ alg: "none" })).replace(/=+$/, "")}.${p}.`;
  const tampered = `${h}.${p}.${"A".repeat(43)}`;
  for (const bad of [undefined, "garbage", expired, visitor, none, tampered]) {
    const res = await t.get("/api/auth/me", bad);
    assert.equal(res.status, 401, String(bad));
    assert.equal((await res.json()).error.code, "unauthorized");
  }
});
