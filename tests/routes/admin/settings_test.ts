import assert from "node:assert/strict";
import { dbTest, registerAdmin, type TestApp, uniqueEmail } from "../../helpers/test_app.ts";
import { addTeammate } from "../../helpers/team.ts";
import { startFakeRetell } from "../../helpers/fake_retell.ts";
import { AdminSession, apiToken, signUp } from "./browser_session.ts";

async function login(t: TestApp, email: string): Promise<string> {
  const res = await t.post("/api/auth/login", { email, password: "correct horse battery" });
  assert.equal(res.status, 200);
  return (await res.json()).token;
}

dbTest(
  "/admin/settings connects a Retell key, shows its account, and disconnects it",
  async (t) => {
    const fake = await startFakeRetell("key_settings_page_9z");
    try {
      t.deps.config.retellBaseUrl = fake.url;
      const s = await signUp(t);
      const empty = await s.page("/admin/settings");
      assert.equal(empty.res.status, 200);
      assert.match(empty.html, /Demo agent/);
      assert.match(empty.html, new RegExp(`/api/retell/webhook/[0-9a-f-]{36}`));
      assert.match(empty.html, /Sign-up is open/);

      const refused = await s.post("/admin/settings/retell", { apiKey: "key_not_known_here" });
      assert.equal(refused.status, 400);
      assert.match(await refused.text(), /Retell does not accept this key/);

      const ok = await s.post("/admin/settings/retell", { apiKey: "key_settings_page_9z" });
      assert.equal(ok.status, 303);
      const connected = await s.page("/admin/settings?notice=connected");
      assert.match(connected.html, /Connected/);
      assert.match(connected.html, /…e_9z/);
      assert.ok(!connected.html.includes("key_settings_page_9z"), "the key is never shown");
      assert.match(connected.html, /Voice agents<\/dt><dd>1<\/dd>/);
      assert.match(connected.html, /Phone numbers<\/dt><dd>1<\/dd>/);
      // A Retell that hangs does not hold the page: it says so after a few seconds.
      fake.stallNext(30_000, { match: /list-agents/ });
      const started = Date.now();
      const slow = await s.page("/admin/settings");
      assert.equal(slow.res.status, 200);
      assert.match(slow.html, /Retell did not answer just now/);
      assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms`);

      const out = await s.post("/admin/settings/retell/disconnect", {});
      assert.equal(out.status, 303);
      assert.match((await s.page("/admin/settings")).html, /Demo agent/);
    } finally {
      await fake.close();
    }
  },
);

dbTest(
  "admin sign-out revokes the cookie's token; Sign out everywhere revokes every sign-in",
  async (t) => {
    const s = await signUp(t, { email: uniqueEmail() });
    const cookieToken = s.cookies.get("parley_admin")!;
    const islands = await apiToken(s);
    const elsewhere = await login(t, s.email);
    await s.page("/admin/settings");
    const out = await s.post("/admin/logout-everywhere", {});
    assert.equal(out.status, 303);
    assert.match(out.headers.get("location")!, /signed-out-everywhere/);
    for (const token of [cookieToken, islands, elsewhere]) {
      assert.equal((await t.get("/api/auth/me", token)).status, 401);
    }
    // The old cookie no longer opens the admin.
    const again = await t.request("/admin/settings", {
      headers: { cookie: `parley_admin=${cookieToken}` },
    });
    assert.equal(again.status, 303);

    // Plain sign-out revokes only this browser's sign-in.
    const b = await login(t, s.email);
    const s2 = await signUp(t);
    const token2 = s2.cookies.get("parley_admin")!;
    await s2.page("/admin/settings");
    assert.equal((await s2.post("/admin/logout", {})).status, 303);
    assert.equal((await t.get("/api/auth/me", token2)).status, 401);
    assert.equal((await t.get("/api/auth/me", b)).status, 200);
  },
);

dbTest(
  "/admin/settings retention: days or keep forever, without JavaScript, refused when not a whole number in range",
  async (t) => {
    const s = await signUp(t);
    const token = await apiToken(s);
    const current = async () => {
      const res = await t.put("/api/organization", {}, token);
      assert.equal(res.status, 200);
      return (await res.json()).retentionDays;
    };
    const first = await s.page("/admin/settings");
    assert.equal(first.res.status, 200);
    assert.match(first.html, /Data retention/);
    assert.match(first.html, /value="forever" checked/);

    let res = await s.post("/admin/settings/retention", { retention: "days", retentionDays: "90" });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/admin/settings?notice=retention");
    assert.equal(await current(), 90);
    const saved = await s.page("/admin/settings?notice=retention");
    assert.match(saved.html, /Retention saved/);
    assert.match(saved.html, /value="days" checked/);
    assert.match(saved.html, /name="retentionDays"[^>]*value="90"/);

    // The API's rule: whole days from 1 to 36,500. Nothing changes on a refusal.
    for (const days of ["0", "-3", "1.5", "36501", "abc", "", "1e9"]) {
      res = await s.post("/admin/settings/retention", { retention: "days", retentionDays: days });
      assert.equal(res.status, 400, days);
      const html = await res.text();
      assert.match(html, /a whole number from 1 to 36,500/, days);
      assert.match(html, /aria-invalid="true"/, days);
    }
    assert.equal(await current(), 90);

    // "Keep forever" ignores any number typed.
    res = await s.post("/admin/settings/retention", { retention: "forever", retentionDays: "7" });
    assert.equal(res.status, 303);
    assert.equal(await current(), null);

    // CSRF: no token, a wrong one, or another origin is refused.
    for (
      const options of [{ csrf: null }, { csrf: "forged" }, { origin: "https://evil.example" }]
    ) {
      res = await s.post(
        "/admin/settings/retention",
        { retention: "days", retentionDays: "1" },
        options,
      );
      assert.equal(res.status, 403, JSON.stringify(options));
      await res.body?.cancel();
    }
    assert.equal(await current(), null);
  },
);

dbTest("/admin/settings retention is for owners and admins: a member gets 403", async (t) => {
  const owner = await registerAdmin(t);
  const member = await addTeammate(t, owner.token, "member");
  const s = new AdminSession(t);
  await s.page("/admin/login");
  const login = await s.post("/admin/login", {
    email: member.email,
    password: "teammate password",
  });
  assert.equal(login.status, 303);
  assert.equal((await s.get("/admin/settings")).status, 403);
  const res = await s.post("/admin/settings/retention", { retention: "days", retentionDays: "1" });
  assert.equal(res.status, 403);
  await res.body?.cancel();
  const org = await t.put("/api/organization", {}, owner.token);
  assert.equal((await org.json()).retentionDays, null);
});
