import assert from "node:assert/strict";
import { SignJWT, UnsecuredJWT } from "jose";
import {
  createAgentAndWidget,
  dbTest,
  registerAdmin,
  setupVisitor,
  type TestApp,
  useDeploymentRetell,
} from "../helpers/test_app.ts";
import { type FakeRetell, startFakeRetell } from "../helpers/fake_retell.ts";
import { createRetellAgent } from "../../agents/retell.ts";

/** A host server signing an identity token with its widget's secret. */
function sign(
  secret: string,
  claims: Record<string, unknown> = {},
  options: { expiresIn?: string | number; alg?: string } = {},
) {
  const jwt = new SignJWT({ sub: "user-42", ...claims })
    .setProtectedHeader({ alg: options.alg ?? "HS256" })
    .setIssuedAt();
  if (options.expiresIn !== undefined) jwt.setExpirationTime(options.expiresIn);
  else jwt.setExpirationTime("10m");
  return jwt.sign(new TextEncoder().encode(secret));
}

async function newSecret(t: TestApp, widgetId: string, token: string): Promise<string> {
  const res = await t.post(`/api/widgets/${widgetId}/identity-secret`, {}, token);
  assert.equal(res.status, 201);
  assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  const { secret } = await res.json();
  assert.match(secret, /^pis_[A-Za-z0-9_-]{40,}$/);
  return secret;
}

const auth = (t: TestApp, widgetId: string, extra: Record<string, unknown> = {}) =>
  t.post("/embed/auth", { widgetId, domain: "example.com", ...extra });

dbTest("POST /api/widgets/:id/identity-secret rotates: the old secret stops working", async (t) => {
  const admin = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, admin.token);
  assert.equal(widget.hasIdentitySecret, false);
  const first = await newSecret(t, widget.id, admin.token);
  const ok = await auth(t, widget.id, { identityToken: await sign(first) });
  assert.equal(ok.status, 200);

  const second = await newSecret(t, widget.id, admin.token);
  assert.notEqual(first, second);
  const stale = await auth(t, widget.id, { identityToken: await sign(first) });
  assert.equal(stale.status, 401);
  assert.equal((await stale.json()).error.code, "identity_invalid");
  assert.equal((await auth(t, widget.id, { identityToken: await sign(second) })).status, 200);

  const shown = await (await t.get(`/api/widgets/${widget.id}`, admin.token)).json();
  assert.equal(shown.hasIdentitySecret, true);
  assert.ok(!JSON.stringify(shown).includes(second), "the secret is shown only once");
});

dbTest(
  "POST /api/widgets/:id/identity-secret: another organization or a visitor cannot",
  async (t) => {
    const v = await setupVisitor(t);
    const stranger = await registerAdmin(t, "Other");
    const other = await t.post(`/api/widgets/${v.widget.id}/identity-secret`, {}, stranger.token);
    assert.equal(other.status, 404);
    const visitor = await t.post(`/api/widgets/${v.widget.id}/identity-secret`, {}, v.visitorToken);
    assert.equal(visitor.status, 401);
    const widget = await (await t.get(`/api/widgets/${v.widget.id}`, v.admin.token)).json();
    assert.equal(widget.hasIdentitySecret, false);
  },
);

dbTest(
  "/embed/auth with an identity token: u_<sub>, verified, the same visitor on any device",
  async (t) => {
    const admin = await registerAdmin(t);
    const { widget } = await createAgentAndWidget(t, admin.token);
    const secret = await newSecret(t, widget.id, admin.token);
    const token = await sign(secret, {
      name: "Ada Lovelace",
      email: "Ada@Example.com",
      phone: "+14155552671",
    });

    const first = await auth(t, widget.id, { identityToken: token });
    assert.equal(first.status, 200);
    const a = await first.json();
    assert.equal(a.visitorId, "u_user-42");
    assert.equal(a.verified, true);

    const created = await t.post("/api/chat/sessions", {}, a.token);
    assert.equal(created.status, 201);
    const session = await created.json();
    assert.deepEqual(session.visitor, {
      id: "u_user-42",
      verified: true,
      name: "Ada Lovelace",
      email: "ada@example.com",
      phone: "+14155552671",
    });

    // A second device: no stored visitor id, only a fresh token from the host.
    const second = await auth(t, widget.id, { identityToken: await sign(secret) });
    const b = await second.json();
    assert.equal(b.visitorId, "u_user-42");
    const listed = await (await t.get("/api/chat/sessions", b.token)).json();
    assert.deepEqual(listed.sessions.map((s: { id: string }) => s.id), [session.id]);
    const read = await t.get(`/api/chat/sessions/${session.id}`, b.token);
    assert.equal(read.status, 200);
  },
);

dbTest("/embed/auth: an anonymous visitor cannot claim a u_ id", async (t) => {
  const admin = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, admin.token);
  const secret = await newSecret(t, widget.id, admin.token);
  const real = await (await auth(t, widget.id, { identityToken: await sign(secret) })).json();
  const session = await (await t.post("/api/chat/sessions", {}, real.token)).json();

  const res = await auth(t, widget.id, { visitorId: "u_user-42" });
  assert.equal(res.status, 200);
  const fake = await res.json();
  assert.notEqual(fake.visitorId, "u_user-42");
  assert.equal(fake.verified, false);
  assert.equal((await t.get(`/api/chat/sessions/${session.id}`, fake.token)).status, 404);
});

/** Every way an identity token can be wrong, each a 401 identity_invalid and never a 500. */
dbTest("/embed/auth refuses bad identity tokens with 401 identity_invalid", async (t) => {
  const admin = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, admin.token);
  const { widget: otherWidget } = await createAgentAndWidget(t, admin.token);
  const secret = await newSecret(t, widget.id, admin.token);
  const otherSecret = await newSecret(t, otherWidget.id, admin.token);
  const enc = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, "");
  const [h, p] = (await sign(secret)).split(".");
  const cases: [string, string][] = [
    ["wrong signature", await sign("not-the-secret-not-the-secret-1234")],
    [
      "tampered payload",
      `${h}.${enc({ sub: "admin", exp: 9999999999 })}.${(await sign(secret)).split(".")[2]}`,
    ],
    ["expired", await sign(secret, {}, { expiresIn: Math.floor(Date.now() / 1000) - 60 })],
    ["another widget's secret", await sign(otherSecret)],
    ["alg none", new UnsecuredJWT({ sub: "user-42", exp: 9999999999 }).encode()],
    ["alg none, signature kept", `${enc({ alg: "none", typ: "JWT" })}.${p}.`],
    ["HS512", await sign(secret.padEnd(64, "x"), {}, { alg: "HS512" })],
    [
      "no exp",
      await new SignJWT({ sub: "user-42" }).setProtectedHeader({ alg: "HS256" }).sign(
        new TextEncoder().encode(secret),
      ),
    ],
    [
      "no sub",
      await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setExpirationTime("5m").sign(
        new TextEncoder().encode(secret),
      ),
    ],
    ["huge name", await sign(secret, { name: "A".repeat(5000) })],
    ["name over 200 characters", await sign(secret, { name: "A".repeat(201) })],
    ["huge sub", await sign(secret, { sub: "x".repeat(99) })],
    ["sub with spaces", await sign(secret, { sub: "user 42" })],
    ["bad email", await sign(secret, { email: "not-an-email" })],
    ["bad phone", await sign(secret, { phone: "555-1234" })],
    ["numeric sub", await sign(secret, { sub: 42 })],
    ["garbage", "not.a.jwt"],
    ["empty segments", ".."],
    ["huge token", "a".repeat(60_000)],
  ];
  for (const [name, identityToken] of cases) {
    const res = await auth(t, widget.id, { identityToken });
    assert.equal(res.status, 401, name);
    assert.equal((await res.json()).error.code, "identity_invalid", name);
  }
  // A widget without a secret accepts no identity token at all.
  const res = await auth(t, otherWidget.id, { identityToken: await sign(secret) });
  assert.equal(res.status, 401);
});

dbTest("requireIdentity refuses anonymous visitors with 403 identity_required", async (t) => {
  const admin = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, admin.token, { requireIdentity: true });
  assert.equal(widget.requireIdentity, true);
  const anonymous = await auth(t, widget.id);
  assert.equal(anonymous.status, 403);
  assert.equal((await anonymous.json()).error.code, "identity_required");
  const secret = await newSecret(t, widget.id, admin.token);
  const signed = await auth(t, widget.id, { identityToken: await sign(secret) });
  assert.equal(signed.status, 200);
  const config = await (await t.get(`/embed/config/${widget.id}`)).json();
  assert.equal(config.requireIdentity, true);
});

/** A visitor of a widget on the fake Retell, with an agent that chats and calls. */
function retellTest(name: string, fn: (t: TestApp, fake: FakeRetell) => Promise<void>) {
  dbTest(name, async (t) => {
    const fake = await startFakeRetell();
    try {
      t.deps.agent = createRetellAgent({
        apiKey: fake.apiKey,
        baseUrl: fake.url,
        timeoutMs: 2000,
        maxRetries: 0,
      });
      // Agent ids are checked against the account the organization uses (SPEC v2.2).
      useDeploymentRetell(t, fake);
      await fn(t, fake);
    } finally {
      await fake.close();
    }
  }, { config: { retellApiKey: "key_test_fake_retell" } });
}

const RETELL_AGENT = { retellChatAgentId: "agent_chat_test", retellAgentId: "agent_voice_test" };
const CONTEXT = {
  plan: "pro",
  page_url: "https://shop.example/cart?token=secret#top",
  page_title: "Your cart",
  customer_name: "Mallory",
};

retellTest(
  "Retell gets verified identity and page context as dynamic variables (chat and call)",
  async (t, fake) => {
    const admin = await registerAdmin(t);
    const { widget } = await createAgentAndWidget(
      t,
      admin.token,
      { voiceMode: "web" },
      RETELL_AGENT,
    );
    const secret = await newSecret(t, widget.id, admin.token);
    const identityToken = await sign(secret, {
      name: "Ada",
      email: "ada@example.com",
      phone: "+14155552671",
    });
    const v = await (await auth(t, widget.id, { identityToken })).json();
    const created = await t.post("/api/chat/sessions", { metadata: { context: CONTEXT } }, v.token);
    assert.equal(created.status, 201);
    const session = await created.json();
    assert.equal(session.metadata.context.page_url, "https://shop.example/cart");
    assert.equal(
      (await t.post(`/api/chat/sessions/${session.id}/messages`, { content: "hi" }, v.token))
        .status,
      201,
    );

    const [chat] = fake.requestsTo("/create-chat", "POST");
    const expected = {
      plan: "pro",
      page_url: "https://shop.example/cart",
      page_title: "Your cart",
      chat_session_id: session.id,
      customer_id: "u_user-42",
      customer_name: "Ada",
      customer_email: "ada@example.com",
      customer_phone: "+14155552671",
    };
    assert.deepEqual((chat.body as Record<string, unknown>).retell_llm_dynamic_variables, expected);

    const call = await t.post(`/api/chat/sessions/${session.id}/voice`, { mode: "web" }, v.token);
    assert.equal(call.status, 201);
    const [web] = fake.requestsTo("/v2/create-web-call", "POST");
    const vars = (web.body as Record<string, Record<string, string>>).retell_llm_dynamic_variables;
    assert.equal(vars.customer_name, "Ada");
    assert.equal(vars.customer_id, "u_user-42");
    assert.equal(vars.page_url, "https://shop.example/cart");
    assert.equal(vars.plan, "pro");
    assert.match(vars.chat_transcript, /User: hi/);
  },
);

retellTest(
  "Retell never gets unverified identity: context cannot pose as customer_*",
  async (t, fake) => {
    const v = await setupVisitor(t, { voiceMode: "web" }, RETELL_AGENT);
    const session =
      await (await t.post("/api/chat/sessions", { metadata: { context: CONTEXT } }, v.visitorToken))
        .json();
    assert.equal(session.visitor.verified, false);
    await t.post(`/api/chat/sessions/${session.id}/messages`, { content: "hi" }, v.visitorToken);
    const [chat] = fake.requestsTo("/create-chat", "POST");
    const vars = (chat.body as Record<string, Record<string, string>>).retell_llm_dynamic_variables;
    assert.deepEqual(Object.keys(vars).filter((k) => k.startsWith("customer_")), []);
    assert.equal(vars.plan, "pro");
  },
);

dbTest("page context: string values, at most 2 KB of JSON, variable-like keys", async (t) => {
  const v = await setupVisitor(t);
  const bad: unknown[] = [
    { plan: 3 },
    { "bad key": "x" },
    { big: "x".repeat(2100) },
    ["a"],
  ];
  for (const context of bad) {
    const res = await t.post("/api/chat/sessions", { metadata: { context } }, v.visitorToken);
    assert.equal(res.status, 400, JSON.stringify(context).slice(0, 40));
    assert.equal((await res.json()).error.code, "validation_failed");
  }
  const ok = await t.post(
    "/api/chat/sessions",
    { metadata: { context: { a: "b" } } },
    v.visitorToken,
  );
  const session = await ok.json();
  const put = await t.put(
    `/api/chat/sessions/${session.id}`,
    { metadata: { context: { page_url: "javascript:alert(1)", page_title: "T" } } },
    v.visitorToken,
  );
  assert.equal(put.status, 200);
  assert.deepEqual((await put.json()).metadata.context, { page_title: "T" });
});
