import assert from "node:assert/strict";
import {
  dbTest,
  registerAdmin,
  type TestApp,
  useDeploymentRetell,
} from "../../helpers/test_app.ts";
import { type FakeRetell, startFakeRetell } from "../../helpers/fake_retell.ts";

dbTest("POST /api/agents creates an agent and the CRUD routes follow", async (t) => {
  const fake = await startFakeRetell();
  try {
    await crudFollows(t, fake);
  } finally {
    await fake.close();
  }
});

async function crudFollows(t: TestApp, fake: FakeRetell) {
  fake.voiceAgents.add("agent_voice_1");
  fake.chatAgents.add("agent_chat_1");
  useDeploymentRetell(t, fake);
  const { token, organizationId } = await registerAdmin(t);
  const created = await t.post("/api/agents", {
    name: "Support",
    retellAgentId: "agent_voice_1",
    retellChatAgentId: "agent_chat_1",
    fromNumber: "+14155550100",
  }, token);
  assert.equal(created.status, 201);
  const agent = await created.json();
  assert.equal(agent.organizationId, organizationId);
  assert.equal(agent.retellChatAgentId, "agent_chat_1");

  const list = await (await t.get("/api/agents", token)).json();
  assert.deepEqual(list.agents.map((a: { id: string }) => a.id), [agent.id]);

  const updated = await t.put(`/api/agents/${agent.id}`, { name: "Sales" }, token);
  assert.equal(updated.status, 200);
  const u = await updated.json();
  assert.equal(u.name, "Sales");
  assert.equal(u.fromNumber, "+14155550100", "PUT is partial");

  const cleared = await (await t.put(`/api/agents/${agent.id}`, { fromNumber: null }, token))
    .json();
  assert.equal(cleared.fromNumber, null);

  assert.equal((await t.delete(`/api/agents/${agent.id}`, token)).status, 204);
  assert.equal((await t.get(`/api/agents/${agent.id}`, token)).status, 404);
}

dbTest("/api/agents never shows another organization's agents", async (t) => {
  const a = await registerAdmin(t, "A");
  const b = await registerAdmin(t, "B");
  const agent = await (await t.post("/api/agents", { name: "Secret" }, a.token)).json();
  for (
    const res of [
      await t.get(`/api/agents/${agent.id}`, b.token),
      await t.put(`/api/agents/${agent.id}`, { name: "Stolen" }, b.token),
      await t.delete(`/api/agents/${agent.id}`, b.token),
    ]
  ) {
    assert.equal(res.status, 404);
    const text = await res.text();
    assert.ok(!text.includes("Secret"));
  }
  assert.deepEqual((await (await t.get("/api/agents", b.token)).json()).agents, []);
  assert.equal((await (await t.get(`/api/agents/${agent.id}`, a.token)).json()).name, "Secret");
});

dbTest("/api/agents validates input and requires an admin token", async (t) => {
  const { token } = await registerAdmin(t);
  const bad: unknown[] = [
    {},
    { name: "" },
    { name: "x".repeat(101) },
    { name: "A", fromNumber: "555-0100" },
    { name: "A", retellAgentId: "has spaces" },
    { name: 42 },
  ];
  for (const body of bad) {
    const res = await t.post("/api/agents", body, token);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal((await res.json()).error.code, "validation_failed");
  }
  assert.equal((await t.post("/api/agents", { name: "A" })).status, 401);
  assert.equal((await t.get("/api/agents/not-a-uuid", token)).status, 404);
});
