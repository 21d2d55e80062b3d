import assert from "node:assert/strict";
import { dbTest } from "../../helpers/test_app.ts";
import { apiToken, createAgentByForm, signUp } from "./browser_session.ts";

dbTest(
  "/admin/agents creates, lists, edits and deletes agents as the API stores them",
  async (t) => {
    const s = await signUp(t);
    const empty = await s.page("/admin/agents");
    assert.equal(empty.res.status, 200);
    assert.match(empty.html, /No agents yet/);

    const id = await createAgentByForm(s, {
      name: "  Support bot ",
      retellChatAgentId: "agent_chat123",
      retellAgentId: "agent_voice456",
      fromNumber: "+1 (415) 555-0123",
    });
    const list = await s.page("/admin/agents?notice=created");
    assert.match(list.html, /Agent created/);
    assert.match(list.html, /Support bot/);
    const token = await apiToken(s);
    const stored = await (await t.get(`/api/agents/${id}`, token)).json();
    assert.equal(stored.name, "Support bot");
    assert.equal(stored.retellChatAgentId, "agent_chat123");
    assert.equal(stored.retellAgentId, "agent_voice456");
    assert.equal(stored.fromNumber, "+14155550123");

    const edit = await s.page(`/admin/agents/${id}`);
    assert.equal(edit.res.status, 200);
    assert.ok(edit.html.includes('value="agent_voice456"'));
    const saved = await s.post(`/admin/agents/${id}`, {
      name: "Renamed",
      retellChatAgentId: "",
      retellAgentId: "agent_voice456",
      fromNumber: "",
    });
    assert.equal(saved.status, 303);
    assert.equal(saved.headers.get("location"), `/admin/agents/${id}?notice=saved`);
    const after = await (await t.get(`/api/agents/${id}`, token)).json();
    assert.equal(after.name, "Renamed");
    assert.equal(after.retellChatAgentId, null, "an emptied field is cleared");
    assert.equal(after.fromNumber, null);

    const del = await s.post(`/admin/agents/${id}/delete`, {});
    assert.equal(del.status, 303);
    assert.equal(del.headers.get("location"), "/admin/agents?notice=deleted");
    assert.equal((await t.get(`/api/agents/${id}`, token)).status, 404);
  },
);

dbTest(
  "/admin/agents re-renders the form with messages on invalid input, never a 500",
  async (t) => {
    const s = await signUp(t);
    await s.page("/admin/agents/new");
    const cases: [Record<string, string>, string, RegExp][] = [
      [{ name: "" }, "name", /Name is required/],
      [{ name: "x".repeat(101) }, "name", /at most 100 characters/],
      [{ name: "A", retellAgentId: "agent id with spaces" }, "retellAgentId", /Retell id/],
      [{ name: "A", retellChatAgentId: "<script>" }, "retellChatAgentId", /Retell id/],
      [{ name: "A", fromNumber: "555-0123" }, "fromNumber", /E\.164/],
    ];
    for (const [form, field, message] of cases) {
      const res = await s.post("/admin/agents", form);
      assert.equal(res.status, 400, JSON.stringify(form));
      assert.match(res.headers.get("content-type") ?? "", /text\/html/);
      const html = await res.text();
      assert.match(html, message, field);
      assert.match(html, new RegExp(`id="f-${field}" name="${field}" aria-invalid="true"`), field);
      assert.doesNotMatch(html, /<script>/, "input is escaped when echoed");
    }
    const list = await s.page("/admin/agents");
    assert.match(list.html, /No agents yet/, "nothing was stored");
  },
);

dbTest("another organization's agent is a 404 on every admin agent page", async (t) => {
  const owner = await signUp(t, { organizationName: "Owner" });
  const id = await createAgentByForm(owner, { name: "Private agent" });
  const intruder = await signUp(t, { organizationName: "Intruder" });
  const view = await intruder.get(`/admin/agents/${id}`);
  assert.equal(view.status, 404);
  assert.doesNotMatch(await view.text(), /Private agent/);
  const edit = await intruder.post(`/admin/agents/${id}`, { name: "Hijacked" });
  assert.equal(edit.status, 404);
  const del = await intruder.post(`/admin/agents/${id}/delete`, {});
  assert.equal(del.status, 404);
  const list = await intruder.page("/admin/agents");
  assert.doesNotMatch(list.html, /Private agent/);
  const still = await owner.page(`/admin/agents/${id}`);
  assert.equal(still.res.status, 200);
  assert.match(still.html, /Private agent/);
});
