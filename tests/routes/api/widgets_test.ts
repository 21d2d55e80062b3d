import assert from "node:assert/strict";
import { createAgentAndWidget, dbTest, registerAdmin } from "../../helpers/test_app.ts";

dbTest("POST /api/widgets applies the seed's defaults", async (t) => {
  const { token, organizationId } = await registerAdmin(t);
  const { widget, agent } = await createAgentAndWidget(t, token);
  assert.equal(widget.organizationId, organizationId);
  assert.equal(widget.agentId, agent.id);
  assert.equal(widget.themeColor, "#0088FF");
  assert.equal(widget.headerText, "Chat with us");
  assert.equal(widget.position, "bottom-right");
  assert.equal(widget.width, "350px");
  assert.equal(widget.height, "550px");
  assert.equal(widget.autoOpen, false);
  assert.equal(widget.voiceMode, "web", "phone calls are opt-in (SPEC v2.1)");
  assert.deepEqual(widget.phoneCountries, []);
  assert.equal(widget.isActive, true);
  assert.deepEqual(widget.allowedDomains, []);
});

dbTest("PUT /api/widgets/:id changes only the fields sent", async (t) => {
  const { token, organizationId } = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, token, {
    allowedDomains: ["Example.com", "*.shop.example"],
    headerText: "Hi",
  });
  assert.deepEqual(widget.allowedDomains, ["example.com", "*.shop.example"]);
  const res = await t.put(
    `/api/widgets/${widget.id}`,
    { themeColor: "#123", position: "top-left" },
    token,
  );
  assert.equal(res.status, 200);
  const updated = await res.json();
  assert.equal(updated.themeColor, "#123");
  assert.equal(updated.position, "top-left");
  assert.equal(updated.headerText, "Hi");

  const list = await t.get(`/api/widgets/organization/${organizationId}`, token);
  assert.equal(list.status, 200);
  assert.deepEqual((await list.json()).widgets.map((w: { id: string }) => w.id), [widget.id]);
  assert.equal((await t.delete(`/api/widgets/${widget.id}`, token)).status, 204);
  assert.equal((await t.get(`/api/widgets/${widget.id}`, token)).status, 404);
});

dbTest("/api/widgets validates every option", async (t) => {
  const { token } = await registerAdmin(t);
  const { agent, widget } = await createAgentAndWidget(t, token);
  const cases: [Record<string, unknown>, string][] = [
    [{ themeColor: "blue" }, "themeColor"],
    [{ themeColor: "#12345" }, "themeColor"],
    [{ allowedDomains: ["https://example.com"] }, "allowedDomains.0"],
    [{ allowedDomains: ["example.com/path"] }, "allowedDomains.0"],
    [{ allowedDomains: ["exa mple.com"] }, "allowedDomains.0"],
    [{ width: "350" }, "width"],
    [{ height: "calc(100% - 1px)" }, "height"],
    [{ position: "middle" }, "position"],
    [{ voiceMode: "video" }, "voiceMode"],
    [{ autoOpen: "yes" }, "autoOpen"],
    [{ agentId: "nope" }, "agentId"],
    [{ agentId: crypto.randomUUID() }, "agentId"],
  ];
  for (const [fields, path] of cases) {
    const res = await t.post("/api/widgets", { name: "W", agentId: agent.id, ...fields }, token);
    assert.equal(res.status, 400, JSON.stringify(fields));
    const body = await res.json();
    assert.ok(
      body.error.details.some((d: { path: string }) => d.path === path),
      JSON.stringify(body),
    );
    const put = await t.put(`/api/widgets/${widget.id}`, fields, token);
    assert.equal(put.status, 400, `PUT ${JSON.stringify(fields)}`);
  }
});

dbTest("/api/widgets keeps organizations apart", async (t) => {
  const a = await registerAdmin(t, "A");
  const b = await registerAdmin(t, "B");
  const { widget, agent } = await createAgentAndWidget(t, a.token, { headerText: "A only" });
  const bAgent = await (await t.post("/api/agents", { name: "B agent" }, b.token)).json();
  for (
    const res of [
      await t.get(`/api/widgets/${widget.id}`, b.token),
      await t.put(`/api/widgets/${widget.id}`, { headerText: "B was here" }, b.token),
      await t.delete(`/api/widgets/${widget.id}`, b.token),
      await t.get(`/api/widgets/organization/${a.organizationId}`, b.token),
    ]
  ) {
    assert.equal(res.status, 404);
    assert.ok(!(await res.text()).includes("A only"));
  }
  // B cannot point a widget at A's agent, nor A's widget at B's agent.
  const cross = await t.post("/api/widgets", { name: "W", agentId: agent.id }, b.token);
  assert.equal(cross.status, 400);
  const move = await t.put(`/api/widgets/${widget.id}`, { agentId: bAgent.id }, a.token);
  assert.equal(move.status, 400);
  assert.equal(
    (await (await t.get(`/api/widgets/${widget.id}`, a.token)).json()).headerText,
    "A only",
  );
});
