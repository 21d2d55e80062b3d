import assert from "node:assert/strict";
import { dbTest } from "../../helpers/test_app.ts";
import {
  apiToken,
  createAgentByForm,
  createWidgetByForm,
  signUp,
  widgetForm,
} from "./browser_session.ts";

dbTest(
  "/admin/widgets/:id: identity secret shown once, requireIdentity and the pre-chat form",
  async (t) => {
    const s = await signUp(t);
    const agentId = await createAgentByForm(s);
    const id = await createWidgetByForm(s, agentId);
    const editor = await s.page(`/admin/widgets/${id}`);
    assert.match(editor.html, /Identity verification/);
    assert.match(editor.html, /Generate secret/);
    for (const lang of ["Node", "Deno", "Python", "PHP"]) {
      assert.match(
        editor.html,
        new RegExp(lang),
      );
    }

    const res = await s.post(`/admin/widgets/${id}/identity-secret`, {});
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const secret = /pis_[A-Za-z0-9_-]+/.exec(await res.text())?.[0];
    assert.ok(secret, "the new secret is on the page");
    const again = await s.page(`/admin/widgets/${id}`);
    assert.ok(!again.html.includes(secret), "and only once");
    assert.match(again.html, /Rotate secret/);
    // Without the CSRF token nothing rotates.
    assert.equal(
      (await s.post(`/admin/widgets/${id}/identity-secret`, {}, { csrf: null })).status,
      403,
    );

    const saved = await s.post(`/admin/widgets/${id}`, {
      ...widgetForm(agentId),
      requireIdentity: "true",
      pre_name: "required",
      pre_email: "optional",
      pre_phone: "off",
      consentText: "You may contact me.",
    });
    assert.equal(saved.status, 303);
    const widget = await (await t.get(`/api/widgets/${id}`, await apiToken(s))).json();
    assert.equal(widget.requireIdentity, true);
    assert.equal(widget.hasIdentitySecret, true);
    assert.deepEqual(widget.preChatForm, {
      fields: [{ name: "name", required: true }, { name: "email", required: false }],
      consentText: "You may contact me.",
    });
    const shown = await s.page(`/admin/widgets/${id}`);
    assert.match(shown.html, /<option value="required" selected>Required<\/option>/);
  },
);

dbTest(
  "/admin/conversations: rated filter, average rating per widget, visitor, lead, rating and transcript",
  async (t) => {
    const s = await signUp(t);
    const agentId = await createAgentByForm(s);
    const widgetId = await createWidgetByForm(s, agentId, { allowedDomains: "" });
    const auth = await (await t.post("/embed/auth", { widgetId, domain: "example.com" })).json();
    const start = async (context?: Record<string, string>) =>
      (await (await t.post(
        "/api/chat/sessions",
        context ? { metadata: { context } } : {},
        auth.token,
      )).json()).id as string;
    const rated = await start({
      page_url: "https://shop.example/cart",
      page_title: "Cart",
      plan: "pro",
    });
    const unrated = await start();
    await t.post(
      `/api/chat/sessions/${rated}/lead`,
      { name: "Ada <b>", email: "ada@example.com" },
      auth.token,
    );
    await t.post(
      `/api/chat/sessions/${rated}/rating`,
      { score: 4, comment: "Helpful" },
      auth.token,
    );

    const onlyRated = await s.page("/admin/conversations?rated=yes");
    assert.ok(onlyRated.html.includes(rated) && !onlyRated.html.includes(unrated));
    const onlyUnrated = await s.page("/admin/conversations?rated=no");
    assert.ok(onlyUnrated.html.includes(unrated) && !onlyUnrated.html.includes(rated));
    assert.match(onlyRated.html, /★ 4\.0 \(1 rating\)/);

    const view = await s.page(`/admin/conversations/${rated}`);
    assert.equal(view.res.status, 200);
    assert.match(view.html, /Not verified/);
    assert.match(view.html, /ada@example\.com/);
    assert.match(view.html, /Ada &lt;b>/);
    assert.ok(!view.html.includes("Ada <b>"), "typed text stays text");
    assert.match(view.html, /Helpful/);
    assert.match(view.html, /href="https:\/\/shop\.example\/cart"/);
    assert.match(view.html, /plan/);
    const transcript = await s.page(`/admin/conversations/${rated}/transcript?format=text`);
    assert.equal(transcript.res.status, 200);
    assert.match(transcript.html, /Assistant: /);
  },
);
