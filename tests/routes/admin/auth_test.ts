import assert from "node:assert/strict";
import { dbTest, registerAdmin, testConfig, uniqueEmail } from "../../helpers/test_app.ts";
import { signVisitorToken } from "../../../lib/tokens.ts";
import { AdminSession, ORIGIN, signUp } from "./browser_session.ts";

dbTest("GET /admin/login renders the form with security headers and a CSRF nonce", async (t) => {
  const s = new AdminSession(t);
  const { res, html } = await s.page("/admin/login");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /text\/html/);
  assert.match(html, /^<!doctype html>/);
  assert.match(html, /<form method="post" action="\/admin\/login"/);
  assert.ok(s.csrf, "the form carries a CSRF token");
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.doesNotMatch(csp, /script-src[^;]*unsafe/);
  assert.equal(res.headers.get("x-content-type-options"), "nosniff");
  assert.equal(res.headers.get("referrer-policy"), "same-origin");
  assert.equal(res.headers.get("x-frame-options"), "DENY");
  assert.equal(res.headers.get("cache-control"), "no-store");
  const nonce = s.lastSetCookie.find((c) => c.startsWith("parley_csrf="));
  assert.ok(nonce, "a pre-session cookie is set");
  assert.match(nonce, /HttpOnly/);
  assert.match(nonce, /SameSite=Lax/);
  assert.match(nonce, /Path=\/admin/);
});

dbTest("POST /admin/signup creates the account and a HttpOnly Lax session cookie", async (t) => {
  const s = new AdminSession(t);
  const email = uniqueEmail();
  await s.page("/admin/signup");
  const res = await s.post("/admin/signup", {
    email: email.toUpperCase(),
    password: "long enough password",
    organizationName: "Acme Widgets",
  });
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/admin/agents/new?notice=welcome");
  const cookie = s.lastSetCookie.find((c) => c.startsWith("parley_admin="));
  assert.ok(cookie, "the session cookie is set");
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Lax/);
  assert.match(cookie, /Path=\/admin/);
  assert.doesNotMatch(cookie, /Secure/, "plain http: no Secure, or the browser would drop it");
  const page = await s.page(res.headers.get("location")!);
  assert.equal(page.res.status, 200);
  assert.match(page.html, /Acme Widgets/);
  assert.match(page.html, new RegExp(email));
  assert.match(page.html, /Welcome to Parley/);
  // The same account signs in through the JSON API: one user table, one password.
  const api = await t.post("/api/auth/login", { email, password: "long enough password" });
  assert.equal(api.status, 200);
});

dbTest("the session cookie is Secure when the site is reached over https", async (t) => {
  for (
    const [url, headers] of [
      ["https://parley.test/admin/signup", {}],
      ["http://parley.test/admin/signup", { "x-forwarded-proto": "https" }],
    ] as const
  ) {
    const get = await t.app.request(url, { headers });
    const nonce = get.headers.getSetCookie().find((c) => c.startsWith("parley_csrf="))!;
    assert.match(nonce, /Secure/);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await get.text())![1];
    const res = await t.app.request(url, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: new URL(url).origin,
        cookie: nonce.split(";")[0],
        ...headers,
      },
      body: new URLSearchParams({
        _csrf: csrf,
        email: uniqueEmail(),
        password: "long enough password",
        organizationName: "Secure Co",
      }),
    });
    assert.equal(res.status, 303, url);
    const session = res.headers.getSetCookie().find((c) => c.startsWith("parley_admin="))!;
    assert.match(session, /Secure/, url);
    assert.match(session, /HttpOnly/);
  }
});

dbTest("POST /admin/signup re-renders the form with messages on bad input", async (t) => {
  const s = new AdminSession(t);
  await s.page("/admin/signup");
  const cases: [Record<string, string>, RegExp][] = [
    [{ email: "not-an-email", password: "long enough", organizationName: "A" }, /Enter an email/],
    [{ email: uniqueEmail(), password: "short", organizationName: "A" }, /at least 8 characters/],
    [{ email: uniqueEmail(), password: "long enough", organizationName: "  " }, /is required/],
  ];
  for (const [form, message] of cases) {
    const res = await s.post("/admin/signup", form);
    assert.equal(res.status, 400, JSON.stringify(form));
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    const html = await res.text();
    assert.match(html, message);
    assert.match(html, /aria-invalid="true"/);
    assert.doesNotMatch(html, /long enough/, "the password is never echoed back");
    assert.ok(html.includes(`value="${form.email}"`), "the email is kept");
  }
  const taken = await signUp(t);
  const dup = await s.post("/admin/signup", {
    email: taken.email,
    password: "long enough password",
    organizationName: "Copycat",
  });
  assert.equal(dup.status, 400);
  assert.match(await dup.text(), /already exists/);
});

dbTest(
  "POST /admin/login signs in with the right password only, and follows a safe next",
  async (t) => {
    const { email } = await signUp(t);
    const s = new AdminSession(t);
    await s.page("/admin/login");
    for (
      const form of [{ email, password: "wrong password" }, { email: uniqueEmail(), password: "x" }]
    ) {
      const res = await s.post("/admin/login", form);
      assert.equal(res.status, 401);
      const html = await res.text();
      assert.match(html, /Email or password is incorrect/);
      assert.equal(s.cookies.has("parley_admin"), false);
    }
    const cases: [string, string][] = [
      ["/admin/widgets?notice=saved", "/admin/widgets?notice=saved"],
      ["//evil.example/admin", "/admin/conversations"],
      ["https://evil.example/", "/admin/conversations"],
      ["/admin//evil.example", "/admin/conversations"],
      ["/api/agents", "/admin/conversations"],
    ];
    for (const [next, expected] of cases) {
      const fresh = new AdminSession(t);
      await fresh.page(`/admin/login?next=${encodeURIComponent(next)}`);
      const res = await fresh.post("/admin/login", {
        email: email.toUpperCase(),
        password: "correct horse battery",
        next,
      });
      assert.equal(res.status, 303, next);
      assert.equal(res.headers.get("location"), expected, next);
      assert.ok(fresh.cookies.has("parley_admin"));
    }
  },
);

dbTest(
  "admin pages refuse form posts without a valid CSRF token or from another origin",
  async (t) => {
    const s = await signUp(t);
    const other = await signUp(t);
    const attempts: [string, Parameters<AdminSession["post"]>[2]][] = [
      ["no token", { csrf: null }],
      ["a made-up token", { csrf: "A".repeat(43) }],
      ["another session's token", { csrf: other.csrf }],
      ["another origin", { origin: "http://evil.example" }],
      ["a null origin", { origin: "null" }],
    ];
    for (const [what, options] of attempts) {
      const res = await s.post("/admin/agents", { name: "Forged" }, options);
      assert.equal(res.status, 403, what);
      assert.match(res.headers.get("content-type") ?? "", /text\/html/, what);
    }
    const pre = new AdminSession(t);
    await pre.page("/admin/login");
    const login = await pre.post("/admin/login", {
      email: s.email,
      password: "correct horse battery",
    }, {
      csrf: null,
    });
    assert.equal(login.status, 403, "sign-in needs the pre-session token too (login CSRF)");
    const list = await s.page("/admin/agents");
    assert.doesNotMatch(list.html, /Forged/, "nothing was created");
    const ok = await s.post("/admin/agents", { name: "Real" });
    assert.equal(ok.status, 303, "the page's own token works");
  },
);

dbTest("admin pages need the session cookie; bad cookies go to the sign-in page", async (t) => {
  const s = new AdminSession(t);
  const anonymous = await s.get("/admin/agents?x=1");
  assert.equal(anonymous.status, 303);
  assert.equal(anonymous.headers.get("location"), "/admin/login?next=%2Fadmin%2Fagents%3Fx%3D1");

  const { token, organizationId } = await registerAdmin(t);
  const visitor = (await signVisitorToken(t.deps.config.jwtSecret, {
    visitorId: "v_12345678",
    widgetId: crypto.randomUUID(),
    organizationId,
    agentId: crypto.randomUUID(),
  })).token;
  const [h, p] = token.split(".");
  for (const bad of ["garbage", visitor, `${h}.${p}.${"A".repeat(43)}`]) {
    const res = await t.request("/admin/widgets", { headers: { cookie: `parley_admin=${bad}` } });
    assert.equal(res.status, 303, bad);
    assert.match(res.headers.get("location") ?? "", /^\/admin\/login/);
    assert.ok(res.headers.getSetCookie().some((c) => /^parley_admin=;/.test(c)), "cleared");
  }
  // A Bearer token is for the JSON API; pages only take the cookie.
  const bearer = await t.request("/admin/widgets", {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(bearer.status, 303);
  const good = await t.request("/admin/widgets", { headers: { cookie: `parley_admin=${token}` } });
  assert.equal(good.status, 200);
});

dbTest("POST /admin/logout clears the session, and needs the CSRF token", async (t) => {
  const s = await signUp(t);
  const forged = await s.post("/admin/logout", {}, { csrf: null });
  assert.equal(forged.status, 403);
  assert.ok(s.cookies.has("parley_admin"));
  const res = await s.post("/admin/logout", {});
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/admin/login?notice=signed-out");
  assert.equal(s.cookies.has("parley_admin"), false);
  const after = await s.get("/admin/agents");
  assert.equal(after.status, 303);
});

dbTest("POST /admin/token hands the signed-in page a Bearer token for the API", async (t) => {
  const s = await signUp(t, { organizationName: "Token Co" });
  const call = (headers: Record<string, string>) =>
    t.request("/admin/token", {
      method: "POST",
      headers: { cookie: `parley_admin=${s.cookies.get("parley_admin")}`, ...headers },
    });
  const refused = await call({});
  assert.equal(refused.status, 403);
  const crossSite = await call({ "x-csrf-token": s.csrf!, origin: "http://evil.example" });
  assert.equal(crossSite.status, 403, "another origin is refused even with the token");
  const res = await call({ "x-csrf-token": s.csrf!, origin: ORIGIN });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const { token } = await res.json();
  const me = await t.get("/api/auth/me", token);
  assert.equal(me.status, 200);
  assert.equal((await me.json()).organization.name, "Token Co");
});

dbTest("unknown admin paths answer an HTML 404", async (t) => {
  const s = await signUp(t);
  for (
    const path of [
      "/admin/nope",
      "/admin/agents/not-a-uuid",
      `/admin/widgets/${crypto.randomUUID()}`,
    ]
  ) {
    const res = await s.get(path);
    assert.equal(res.status, 404, path);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await res.text(), /Page not found/);
  }
});

dbTest(
  "admin sign-in shares the API's rate limit per IP and locks an email after failed attempts",
  async (t) => {
    const { email } = await signUp(t);
    const s = new AdminSession(t);
    await s.page("/admin/login");
    for (let i = 0; i < 2; i++) {
      const res = await s.post("/admin/login", { email, password: "wrong password" });
      assert.equal(res.status, 401);
    }
    const locked = await s.post("/admin/login", { email, password: "correct horse battery" });
    assert.equal(locked.status, 429);
    assert.ok(Number(locked.headers.get("retry-after")) > 0);
    assert.match(locked.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await locked.text(), /Too many failed attempts for this account/);
    assert.equal(s.cookies.has("parley_admin"), false, "no session while locked");

    // Each sign-up and sign-in post spends the per-IP budget (4 here, all spent above).
    const flood = await s.post("/admin/login", { email, password: "x" });
    assert.equal(flood.status, 429);
    assert.match(await flood.text(), /Slow down/);
    const api = await t.post("/api/auth/login", { email, password: "correct horse battery" });
    assert.equal(api.status, 429, "the JSON API and the pages draw on the same budget");
  },
  {
    config: {
      limits: { ...testConfig().limits, authPerMinute: 4, loginFailuresPerQuarterHour: 2 },
    },
  },
);
