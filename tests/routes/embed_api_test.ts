import assert from "node:assert/strict";
import { createAgentAndWidget, dbTest, registerAdmin, type TestApp } from "../helpers/test_app.ts";
import { verifyVisitorToken } from "../../lib/tokens.ts";
import { visitors } from "../../db/schema.ts";
import { eq } from "drizzle-orm";

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
    visitorKey: body.visitorKey,
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
  "GET /embed/config/:widgetId gives the loader its launcher: labels in the page's language, colours worked out",
  async (t) => {
    const { token } = await registerAdmin(t);
    const { widget } = await createAgentAndWidget(t, token, { themeColor: "#FACC15" });
    const launcher = async (query: string, headers: Record<string, string> = {}) => {
      const res = await t.request(`/embed/config/${widget.id}${query}`, { headers });
      assert.equal(res.status, 200, query);
      return (await res.json()).launcher;
    };
    // Nothing asked: English, the widget's colour; yellow takes the dark icon (white is 1.5:1).
    assert.deepEqual(await launcher(""), {
      locale: "en",
      color: "#FACC15",
      iconColor: "#111827",
      labels: {
        open: "Open chat",
        close: "Close chat",
        unread: "Open chat, {n} unread",
        dismiss: "Dismiss message",
      },
    });
    // The page's locale wins over the browser's; the browser's wins over English.
    const fr = await launcher("?locale=fr-CA", { "accept-language": "de" });
    assert.equal(fr.locale, "fr");
    assert.equal(fr.labels.open, "Ouvrir le chat");
    assert.equal(fr.labels.unread, "Ouvrir le chat, messages non lus : {n}");
    assert.equal(
      (await launcher("", { "accept-language": "ar-EG, en;q=0.5" })).labels.close,
      "إغلاق المحادثة",
    );
    assert.equal((await launcher("?locale=sv", { "accept-language": "ja" })).locale, "ja");
    // The page's colour wins when it is one; a dark colour takes the white icon.
    const page = await launcher("?themeColor=%23123456");
    assert.deepEqual([page.color, page.iconColor], ["#123456", "#ffffff"]);
    // Whatever else a page sends (its other presentation options, junk) changes nothing and
    // is never echoed: the answer holds only checked values.
    for (
      const q of [
        "?themeColor=red;background:url(https://evil.test/x)",
        "?themeColor=%230088FF%22%3E%3Cscript%3E",
        "?themeColor=0088FF",
        "?locale=%3Cscript%3Ealert(1)%3C/script%3E&themeColor=",
        "?locale=" + "x".repeat(5000),
        "?headerText=%3Cb%3Ehi&welcomeMessage=x&colorScheme=dark&id=nope",
        "?locale=fr&locale=de",
      ]
    ) {
      const l = await launcher(q);
      assert.equal(l.color, "#FACC15", q);
      assert.ok(["en", "fr"].includes(l.locale), q);
      assert.ok(!JSON.stringify(l).includes("script") && !JSON.stringify(l).includes("evil"), q);
    }
    // The owner's stored locale comes between the page's and the browser's.
    const put = await t.put(`/api/widgets/${widget.id}`, { locale: "es" }, token);
    assert.equal(put.status, 200);
    await put.body?.cancel();
    assert.equal((await launcher("", { "accept-language": "de" })).labels.open, "Abrir el chat");
    assert.equal((await launcher("?locale=it", { "accept-language": "de" })).locale, "it");
    // The answer depends on the language the browser sends: shared caches must key on it.
    const res = await t.get(`/embed/config/${widget.id}`);
    assert.match(res.headers.get("vary") ?? "", /Accept-Language/);
    await res.body?.cancel();
  },
);

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

/** `/embed/auth` for a widget on a domain, as JSON. */
async function auth(t: TestApp, body: Record<string, unknown>) {
  const res = await t.post("/embed/auth", { domain: "www.shop.example", ...body });
  assert.equal(res.status, 200, await res.clone().text());
  return await res.json() as {
    token: string;
    visitorId: string;
    visitorKey?: string;
    sealedVisitor?: string;
  };
}

/** A visitor with a conversation: its id, key, token and session. */
async function visitorWithSession(t: TestApp, widgetId: string) {
  const v = await auth(t, { widgetId });
  const session = await (await t.post("/api/chat/sessions", {}, v.token)).json();
  await t.post(
    `/api/chat/sessions/${session.id}/messages`,
    { content: "my card is 4111" },
    v.token,
  );
  return { ...v, sessionId: session.id as string };
}

async function shopWidget(t: TestApp) {
  const { token } = await registerAdmin(t);
  return (await createAgentAndWidget(t, token, { allowedDomains: ["*.shop.example"] })).widget;
}

dbTest(
  "POST /embed/auth gives a new visitor a visitorKey of 256 random bits, stored only as a hash",
  async (t) => {
    const widget = await shopWidget(t);
    const a = await auth(t, { widgetId: widget.id });
    const b = await auth(t, { widgetId: widget.id });
    for (const v of [a, b]) assert.match(v.visitorKey!, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(a.visitorKey, b.visitorKey);
    const rows = await t.deps.database.db.select().from(visitors)
      .where(eq(visitors.widgetId, widget.id));
    assert.equal(rows.length, 2);
    const stored = JSON.stringify(rows);
    assert.ok(!stored.includes(a.visitorKey!) && !stored.includes(b.visitorKey!));
    assert.match(rows[0].keyHash, /^[0-9a-f]{64}$/);
  },
);

dbTest("POST /embed/auth resumes a visitor with its visitorId and visitorKey", async (t) => {
  const widget = await shopWidget(t);
  const v = await visitorWithSession(t, widget.id);
  const again = await auth(t, {
    widgetId: widget.id,
    visitorId: v.visitorId,
    visitorKey: v.visitorKey,
  });
  assert.equal(again.visitorId, v.visitorId);
  assert.equal(again.visitorKey, undefined, "the key is returned only when the visitor is new");
  const res = await t.get(`/api/chat/sessions/${v.sessionId}/messages`, again.token);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).messages.at(-2).content, "my card is 4111");
});

dbTest(
  "POST /embed/auth gives a visitorId in use without its key a brand-new visitor, never its token",
  async (t) => {
    const widget = await shopWidget(t);
    const v = await visitorWithSession(t, widget.id);
    const other = await auth(t, { widgetId: widget.id });
    const claims: [string, Record<string, unknown>][] = [
      ["no key", { visitorId: v.visitorId }],
      ["a wrong key", { visitorId: v.visitorId, visitorKey: "A".repeat(43) }],
      ["another visitor's key", { visitorId: v.visitorId, visitorKey: other.visitorKey }],
      ["the key on a sibling subdomain", {
        visitorId: v.visitorId,
        visitorKey: v.visitorKey,
        domain: "evil.shop.example",
      }],
    ];
    const seen = new Set([v.visitorId, other.visitorId]);
    for (const [what, claim] of claims) {
      const got = await auth(t, { widgetId: widget.id, ...claim });
      assert.ok(!seen.has(got.visitorId), `${what}: a new visitor id`);
      seen.add(got.visitorId);
      assert.match(got.visitorKey!, /^[A-Za-z0-9_-]{43}$/, what);
      const claimsOf = await verifyVisitorToken(t.deps.config.jwtSecret, got.token);
      assert.equal(claimsOf?.visitorId, got.visitorId, what);
      const res = await t.get(`/api/chat/sessions/${v.sessionId}`, got.token);
      assert.equal(res.status, 404, `${what}: the old conversation stays hidden`);
      await res.body?.cancel();
    }
  },
);

dbTest("POST /embed/auth accepts a never-seen visitorId as the new visitor's id", async (t) => {
  const widget = await shopWidget(t);
  const chosen = "seed-client-" + crypto.randomUUID().slice(0, 8);
  const first = await auth(t, { widgetId: widget.id, visitorId: chosen });
  assert.equal(first.visitorId, chosen);
  assert.ok(first.visitorKey, "the one who chose the id gets its key");
  // Claiming it again, without the key, is someone else.
  const second = await auth(t, { widgetId: widget.id, visitorId: chosen });
  assert.notEqual(second.visitorId, chosen);
  // A key sent with a never-seen id proves nothing: the id is taken, the key is a new one.
  const fresh = "seed-client-" + crypto.randomUUID().slice(0, 8);
  const keyed = await auth(t, {
    widgetId: widget.id,
    visitorId: fresh,
    visitorKey: "B".repeat(43),
  });
  assert.equal(keyed.visitorId, fresh);
  assert.notEqual(keyed.visitorKey, "B".repeat(43));
  // Ids are per widget: the same id on another widget is another (never-seen) visitor.
  const otherWidget = await shopWidget(t);
  assert.equal((await auth(t, { widgetId: otherWidget.id, visitorId: chosen })).visitorId, chosen);
  // `u_` ids belong to verified visitors (identity tokens), never to a claim.
  assert.notEqual(
    (await auth(t, { widgetId: widget.id, visitorId: "u_customer-42" })).visitorId,
    "u_customer-42",
  );
});

dbTest(
  "POST /embed/auth: two pages claiming one never-seen id at once get one visitor each",
  async (t) => {
    const widget = await shopWidget(t);
    const chosen = "race-" + crypto.randomUUID().slice(0, 8);
    const both = await Promise.all(
      [1, 2].map(() => auth(t, { widgetId: widget.id, visitorId: chosen })),
    );
    assert.equal(both.filter((v) => v.visitorId === chosen).length, 1);
    assert.notEqual(both[0].visitorKey, both[1].visitorKey);
  },
);

dbTest(
  "POST /embed/auth treats ids of conversations from before visitor keys as in use",
  async (t) => {
    const widget = await shopWidget(t);
    const v = await visitorWithSession(t, widget.id);
    // As after the upgrade: sessions under the id, no key on record.
    await t.deps.database.db.delete(visitors).where(eq(visitors.id, v.visitorId));
    const got = await auth(t, { widgetId: widget.id, visitorId: v.visitorId });
    assert.notEqual(got.visitorId, v.visitorId);
    const res = await t.get(`/api/chat/sessions/${v.sessionId}`, got.token);
    assert.equal(res.status, 404);
    await res.body?.cancel();
  },
);

dbTest(
  "POST /embed/auth: the sealed visitor (the host page's copy) resumes only on its widget and host",
  async (t) => {
    const widget = await shopWidget(t);
    const v = await visitorWithSession(t, widget.id);
    const sealed = (await auth(t, { widgetId: widget.id })).sealedVisitor;
    assert.ok(sealed);
    const mine = (await auth(t, {
      widgetId: widget.id,
      visitorId: v.visitorId,
      visitorKey: v.visitorKey,
    })) as { sealedVisitor?: string };
    const copy = mine.sealedVisitor!;
    // Opaque to the page: neither the key, nor the id, nor anything JWT-shaped.
    assert.ok(!copy.includes(v.visitorKey!) && !copy.includes(v.visitorId));
    assert.doesNotMatch(copy, /eyJ/);

    const back = await auth(t, { widgetId: widget.id, sealedVisitor: copy });
    assert.equal(back.visitorId, v.visitorId);
    assert.equal(back.visitorKey, undefined);
    const res = await t.get(`/api/chat/sessions/${v.sessionId}`, back.token);
    assert.equal(res.status, 200);
    await res.body?.cancel();

    const otherWidget = await shopWidget(t);
    const tampered = copy.slice(0, -4) + (copy.endsWith("AAAA") ? "BBBB" : "AAAA");
    const refused: [string, Record<string, unknown>][] = [
      ["a sibling subdomain", { widgetId: widget.id, domain: "evil.shop.example" }],
      ["another widget", { widgetId: otherWidget.id }],
      ["a tampered copy", { widgetId: widget.id, sealedVisitor: tampered }],
    ];
    for (const [what, claim] of refused) {
      const got = await auth(t, { sealedVisitor: copy, ...claim });
      assert.notEqual(got.visitorId, v.visitorId, what);
      assert.ok(got.visitorKey, `${what}: a new visitor`);
    }
  },
);

dbTest(
  "POST /embed/auth keeps the visitor in a partitioned HttpOnly cookie of our own, per widget and host",
  async (t) => {
    const widget = await shopWidget(t);
    const first = await t.post("/embed/auth", { widgetId: widget.id, domain: "www.shop.example" });
    const v = await first.json();
    const setCookie = first.headers.get("set-cookie")!;
    const [pair, ...attrs] = setCookie.split(/;\s*/);
    const name = pair.slice(0, pair.indexOf("="));
    assert.match(name, /^pv_[0-9a-f]{24}$/);
    assert.deepEqual(
      attrs.map((a) => a.toLowerCase()).filter((a) => !a.startsWith("max-age")).sort(),
      ["httponly", "partitioned", "path=/embed/auth", "samesite=none", "secure"],
    );
    assert.ok(!pair.includes(v.visitorKey) && !pair.includes(v.token));
    const session = await (await t.post("/api/chat/sessions", {}, v.token)).json();

    // A frame without localStorage sends nothing but the cookie: the same visitor, its session.
    const back = await (await t.post(
      "/embed/auth",
      {
        widgetId: widget.id,
        domain: "www.shop.example",
      },
      undefined,
      { cookie: pair },
    )).json();
    assert.equal(back.visitorId, v.visitorId);
    assert.equal(back.visitorKey, undefined);
    assert.equal(back.sessionId, session.id);

    // The sibling's frame shares the jar but reads its own name; given the shop's under its
    // name, the seal (bound to the host name) does not open.
    const evil = await t.post(
      "/embed/auth",
      { widgetId: widget.id, domain: "evil.shop.example" },
      undefined,
      {
        cookie: pair,
      },
    );
    const evilName = evil.headers.get("set-cookie")!.split("=")[0];
    assert.notEqual(evilName, name);
    assert.notEqual((await evil.json()).visitorId, v.visitorId);
    const replayed = await (await t.post(
      "/embed/auth",
      {
        widgetId: widget.id,
        domain: "evil.shop.example",
      },
      undefined,
      { cookie: `${evilName}=${pair.slice(name.length + 1)}` },
    )).json();
    assert.notEqual(replayed.visitorId, v.visitorId);
    assert.equal(replayed.sessionId, undefined);
  },
);
