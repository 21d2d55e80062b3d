import assert from "node:assert/strict";
import { dbTest, registerAdmin } from "../../helpers/test_app.ts";
import { addTeammate } from "../../helpers/team.ts";
import { AdminSession, signUp } from "./browser_session.ts";

const form = (url: string, ...events: string[]) =>
  Object.fromEntries([["url", url], ...events.map((e) => [`event:${e}`, "on"])]);

dbTest(
  "/admin/webhooks adds an endpoint, shows its secret once, and sends a test event",
  async (t) => {
    const s = await signUp(t);
    let { res, html } = await s.page("/admin/webhooks");
    assert.equal(res.status, 200);
    assert.match(html, /No endpoints yet/);

    res = await s.post("/admin/webhooks", form("http://10.0.0.7/hook", "lead.created"));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /must not be a private address/);
    res = await s.post("/admin/webhooks", form("https://hooks.example.com/p"));
    assert.equal(res.status, 400);
    assert.match(await res.text(), /Choose at least one event/);

    res = await s.post(
      "/admin/webhooks",
      form("https://hooks.example.com/p", "lead.created", "call.ended"),
    );
    assert.equal(res.status, 200);
    html = await res.text();
    const secret = /id="webhook-secret">(whsec_[0-9a-f]{64})</.exec(html)?.[1];
    assert.ok(secret, "the secret is shown after adding");
    ({ html } = await s.page("/admin/webhooks"));
    assert.ok(!html.includes(secret), "and never again");
    const id = /href="\/admin\/webhooks\/([0-9a-f-]{36})"/.exec(html)?.[1];
    assert.ok(id);

    ({ res, html } = await s.page(`/admin/webhooks/${id}`));
    assert.equal(res.status, 200);
    assert.match(html, /No deliveries yet/);
    res = await s.post(`/admin/webhooks/${id}/test`, {});
    assert.equal(res.status, 303);
    ({ html } = await s.page(`/admin/webhooks/${id}?notice=test`));
    assert.match(html, /webhook\.test/);
    assert.match(html, /Pending/);

    const stranger = await signUp(t, { organizationName: "Other" });
    assert.equal((await stranger.get(`/admin/webhooks/${id}`)).status, 404);
    assert.equal((await stranger.post(`/admin/webhooks/${id}/delete`, {})).status, 404);
    assert.equal((await s.post(`/admin/webhooks/${id}/delete`, {})).status, 303);
  },
);

dbTest("/admin/webhooks is for owners and admins: a member gets 403", async (t) => {
  const owner = await registerAdmin(t);
  const member = await addTeammate(t, owner.token, "member");
  const s = new AdminSession(t);
  await s.page("/admin/login");
  const login = await s.post("/admin/login", {
    email: member.email,
    password: "teammate password",
  });
  assert.equal(login.status, 303);
  assert.equal((await s.get("/admin/webhooks")).status, 403);
  assert.equal(
    (await s.post("/admin/webhooks", form("https://hooks.example.com/m", "lead.created"))).status,
    403,
  );
});
