import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { dbTest } from "../../helpers/test_app.ts";
import { previewCookieName } from "../../../conversations/preview.ts";
import { type PreviewClaims, signPreviewToken } from "../../../lib/tokens.ts";
import { getWidgetById } from "../../../db/queries/widgets.ts";
import { users } from "../../../db/schema.ts";
import {
  apiToken,
  createAgentByForm,
  createWidgetByForm,
  ORIGIN,
  signUp,
  widgetForm,
} from "./browser_session.ts";

/** The text of HTML (the few entities Preact writes). */
function decodeHtml(html: string): string {
  return html.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

dbTest("/admin/widgets creates a widget with every option and shows its embed code", async (t) => {
  const s = await signUp(t);
  const noAgent = await s.page("/admin/widgets");
  assert.match(noAgent.html, /First, add an agent/);
  const agentId = await createAgentByForm(s);
  const empty = await s.page("/admin/widgets");
  assert.match(empty.html, /No widgets yet/);

  const id = await createWidgetByForm(s, agentId, {
    allowedDomains: "https://Example.com/pricing\n*.shop.example, 10.0.0.7:8080",
  });
  const stored = await (await t.get(`/api/widgets/${id}`, await apiToken(s))).json();
  assert.deepEqual(
    {
      name: stored.name,
      agentId: stored.agentId,
      themeColor: stored.themeColor,
      headerText: stored.headerText,
      welcomeMessage: stored.welcomeMessage,
      allowedDomains: stored.allowedDomains,
      isActive: stored.isActive,
      position: stored.position,
      width: stored.width,
      height: stored.height,
      autoOpen: stored.autoOpen,
      voiceMode: stored.voiceMode,
    },
    {
      name: "Main site",
      agentId,
      themeColor: "#ff5500",
      headerText: "Ask us",
      welcomeMessage: "Hi there",
      allowedDomains: ["example.com", "*.shop.example", "10.0.0.7"],
      isActive: true,
      position: "top-left",
      width: "400px",
      height: "80vh",
      autoOpen: true,
      voiceMode: "web",
    },
  );

  const editor = await s.page(`/admin/widgets/${id}?notice=created`);
  assert.equal(editor.res.status, 200);
  assert.match(editor.html, /Widget created/);
  const text = decodeHtml(editor.html);
  const plain = `<script src="${ORIGIN}/embed/widget.js?id=${id}" async></script>`;
  assert.ok(text.includes(plain), "the plain snippet is shown");
  assert.ok(text.includes(`widgetId: "${id}"`), "the pre-set snippet is shown");
  assert.ok(text.includes(`position: "top-left"`));
  assert.ok(text.includes(`<script src="${ORIGIN}/embed/widget.js" async></script>`));
  assert.match(editor.html, /data-island="CopyButton"/);
  assert.match(
    editor.html,
    new RegExp(`data-island="WidgetPreview"[^>]*/admin/widgets/${id}/preview`),
  );
  assert.match(editor.html, /<input type="radio" name="position" value="top-left" checked/);

  const list = await s.page("/admin/widgets");
  assert.match(list.html, /Main site/);
  assert.match(list.html, /example\.com \+2/);
});

dbTest("/admin/widgets/:id saves edits, and activates and deactivates", async (t) => {
  const s = await signUp(t);
  const agentId = await createAgentByForm(s);
  const id = await createWidgetByForm(s, agentId);
  const token = await apiToken(s);
  await s.page(`/admin/widgets/${id}`);
  // Unchecked boxes are absent from a form post: they mean false.
  const form = widgetForm(agentId, {
    headerText: "Talk to sales",
    allowedDomains: "",
    welcomeMessage: "",
    position: "bottom-left",
  });
  delete (form as Record<string, string>).autoOpen;
  const saved = await s.post(`/admin/widgets/${id}`, form);
  assert.equal(saved.status, 303);
  assert.equal(saved.headers.get("location"), `/admin/widgets/${id}?notice=saved`);
  const after = await (await t.get(`/api/widgets/${id}`, token)).json();
  assert.equal(after.headerText, "Talk to sales");
  assert.deepEqual(after.allowedDomains, []);
  assert.equal(after.welcomeMessage, null);
  assert.equal(after.autoOpen, false);
  assert.equal(after.position, "bottom-left");

  const off = await s.post(`/admin/widgets/${id}/active`, { isActive: "false" });
  assert.equal(off.status, 303);
  assert.equal(off.headers.get("location"), `/admin/widgets/${id}?notice=deactivated`);
  assert.equal((await (await t.get(`/api/widgets/${id}`, token)).json()).isActive, false);
  const embed = await t.post("/embed/auth", { widgetId: id, domain: "anything.test" });
  assert.equal(embed.status, 403, "a deactivated widget stops working at once");
  const on = await s.post(`/admin/widgets/${id}/active`, { isActive: "true", back: "list" });
  assert.equal(on.headers.get("location"), "/admin/widgets?notice=activated");
  assert.equal((await (await t.get(`/api/widgets/${id}`, token)).json()).isActive, true);
});

dbTest(
  "/admin/widgets re-renders the form with messages on invalid input, never a 500",
  async (t) => {
    const s = await signUp(t);
    const agentId = await createAgentByForm(s);
    await s.page("/admin/widgets/new");
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ name: "" }, "name", /Name is required/],
      [{ width: "wide" }, "width", /CSS length/],
      [{ height: "-5px" }, "height", /CSS length/],
      [{ themeColor: "red" }, "themeColor", /hex colour/],
      [{ headerText: "" }, "headerText", /Header text is required/],
      [{ allowedDomains: "good.example\nbad_domain!" }, "allowedDomains", /bad_domain!/],
      [{ position: "middle" }, "position", /valid position/],
      [{ voiceMode: "loud" }, "voiceMode", /valid voice calls/],
      [{ agentId: "not-a-uuid" }, "agentId", /Choose an agent/],
      [{ agentId: crypto.randomUUID() }, "agentId", /Choose one of your agents/],
    ];
    for (const [override, field, message] of cases) {
      const res = await s.post("/admin/widgets", widgetForm(agentId, override));
      assert.equal(res.status, 400, JSON.stringify(override));
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      const html = await res.text();
      assert.match(html, message, field);
      assert.match(html, /Please fix the highlighted fields/);
      assert.ok(html.includes('value="Ask us"') || field === "headerText", "typed values are kept");
    }
    const list = await s.page("/admin/widgets");
    assert.match(list.html, /No widgets yet/, "nothing was stored");
  },
);

dbTest("another organization's widget is a 404 on every admin widget page", async (t) => {
  const owner = await signUp(t, { organizationName: "Owner" });
  const agentId = await createAgentByForm(owner);
  const id = await createWidgetByForm(owner, agentId, { name: "Secret widget" });
  const intruder = await signUp(t, { organizationName: "Intruder" });
  const ownAgent = await createAgentByForm(intruder);
  for (const path of [`/admin/widgets/${id}`, `/admin/widgets/${id}/preview`]) {
    const res = await intruder.get(path);
    assert.equal(res.status, 404, path);
    assert.doesNotMatch(await res.text(), /Secret widget/);
  }
  for (
    const [path, form] of [
      [`/admin/widgets/${id}`, widgetForm(ownAgent, { name: "Hijacked" })],
      [`/admin/widgets/${id}/active`, { isActive: "false" }],
      [`/admin/widgets/${id}/delete`, {}],
    ] as const
  ) {
    const res = await intruder.post(path, form);
    assert.equal(res.status, 404, path);
  }
  // Nor may a widget of one's own point at another organization's agent.
  const mine = await createWidgetByForm(intruder, ownAgent);
  const stolen = await intruder.post(`/admin/widgets/${mine}`, widgetForm(agentId));
  assert.equal(stolen.status, 400);
  assert.match(await stolen.text(), /Choose one of your agents/);
  const still = await owner.page(`/admin/widgets/${id}`);
  assert.match(still.html, /Secret widget/);
  assert.match(still.html, /badge-green">Active/);
});

dbTest("GET /admin/widgets/:id/preview may be framed by our own pages only", async (t) => {
  const s = await signUp(t);
  const agentId = await createAgentByForm(s);
  const id = await createWidgetByForm(s, agentId, {
    headerText: "</script><script>alert(1)</script>",
  });
  const { res, html } = await s.page(`/admin/widgets/${id}/preview`);
  assert.equal(res.status, 200);
  const csp = res.headers.get("content-security-policy") ?? "";
  assert.match(csp, /frame-ancestors 'self'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.equal(res.headers.get("x-frame-options"), "SAMEORIGIN");
  assert.equal(res.headers.get("x-parley-framed"), null, "the internal marker is not sent");
  const json = /<script type="application\/json" id="parley-preview">(.*?)<\/script>/.exec(html);
  assert.ok(json, "the config is embedded as JSON");
  const data = JSON.parse(json[1]);
  assert.equal(data.widgetId, id);
  assert.equal(data.config.headerText, "</script><script>alert(1)</script>");
  assert.equal(data.config.position, "top-left");
  assert.doesNotMatch(html, /<script>alert/, "the JSON cannot close its script element");
  const editor = await s.get(`/admin/widgets/${id}`);
  assert.match(editor.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
});

dbTest(
  "POST /embed/auth: Parley's own host passes a widget's allowlist only in that widget's admin preview",
  async (t) => {
    const s = await signUp(t);
    const agentId = await createAgentByForm(s);
    const a = await createWidgetByForm(s, agentId, { allowedDomains: "shop.example" });
    const b = await createWidgetByForm(s, agentId, { allowedDomains: "shop.example", name: "B" });
    const auth = (
      widgetId: string,
      cookie?: string,
      { origin = ORIGIN as string | null, domain = "parley.test" } = {},
    ) =>
      t.post("/embed/auth", { widgetId, domain }, undefined, {
        ...(origin ? { origin } : {}),
        ...(cookie ? { cookie } : {}),
      });
    const statusOf = async (res: Promise<Response>) => {
      const r = await res;
      await r.body?.cancel();
      return r.status;
    };

    // The attacks first: a page on our own origin (or a script forging our Origin, or sending
    // none) without the preview's pass is held to the allowlist like any site.
    assert.equal(await statusOf(auth(a)), 403);
    assert.equal(await statusOf(auth(a, undefined, { origin: null })), 403);
    assert.equal(await statusOf(auth(a, undefined, { domain: "other.test" })), 403);
    // What the allowlist names still passes from our origin (the frame's own requests).
    assert.equal(await statusOf(auth(a, undefined, { domain: "shop.example" })), 200);

    // The editor's preview page hands out the pass: HttpOnly, Strict, for /embed/auth only, for
    // about ten minutes, and nowhere a script or a URL could read it.
    const name = previewCookieName(a);
    const { res, html } = await s.page(`/admin/widgets/${a}/preview`);
    assert.equal(res.status, 200);
    const line = s.lastSetCookie.find((l) => l.startsWith(`${name}=`)) ?? "";
    assert.match(line, /; HttpOnly/i);
    assert.match(line, /; SameSite=Strict/i);
    assert.match(line, /; Path=\/embed\/auth(;|$)/i);
    const expires = Date.parse(/; Expires=([^;]+)/i.exec(line)?.[1] ?? "");
    const left = expires - Date.now();
    assert.ok(left > 8 * 60_000 && left <= 10 * 60_000, `the pass lasts ${left} ms`);
    const token = s.cookies.get(name)!;
    assert.ok(token);
    assert.ok(!html.includes(token), "the pass is not in the page");
    const pass = `${name}=${token}`;
    assert.equal(await statusOf(auth(a, pass)), 200);

    // A's pass opens neither B (under A's name or renamed as B's) nor another host; another
    // site cannot borrow our host name with it either (its browser sends its own Origin).
    assert.equal(await statusOf(auth(b, pass)), 403);
    assert.equal(await statusOf(auth(b, `${previewCookieName(b)}=${token}`)), 403);
    assert.equal(await statusOf(auth(a, pass, { domain: "other.test" })), 403);
    assert.equal(await statusOf(auth(a, pass, { origin: "http://evil.example" })), 403);

    // Forged passes: expired, bound to another organization, another audience, another secret.
    const { organizationId, userId } = await (async () => {
      const w = await getWidgetById(t.deps.database.db, a);
      const [u] = await t.deps.database.db.select({ id: users.id }).from(users)
        .where(eq(users.organizationId, w!.organizationId));
      return { organizationId: w!.organizationId, userId: u.id };
    })();
    const secret = t.deps.config.jwtSecret;
    const forged = async (claims: Partial<PreviewClaims>, ttl = 600, key = secret) =>
      `${name}=${
        (await signPreviewToken(key, { widgetId: a, organizationId, userId, ...claims }, ttl))
          .token
      }`;
    assert.equal(await statusOf(auth(a, await forged({}))), 200, "the control passes");
    assert.equal(await statusOf(auth(a, await forged({}, -60))), 403, "expired");
    assert.equal(
      await statusOf(auth(a, await forged({ organizationId: crypto.randomUUID() }))),
      403,
      "another organization's",
    );
    assert.equal(
      await statusOf(auth(a, await forged({}, 600, "another-secret-another-secret-another-1"))),
      403,
      "signed with another secret",
    );
    const visitor = await (await auth(a, pass)).json();
    assert.equal(await statusOf(auth(a, `${name}=${visitor.token}`)), 403, "a visitor token");
    assert.equal(await statusOf(auth(a, `${name}=${await apiToken(s)}`)), 403, "an admin token");

    // Neither an admin of another organization can mint one for A.
    const intruder = await signUp(t, { organizationName: "Intruder" });
    const refused = await intruder.get(`/admin/widgets/${a}/preview`);
    assert.equal(refused.status, 404);
    await refused.body?.cancel();
    assert.ok(!intruder.lastSetCookie.some((l) => l.startsWith(`${name}=`)));

    // The active switch still holds for the preview.
    await s.post(`/admin/widgets/${a}/active`, { isActive: "false" });
    assert.equal(await statusOf(auth(a, pass)), 403, "the pass does not bypass the active switch");
  },
);

dbTest(
  "POST /embed/auth: on Parley's own host, a widget that names it (or allows any site) passes",
  async (t) => {
    const s = await signUp(t);
    const agentId = await createAgentByForm(s);
    for (const allowedDomains of ["parley.test", ""]) {
      const id = await createWidgetByForm(s, agentId, { allowedDomains });
      const res = await t.post("/embed/auth", { widgetId: id, domain: "parley.test" }, undefined, {
        origin: ORIGIN,
      });
      assert.equal(res.status, 200, allowedDomains);
      await res.body?.cancel();
    }
  },
);

dbTest("POST /admin/widgets/:id/delete removes the widget", async (t) => {
  const s = await signUp(t);
  const agentId = await createAgentByForm(s);
  const id = await createWidgetByForm(s, agentId);
  await s.page(`/admin/widgets/${id}`);
  const res = await s.post(`/admin/widgets/${id}/delete`, {});
  assert.equal(res.status, 303);
  assert.equal(res.headers.get("location"), "/admin/widgets?notice=deleted");
  assert.equal((await s.get(`/admin/widgets/${id}`)).status, 404);
  assert.equal((await t.get(`/embed/config/${id}`)).status, 404);
});

dbTest(
  "/admin/widgets/:id stores language, colour scheme, launcher, teaser and call consent, and the snippet shows the ones set",
  async (t) => {
    const s = await signUp(t);
    const agentId = await createAgentByForm(s);
    const id = await createWidgetByForm(s, agentId);
    const token = await apiToken(s);
    const fresh = decodeHtml((await s.page(`/admin/widgets/${id}`)).html);
    assert.ok(!/locale:|colorScheme:|hideLauncher:|teaser:/.test(fresh), "defaults are not pasted");
    assert.ok(!fresh.includes("Your own chat button"));
    // The after-load form, with this widget's loader URL in it.
    assert.ok(fresh.includes("After the page has loaded"));
    assert.ok(
      fresh.includes(`s.src = "${ORIGIN}/embed/widget.js?id=${id}";`),
      "after-load snippet",
    );

    const saved = await s.post(
      `/admin/widgets/${id}`,
      widgetForm(agentId, {
        locale: "fr",
        colorScheme: "dark",
        hideLauncher: "true",
        teaserText: "  Une question ? Écrivez-nous.  ",
        teaserDelay: "12",
        voiceConsentText: "Les appels sont enregistrés.",
      }),
    );
    assert.equal(saved.status, 303);
    const after = await (await t.get(`/api/widgets/${id}`, token)).json();
    assert.deepEqual(
      [after.locale, after.colorScheme, after.hideLauncher, after.teaser, after.voiceConsentText],
      [
        "fr",
        "dark",
        true,
        { text: "Une question ? Écrivez-nous.", delaySeconds: 12 },
        "Les appels sont enregistrés.",
      ],
    );
    const editor = await s.page(`/admin/widgets/${id}`);
    assert.match(editor.html, /<option value="fr" selected/);
    assert.match(editor.html, /<option value="dark" selected/);
    assert.match(editor.html, /name="hideLauncher" value="true" checked/);
    const text = decodeHtml(editor.html);
    assert.ok(text.includes(`locale: "fr"`));
    assert.ok(text.includes(`colorScheme: "dark"`));
    assert.ok(text.includes(`hideLauncher: true`));
    assert.ok(text.includes(`teaser: {"text":"Une question ? Écrivez-nous.","delaySeconds":12}`));
    assert.ok(
      text.includes(`<button type="button" onclick="rtlChatWidget.open()">Ask us</button>`),
    );
    assert.ok(text.includes("Les appels sont enregistrés."));

    // Cleared fields go back to the defaults: no teaser, the browser's language, no consent step.
    await s.post(
      `/admin/widgets/${id}`,
      widgetForm(agentId, {
        locale: "",
        colorScheme: "auto",
        teaserText: "",
        teaserDelay: "30",
        voiceConsentText: " ",
      }),
    );
    const cleared = await (await t.get(`/api/widgets/${id}`, token)).json();
    assert.deepEqual(
      [cleared.locale, cleared.colorScheme, cleared.hideLauncher, cleared.teaser],
      [null, "auto", false, null],
    );
    assert.equal(cleared.voiceConsentText, null);
  },
);

dbTest(
  "/admin/widgets: a bad language, scheme or teaser delay is shown on its field, never stored",
  async (t) => {
    const s = await signUp(t);
    const agentId = await createAgentByForm(s);
    const id = await createWidgetByForm(s, agentId);
    await s.page(`/admin/widgets/${id}`);
    const cases: [Record<string, string>, string][] = [
      [{ locale: "xx" }, "locale"],
      [{ colorScheme: "purple" }, "colorScheme"],
      [{ teaserText: "Hi", teaserDelay: "601" }, "teaserDelay"],
      [{ teaserText: "Hi", teaserDelay: "-1" }, "teaserDelay"],
      [{ teaserText: "Hi", teaserDelay: "soon" }, "teaserDelay"],
      [{ teaserText: "x".repeat(141) }, "teaserText"],
      [{ voiceConsentText: "x".repeat(1001) }, "voiceConsentText"],
    ];
    for (const [override, field] of cases) {
      const res = await s.post(`/admin/widgets/${id}`, widgetForm(agentId, override));
      assert.equal(res.status, 400, JSON.stringify(override));
      const html = await res.text();
      assert.match(html, new RegExp(`href="#f-${field}"`), field);
      assert.match(html, new RegExp(`id="f-${field}-error"`), field);
    }
    const stored = await (await t.get(`/api/widgets/${id}`, await apiToken(s))).json();
    assert.deepEqual([stored.locale, stored.colorScheme, stored.teaser], [null, "light", null]);
  },
);
