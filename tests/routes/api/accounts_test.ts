/**
 * SPEC v2.2 "Accounts": SIGNUP, logout that revokes, "sign out everywhere", JWT hygiene, and
 * password hashes raised to the current scrypt cost at the next sign-in.
 */
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { eq } from "drizzle-orm";
import { dbTest, registerAdmin, type TestApp, uniqueEmail } from "../../helpers/test_app.ts";
import { users } from "../../../db/schema.ts";
import { hashPassword } from "../../../lib/passwords.ts";
import { signVisitorToken } from "../../../lib/tokens.ts";

const PASSWORD = "correct horse battery";

function register(t: TestApp, organizationName = "Acme") {
  return t.post("/api/auth/register", {
    email: uniqueEmail(),
    password: PASSWORD,
    organizationName,
  });
}

async function login(t: TestApp, email: string) {
  const res = await t.post("/api/auth/login", { email, password: PASSWORD });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).token as string;
}

dbTest(
  "SIGNUP=closed: the first registration creates the owner, the next is 403 signup_closed",
  async (t) => {
    t.deps.config.signup = "closed";
    const first = await register(t);
    assert.equal(first.status, 201);
    const second = await register(t, "Stranger");
    assert.equal(second.status, 403);
    assert.equal((await second.json()).error.code, "signup_closed");
    // The admin sign-up page says so instead of showing the form.
    const page = await t.get("/admin/signup");
    assert.equal(page.status, 403);
    assert.match(await page.text(), /Sign-up is closed/);
    t.deps.config.signup = "open";
    assert.equal((await register(t, "Welcome")).status, 201);
  },
);

dbTest("SIGNUP=closed: two first registrations at once create one organization", async (t) => {
  t.deps.config.signup = "closed";
  const results = await Promise.all([register(t, "One"), register(t, "Two"), register(t, "Three")]);
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 403, 403]);
});

dbTest("POST /api/auth/logout revokes the presented token only", async (t) => {
  const res = await register(t);
  const { token, user } = await res.json();
  const other = await login(t, user.email);
  assert.equal((await t.get("/api/auth/me", token)).status, 200);
  const out = await t.post("/api/auth/logout", {}, token);
  assert.equal(out.status, 204);
  for (const path of ["/api/auth/me", "/api/agents", "/api/organization/retell"]) {
    const after = await t.get(path, token);
    assert.equal(after.status, 401, path);
    assert.equal((await after.json()).error.code, "unauthorized");
  }
  assert.equal((await t.post("/api/auth/logout", {}, token)).status, 401);
  assert.equal((await t.get("/api/auth/me", other)).status, 200, "another sign-in still works");
  assert.equal((await t.post("/api/auth/logout", {})).status, 401);
});

dbTest(
  "admin tokens without exp, with an array aud, or not HS256 with the current secret are 401",
  async (t) => {
    const { token, organizationId, userId } = await registerAdmin(t);
    const secret = t.deps.config.jwtSecret;
    const key = new TextEncoder().encode(secret);
    // The token's own sign-in id, so that only the claim under test is wrong.
    const jti = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/"))).jti;
    const base = () =>
      new SignJWT({ org: organizationId }).setSubject(userId).setIssuer("parley").setJti(jti)
        .setIssuedAt();
    const good = await base().setProtectedHeader({ alg: "HS256" }).setAudience("parley:admin")
      .setExpirationTime("1h").sign(key);
    assert.equal((await t.get("/api/auth/me", good)).status, 200, "the control token works");
    const noExp = await base().setProtectedHeader({ alg: "HS256" }).setAudience("parley:admin")
      .sign(key);
    const arrayAud = await base().setProtectedHeader({ alg: "HS256" })
      .setAudience(["parley:admin", "parley:visitor"]).setExpirationTime("1h").sign(key);
    const hs512 = await base().setProtectedHeader({ alg: "HS512" }).setAudience("parley:admin")
      .setExpirationTime("1h").sign(new TextEncoder().encode(secret.repeat(2)));
    const otherSecret = await base().setProtectedHeader({ alg: "HS256" })
      .setAudience("parley:admin").setExpirationTime("1h")
      .sign(new TextEncoder().encode("another-secret-another-secret-another-1"));
    const noJti = await new SignJWT({ org: organizationId }).setSubject(userId).setIssuer("parley")
      .setProtectedHeader({ alg: "HS256" }).setAudience("parley:admin").setExpirationTime("1h")
      .sign(key);
    const forgedJti = await new SignJWT({ org: organizationId }).setSubject(userId)
      .setIssuer("parley").setJti(crypto.randomUUID()).setProtectedHeader({ alg: "HS256" })
      .setAudience("parley:admin").setExpirationTime("1h").sign(key);
    for (
      const [name, bad] of Object.entries({ noExp, arrayAud, hs512, otherSecret, noJti, forgedJti })
    ) {
      const res = await t.get("/api/auth/me", bad);
      assert.equal(res.status, 401, name);
    }
    // Visitor tokens follow the same rules.
    const claims = {
      visitorId: "v_12345678",
      widgetId: crypto.randomUUID(),
      organizationId,
      agentId: crypto.randomUUID(),
    };
    const visitorNoExp = await new SignJWT({
      wid: claims.widgetId,
      org: organizationId,
      agt: claims.agentId,
    })
      .setProtectedHeader({ alg: "HS256" }).setSubject(claims.visitorId).setIssuer("parley")
      .setAudience("parley:visitor").sign(key);
    const visitorArray = await new SignJWT({
      wid: claims.widgetId,
      org: organizationId,
      agt: claims.agentId,
    })
      .setProtectedHeader({ alg: "HS256" }).setSubject(claims.visitorId).setIssuer("parley")
      .setAudience(["parley:visitor"]).setExpirationTime("1h").sign(key);
    const visitorOk = (await signVisitorToken(secret, claims)).token;
    // The widget does not exist: a well-formed visitor token gets 404, a malformed one 401.
    assert.equal((await t.post("/api/chat/sessions", {}, visitorOk)).status, 404);
    for (const bad of [visitorNoExp, visitorArray]) {
      assert.equal((await t.post("/api/chat/sessions", {}, bad)).status, 401);
    }
  },
);

dbTest(
  "a password hashed at a lower cost is rehashed at the current cost on sign-in",
  async (t) => {
    const res = await register(t);
    const { user } = await res.json();
    const db = t.deps.database.db;
    const old = await hashPassword(PASSWORD, 14);
    await db.update(users).set({ passwordHash: old }).where(eq(users.id, user.id));
    t.deps.config.passwordHashCost = 15;
    // A wrong password changes nothing.
    assert.equal(
      (await t.post("/api/auth/login", { email: user.email, password: "wrong password" })).status,
      401,
    );
    const stored = async () =>
      (await db.select().from(users).where(eq(users.id, user.id)))[0].passwordHash;
    assert.equal(await stored(), old);
    await login(t, user.email);
    const upgraded = await stored();
    assert.notEqual(upgraded, old);
    assert.match(upgraded, /^scrypt\$32768\$8\$1\$/);
    await login(t, user.email);
    assert.equal(await stored(), upgraded, "not rehashed again");
  },
);
