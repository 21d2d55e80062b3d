import assert from "node:assert/strict";
import { createAgentAndWidget, dbTest, registerAdmin } from "../helpers/test_app.ts";
import { verifyVisitorToken } from "../../lib/tokens.ts";

dbTest("POST /embed/auth issues a visitor token scoped to the widget", async (t) => {
  const { token, organizationId } = await registerAdmin(t);
  const { widget, agent } = await createAgentAndWidget(t, token, { welcomeMessage: "Welcome!" });
  const res = await t.post("/embed/auth", { widgetId: widget.id, domain: "example.com" });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.match(body.visitorId, /^v_[A-Za-z0-9_-]{20,}$/);
  assert.equal(body.agentId, agent.id);
  assert.equal(body.themeColor, "#0088FF");
  assert.equal(body.headerText, "Chat with us");
  assert.equal(body.welcomeMessage, "Welcome!");
  assert.ok(Date.parse(body.expiresAt) > Date.now());
  const claims = await verifyVisitorToken(t.deps.config.jwtSecret, body.token);
  assert.deepEqual(claims, {
    visitorId: body.visitorId,
    widgetId: widget.id,
    organizationId,
    agentId: agent.id,
  });

  const again = await (await t.post("/embed/auth", {
    widgetId: widget.id,
    domain: "example.com",
    visitorId: body.visitorId,
  })).json();
  assert.equal(again.visitorId, body.visitorId, "a returning visitor keeps their id");
});

dbTest("POST /embed/auth applies the domain allowlist", async (t) => {
  const { token } = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, token, {
    allowedDomains: ["shop.example", "*.example.com"],
  });
  const cases: [string, number][] = [
    ["shop.example", 200],
    ["SHOP.example", 200],
    ["shop.example:8443", 200],
    ["https://shop.example/page", 200],
    ["a.example.com", 200],
    ["a.b.example.com", 200],
    ["example.com", 403],
    ["evil-example.com", 403],
    ["example.com.evil.net", 403],
    ["shop.example.evil", 403],
    ["other.test", 403],
  ];
  for (const [domain, status] of cases) {
    const res = await t.post("/embed/auth", { widgetId: widget.id, domain });
    assert.equal(res.status, status, domain);
    if (status === 403) assert.equal((await res.json()).error.code, "forbidden");
  }
  const open = await createAgentAndWidget(t, token, { allowedDomains: [] });
  const any = await t.post("/embed/auth", { widgetId: open.widget.id, domain: "anything.test" });
  assert.equal(any.status, 200, "an empty list allows any domain");
});

dbTest("POST /embed/auth checks a foreign Origin against the allowlist too", async (t) => {
  const { token } = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, token, { allowedDomains: ["shop.example"] });
  const body = { widgetId: widget.id, domain: "shop.example" };
  const cases: [string | undefined, number][] = [
    [undefined, 200],
    ["http://parley.test", 200],
    ["https://shop.example", 200],
    ["https://evil.test", 403],
  ];
  for (const [origin, status] of cases) {
    const res = await t.post("/embed/auth", body, undefined, origin ? { origin } : {});
    assert.equal(res.status, status, String(origin));
  }
});

dbTest("POST /embed/auth refuses unknown and inactive widgets and bad input", async (t) => {
  const { token } = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, token, { isActive: false });
  const inactive = await t.post("/embed/auth", { widgetId: widget.id, domain: "example.com" });
  assert.equal(inactive.status, 403);
  for (const widgetId of [crypto.randomUUID(), "widget-123", "' or 1=1 --"]) {
    const res = await t.post("/embed/auth", { widgetId, domain: "example.com" });
    assert.equal(res.status, 404, widgetId);
    assert.equal((await res.json()).error.code, "not_found");
  }
  const invalid: unknown[] = [
    { widgetId: widget.id },
    { domain: "example.com" },
    { widgetId: widget.id, domain: "example.com", visitorId: "<script>" },
    { widgetId: widget.id, domain: "example.com", extra: 1 },
    [],
    "null",
  ];
  for (const body of invalid) {
    const res = await t.post("/embed/auth", body);
    assert.equal(res.status, 400, JSON.stringify(body));
  }
});

dbTest("GET /embed/config/:widgetId returns public configuration only", async (t) => {
  const { token } = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, token, {
    allowedDomains: ["secret-customer.example"],
    position: "bottom-left",
    themeColor: "#FF5500",
  });
  const res = await t.get(`/embed/config/${widget.id}`);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("access-control-allow-origin"), "*");
  const body = await res.json();
  assert.equal(body.id, widget.id);
  assert.equal(body.position, "bottom-left");
  assert.equal(body.themeColor, "#FF5500");
  assert.equal(body.welcomeMessage, "Hello! How can I help you today?");
  assert.equal(body.allowedDomains, undefined);
  assert.equal(body.organizationId, undefined);

  await t.put(`/api/widgets/${widget.id}`, { isActive: false }, token);
  assert.equal((await t.get(`/embed/config/${widget.id}`)).status, 404);
  assert.equal((await t.get(`/embed/config/${crypto.randomUUID()}`)).status, 404);
  assert.equal((await t.get("/embed/config/nope")).status, 404);
});

dbTest(
  "GET /embed/config/:widgetId refuses a page on a domain the widget does not allow",
  async (t) => {
    const { token } = await registerAdmin(t);
    const { widget } = await createAgentAndWidget(t, token, { allowedDomains: ["shop.example"] });
    const cases: [string | undefined, number][] = [
      [undefined, 200],
      ["https://shop.example", 200],
      ["http://parley.test", 200],
      ["https://evil.test", 403],
    ];
    for (const [origin, status] of cases) {
      const res = await t.request(`/embed/config/${widget.id}`, {
        headers: origin ? { origin } : {},
      });
      assert.equal(res.status, status, String(origin));
      assert.equal(
        res.headers.get("access-control-allow-origin"),
        "*",
        "the loader can read the answer",
      );
      if (status === 200) assert.match(res.headers.get("vary") ?? "", /Origin/);
      await res.body?.cancel();
    }
  },
);
