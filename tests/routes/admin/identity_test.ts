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
