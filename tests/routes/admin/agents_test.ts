import assert from "node:assert/strict";
import { dbTest, type TestApp, useDeploymentRetell } from "../../helpers/test_app.ts";
import { type FakeRetell, startFakeRetell } from "../../helpers/fake_retell.ts";
import { agentChoices } from "../../../agents/tenancy.ts";
import { apiToken, createAgentByForm, signUp } from "./browser_session.ts";

const KEY_A = "key_account_a_0001";
const KEY_B = "key_account_b_0002";

/** A fake Retell with two accounts, A and B, each with its own agents and numbers. */
async function twoAccounts(): Promise<FakeRetell> {
  const fake = await startFakeRetell(KEY_A);
  fake.chatAgents.clear();
  fake.voiceAgents.clear();
  fake.phoneNumbers.clear();
  for (const id of ["agent_chat_a", "agent_chat_a2"]) fake.chatAgents.add(id);
  fake.voiceAgents.add("agent_voice_a");
  fake.phoneNumbers.add("+14155550111");
  fake.addAccount(KEY_B, {
    orgName: "B Inc",
    chatAgents: ["agent_chat_b"],
    voiceAgents: ["agent_voice_b"],
    phoneNumbers: ["+14155550122"],
  });
  return fake;
}

/** Runs `fn` with the two-account fake as Retell (no deployment key, open sign-up). */
function retellTest(name: string, fn: (t: TestApp, fake: FakeRetell) => Promise<void>) {
  dbTest(name, async (t) => {
    const fake = await twoAccounts();
    Object.assign(t.deps.config, { retellBaseUrl: fake.url, signup: "open" });
    try {
      await fn(t, fake);
    } finally {
      await fake.close();
    }
  });
}

/** The `<select>` of a field and its options as `value=label`, or undefined without one. */
function pickerOf(html: string, field: string): string[] | undefined {
  const select = new RegExp(`<select id="f-${field}"[^>]*>(.*?)</select>`, "s").exec(html);
  if (!select) return undefined;
  // Preact writes an empty value as a bare `value`.
  const option = /<option value(?:="([^"]*)")?( selected)?[^>]*>([^<]*)<\/option>/g;
  return [...select[1].matchAll(option)]
    .map((m) => `${decodeHtml(m[1] ?? "")}=${decodeHtml(m[3])}${m[2] ? " (selected)" : ""}`);
}

/** The text of HTML (the few entities Preact writes). */
function decodeHtml(html: string): string {
  return html.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
}

dbTest(
  "/admin/agents creates, lists, edits and deletes agents as the API stores them",
  async (t) => {
    const fake = await startFakeRetell();
    t.defer(() => fake.close());
    fake.chatAgents.add("agent_chat123");
    fake.voiceAgents.add("agent_voice456");
    fake.phoneNumbers.add("+14155550123");
    const s = await signUp(t);
    // The deployment's Retell account serves the organization (sign-up closed).
    useDeploymentRetell(t, fake);
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

retellTest(
  "/admin/agents/new offers the connected account's agents and numbers by name, not another's",
  async (t, fake) => {
    const s = await signUp(t, { organizationName: "A" });
    const put = await t.put("/api/organization/retell", { apiKey: KEY_A }, await apiToken(s));
    assert.equal(put.status, 200);
    const { res, html } = await s.page("/admin/agents/new");
    assert.equal(res.status, 200);
    assert.deepEqual(pickerOf(html, "retellChatAgentId"), [
      "=None (selected)",
      "agent_chat_a=Agent agent_chat_a (agent_chat_a)",
      "agent_chat_a2=Agent agent_chat_a2 (agent_chat_a2)",
    ]);
    assert.deepEqual(pickerOf(html, "retellAgentId"), [
      "=None: no calls (selected)",
      "agent_voice_a=Agent agent_voice_a (agent_voice_a)",
    ]);
    assert.deepEqual(pickerOf(html, "fromNumber"), [
      "=None: no phone calls (selected)",
      "+14155550111=+14155550111 · Line 0111",
    ]);
    assert.doesNotMatch(html, /agent_chat_b|agent_voice_b|\+14155550122/);
    assert.doesNotMatch(html, /No Retell account is connected|Retell did not answer/);
    // Every list went to A's account, with A's key.
    const lists = fake.requests.filter((r) => /list-(agents|phone-numbers)/.test(r.path));
    assert.ok(lists.length >= 2);
    assert.ok(lists.every((r) => r.headers.authorization === `Bearer ${KEY_A}`));

    // Picked and saved: stored, and picked again in the edit form.
    const created = await s.post("/admin/agents", {
      name: "Support",
      retellChatAgentId: "agent_chat_a2",
      retellAgentId: "agent_voice_a",
      fromNumber: "+14155550111",
    });
    assert.equal(created.status, 303);
    const list = await s.page("/admin/agents");
    const id = /href="\/admin\/agents\/([0-9a-f-]{36})"/.exec(list.html)![1];
    const edit = await s.page(`/admin/agents/${id}`);
    assert.ok(pickerOf(edit.html, "retellChatAgentId")!.includes(
      "agent_chat_a2=Agent agent_chat_a2 (agent_chat_a2) (selected)",
    ));
    assert.ok(pickerOf(edit.html, "fromNumber")!.includes(
      "+14155550111=+14155550111 · Line 0111 (selected)",
    ));

    // An id Retell no longer lists stays visible (and selected) instead of silently vanishing.
    fake.chatAgents.delete("agent_chat_a2");
    const gone = await s.page(`/admin/agents/${id}`);
    assert.ok(pickerOf(gone.html, "retellChatAgentId")!.includes(
      "agent_chat_a2=agent_chat_a2 (not in this Retell account) (selected)",
    ));
  },
);

retellTest(
  "POST /admin/agents refuses another account's agents and numbers, field by field",
  async (t) => {
    const s = await signUp(t, { organizationName: "A" });
    await t.put("/api/organization/retell", { apiKey: KEY_A }, await apiToken(s));
    await s.page("/admin/agents/new");
    // The attack: B's agents and caller id posted through A's form (not offered, but typed).
    const res = await s.post("/admin/agents", {
      name: "Borrowed",
      retellChatAgentId: "agent_chat_b",
      retellAgentId: "agent_voice_b",
      fromNumber: "+14155550122",
    });
    assert.equal(res.status, 400);
    const html = decodeHtml(await res.text());
    assert.match(html, /The chat agent is not in your Retell account/);
    assert.match(html, /The voice agent is not in your Retell account/);
    assert.match(html, /The outbound number is not in your Retell account/);
    assert.match(html, /id="f-retellChatAgentId" name="retellChatAgentId" aria-invalid="true"/);
    const list = await s.page("/admin/agents");
    assert.match(list.html, /No agents yet/, "nothing was stored");

    // The same through an existing agent's edit form.
    const id = await createAgentByForm(s, { name: "Mine", retellChatAgentId: "agent_chat_a" });
    await s.page(`/admin/agents/${id}`);
    const edited = await s.post(`/admin/agents/${id}`, {
      name: "Mine",
      retellChatAgentId: "agent_chat_b",
    });
    assert.equal(edited.status, 400);
    const stored = await (await t.get(`/api/agents/${id}`, await apiToken(s))).json();
    assert.equal(stored.retellChatAgentId, "agent_chat_a");
  },
);

retellTest(
  "/admin/agents/new without a Retell account: typed ids, says why, and names none on save",
  async (t, fake) => {
    const s = await signUp(t);
    const { res, html } = await s.page("/admin/agents/new");
    assert.equal(res.status, 200);
    assert.equal(pickerOf(html, "retellChatAgentId"), undefined);
    assert.match(html, /<input id="f-retellChatAgentId"/);
    assert.match(html, /No Retell account is connected/);
    assert.match(html, /href="\/admin\/settings"/);
    assert.equal(fake.requests.length, 0, "no account, nothing asked of Retell");
    const saved = await s.post("/admin/agents", { name: "A", retellChatAgentId: "agent_chat_a" });
    assert.equal(saved.status, 400);
    assert.match(decodeHtml(await saved.text()), /Connect a Retell account before choosing/);
    // Without ids the demo agent is fine.
    assert.equal((await s.post("/admin/agents", { name: "Demo" })).status, 303);
  },
);

retellTest(
  "/admin/agents/new when Retell fails: typed ids and a notice, never an error page",
  async (t, fake) => {
    const s = await signUp(t);
    await t.put("/api/organization/retell", { apiKey: KEY_A }, await apiToken(s));
    fake.failNext(500, { count: 10, match: /list-agents/ });
    const { res, html } = await s.page("/admin/agents/new");
    assert.equal(res.status, 200);
    assert.match(html, /Retell did not answer just now/);
    assert.match(html, /<input id="f-retellAgentId"/);
    // Saving while Retell cannot check the ids: the form again, with the reason, nothing stored.
    fake.failNext(500, { count: 10 });
    const saved = await s.post("/admin/agents", { name: "A", retellChatAgentId: "agent_chat_a" });
    assert.equal(saved.status, 502);
    assert.match(decodeHtml(await saved.text()), /Retell did not answer, so the agent could not/);
  },
);

retellTest("agentChoices gives up on a slow Retell and offers typed ids", async (t, fake) => {
  const s = await signUp(t);
  await t.put("/api/organization/retell", { apiKey: KEY_A }, await apiToken(s));
  const me = await (await t.get("/api/auth/me", await apiToken(s))).json();
  const organizationId = me.organization.id as string;
  fake.stallNext(5_000, { match: /list-agents/ });
  const started = Date.now();
  assert.deepEqual(await agentChoices(t.deps, organizationId, 200), { kind: "unavailable" });
  assert.ok(Date.now() - started < 2_000);
});
