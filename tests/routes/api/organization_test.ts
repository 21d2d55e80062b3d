/**
 * SPEC v2.2 "Each organization uses only its own Retell account": the key API, resources checked
 * against the organization's own account, every Retell request with that account's key,
 * per-organization webhooks, and keys that still decrypt after a restart. The fake Retell serves
 * two accounts, as two organizations' would be.
 */
import assert from "node:assert/strict";
import { sign } from "retell-sdk";
import { eq } from "drizzle-orm";
import {
  createAgentAndWidget,
  dbTest,
  registerAdmin,
  startApp,
  type TestApp,
  useDeploymentRetell,
} from "../../helpers/test_app.ts";
import { type FakeRetell, startFakeRetell } from "../../helpers/fake_retell.ts";
import { calls, organizations } from "../../../db/schema.ts";
import { getCallById } from "../../../db/queries/calls.ts";

const KEY_A = "key_account_a_0001";
const KEY_B = "key_account_b_0002";

/** A fake Retell with two accounts: A (chat agent, voice agent, number) and B (its own). */
async function twoAccounts(): Promise<FakeRetell> {
  const fake = await startFakeRetell(KEY_A);
  fake.chatAgents.add("agent_chat_a");
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

/** Runs `fn` with the two-account fake as Retell (`RETELL_BASE_URL`), no deployment key. */
function tenancyTest(name: string, fn: (t: TestApp, fake: FakeRetell) => Promise<void>) {
  dbTest(name, async (t) => {
    const fake = await twoAccounts();
    t.deps.config.retellBaseUrl = fake.url;
    try {
      await fn(t, fake);
    } finally {
      await fake.close();
    }
  });
}

/** An organization connected to one account, with an agent of that account and a visitor. */
async function tenant(t: TestApp, key: string, suffix: "a" | "b") {
  const admin = await registerAdmin(t, `Org ${suffix}`);
  const put = await t.put("/api/organization/retell", { apiKey: key }, admin.token);
  assert.equal(put.status, 200, await put.clone().text());
  const { agent, widget } = await createAgentAndWidget(t, admin.token, {
    voiceMode: "both",
    phoneCountries: ["US"],
  }, {
    retellChatAgentId: `agent_chat_${suffix}`,
    retellAgentId: `agent_voice_${suffix}`,
    fromNumber: suffix === "a" ? "+14155550111" : "+14155550122",
  });
  const auth = await (await t.post("/embed/auth", { widgetId: widget.id, domain: "example.com" }))
    .json();
  return { admin, agent, widget, visitorToken: auth.token as string };
}

/** A webhook as Retell sends it, signed with `key`. */
async function webhook(t: TestApp, path: string, body: unknown, key: string) {
  const raw = JSON.stringify(body);
  return await t.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-retell-signature": await sign(raw, key) },
    body: raw,
  });
}

tenancyTest(
  "PUT|GET|DELETE /api/organization/retell: checked, sealed, never returned",
  async (t, fake) => {
    const admin = await registerAdmin(t);
    const none = await t.get("/api/organization/retell", admin.token);
    assert.equal(none.status, 200);
    assert.deepEqual(await none.json(), { connected: false, keyHint: null, source: null });

    const refused = await t.put(
      "/api/organization/retell",
      { apiKey: "key_nobody_knows" },
      admin.token,
    );
    assert.equal(refused.status, 400);
    assert.equal((await refused.json()).error.code, "retell_key_invalid");
    for (const body of [{}, { apiKey: "" }, { apiKey: "has spaces in it" }, { apiKey: 42 }]) {
      const res = await t.put("/api/organization/retell", body, admin.token);
      assert.equal(res.status, 400, JSON.stringify(body));
    }
    assert.equal((await t.put("/api/organization/retell", { apiKey: KEY_B })).status, 401);

    const put = await t.put("/api/organization/retell", { apiKey: KEY_B }, admin.token);
    assert.equal(put.status, 200);
    const text = await put.text();
    assert.ok(!text.includes(KEY_B), "the key is never returned");
    assert.deepEqual(JSON.parse(text), {
      connected: true,
      keyHint: "…0002",
      source: "organization",
    });
    // Checked with Retell by listing the account's agents, with the key given.
    const listed = fake.requestsTo("/v2/list-agents").at(-1)!;
    assert.equal(listed.headers.authorization, `Bearer ${KEY_B}`);

    // At rest: sealed, not the key.
    const [row] = await t.deps.database.db.select().from(organizations)
      .where(eq(organizations.id, admin.organizationId));
    assert.ok(row.retellKeySealed && !row.retellKeySealed.includes(KEY_B));
    assert.equal(row.retellKeyHint, "…0002");

    // Another organization sees only its own state.
    const other = await registerAdmin(t, "Other");
    assert.equal(
      (await (await t.get("/api/organization/retell", other.token)).json()).connected,
      false,
    );

    assert.equal((await t.delete("/api/organization/retell", admin.token)).status, 204);
    assert.deepEqual(await (await t.get("/api/organization/retell", admin.token)).json(), {
      connected: false,
      keyHint: null,
      source: null,
    });
  },
);

tenancyTest("an organization can name only its own account's agents and numbers", async (t) => {
  const a = await tenant(t, KEY_A, "a");
  const b = await registerAdmin(t, "Attacker");
  await t.put("/api/organization/retell", { apiKey: KEY_B }, b.token);
  // The reproduction of issue 14: B names A's chat agent, voice agent and caller id.
  for (
    const [path, value] of [
      ["retellChatAgentId", "agent_chat_a"],
      ["retellAgentId", "agent_voice_a"],
      ["fromNumber", "+14155550111"],
    ]
  ) {
    const res = await t.post("/api/agents", { name: "Stolen", [path]: value }, b.token);
    assert.equal(res.status, 400, path);
    const { error } = await res.json();
    assert.equal(error.code, "retell_resource_unknown");
    assert.deepEqual(error.details.map((d: { path: string }) => d.path), [path]);
  }
  // And on update.
  const own =
    await (await t.post("/api/agents", { name: "Own", retellChatAgentId: "agent_chat_b" }, b.token))
      .json();
  const stolen = await t.put(`/api/agents/${own.id}`, { retellAgentId: "agent_voice_a" }, b.token);
  assert.equal(stolen.status, 400);
  assert.equal((await stolen.json()).error.code, "retell_resource_unknown");
  assert.equal((await (await t.get(`/api/agents/${own.id}`, b.token)).json()).retellAgentId, null);
  // A's agent is untouched and A's own ids pass.
  assert.equal(a.agent.retellChatAgentId, "agent_chat_a");
  // Without any Retell account, no Retell id can be the organization's.
  const bare = await registerAdmin(t, "Bare");
  const res = await t.post(
    "/api/agents",
    { name: "X", retellChatAgentId: "agent_chat_a" },
    bare.token,
  );
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.code, "retell_resource_unknown");
});

tenancyTest("every Retell request of an organization carries its own key", async (t, fake) => {
  const a = await tenant(t, KEY_A, "a");
  const b = await tenant(t, KEY_B, "b");
  fake.requests.length = 0;
  for (const [who, key] of [[a, KEY_A], [b, KEY_B]] as const) {
    const session = await (await t.post("/api/chat/sessions", {}, who.visitorToken)).json();
    const sent = await t.post(
      `/api/chat/sessions/${session.id}/messages`,
      { content: "hello" },
      who.visitorToken,
    );
    assert.equal(sent.status, 201, await sent.clone().text());
    assert.equal((await sent.json()).agentMessage.content, "Echo: hello");
    const call = await t.post(
      `/api/chat/sessions/${session.id}/voice`,
      { phoneNumber: "+14155552671" },
      who.visitorToken,
    );
    assert.equal(call.status, 201, await call.clone().text());
    assert.equal(
      (await t.post(`/api/chat/sessions/${session.id}/voice/end`, {}, who.visitorToken)).status,
      200,
    );
    assert.equal(
      (await t.put(`/api/chat/sessions/${session.id}`, { status: "ended" }, who.visitorToken))
        .status,
      200,
    );
    const paths = fake.requests.map((r) => r.path);
    for (const path of ["/create-chat", "/create-chat-completion", "/v2/create-phone-call"]) {
      assert.ok(paths.includes(path), path);
    }
    assert.ok(paths.some((p) => p.startsWith("/v2/stop-call/")));
    assert.ok(paths.some((p) => p.startsWith("/end-chat/")));
    for (const r of fake.requests) {
      assert.equal(r.headers.authorization, `Bearer ${key}`, `${r.method} ${r.path}`);
      assert.notEqual(r.status, 401, `${r.path}: the key was refused`);
    }
    fake.requests.length = 0;
  }
});

tenancyTest(
  "open sign-up: an organization without a key gets the demo, never the deployment's key",
  async (t, fake) => {
    useDeploymentRetell(t, fake);
    t.deps.config.signup = "open";
    const admin = await registerAdmin(t);
    assert.deepEqual(await (await t.get("/api/organization/retell", admin.token)).json(), {
      connected: false,
      keyHint: null,
      source: null,
    });
    const { widget } = await createAgentAndWidget(t, admin.token, { voiceMode: "web" });
    const auth = await (await t.post("/embed/auth", { widgetId: widget.id, domain: "x.com" }))
      .json();
    const session = await (await t.post("/api/chat/sessions", {}, auth.token)).json();
    fake.requests.length = 0;
    const sent = await t.post(
      `/api/chat/sessions/${session.id}/messages`,
      { content: "hi" },
      auth.token,
    );
    assert.equal(sent.status, 201);
    assert.equal((await sent.json()).agentMessage.metadata?.replyTo !== undefined, true);
    assert.equal(fake.requests.length, 0, "nothing reached Retell");

    // Closed sign-up: the same organization is the operator's and uses the deployment's key.
    t.deps.config.signup = "closed";
    assert.deepEqual(await (await t.get("/api/organization/retell", admin.token)).json(), {
      connected: true,
      keyHint: "…0001",
      source: "deployment",
    });
  },
);

tenancyTest("webhooks: each organization's URL, its key, its calls only", async (t, fake) => {
  useDeploymentRetell(t, fake); // the deployment's key is account A's
  const a = await tenant(t, KEY_A, "a");
  const b = await tenant(t, KEY_B, "b");
  const session = await (await t.post("/api/chat/sessions", {}, a.visitorToken)).json();
  const placed = await (await t.post(
    `/api/chat/sessions/${session.id}/voice`,
    { phoneNumber: "+14155552671" },
    a.visitorToken,
  )).json();
  const db = t.deps.database.db;
  const event = {
    event: "call_started",
    call: {
      call_id: placed.retellCallId,
      call_status: "ongoing",
      start_timestamp: Date.now(),
      metadata: { callId: placed.callId },
    },
  };
  const status = async () => (await getCallById(db, placed.callId))!.status;

  // B's URL with B's key: verified, but not B's call, so nothing changes.
  const hookA = `/api/retell/webhook/${a.admin.organizationId}`;
  const hookB = `/api/retell/webhook/${b.admin.organizationId}`;
  assert.equal((await webhook(t, hookB, event, KEY_B)).status, 204);
  assert.equal(await status(), "connecting");
  // A's URL signed with B's key does not verify.
  assert.equal((await webhook(t, hookA, event, KEY_B)).status, 401);
  // The deployment's URL and key (the same account as A's here) do not speak for A either:
  // A has its own key, so its calls are A's URL's.
  assert.equal((await webhook(t, "/api/retell/webhook", event, KEY_A)).status, 204);
  assert.equal(await status(), "connecting");
  // Unknown organizations and malformed ids: nothing to verify with.
  assert.equal(
    (await webhook(t, `/api/retell/webhook/${crypto.randomUUID()}`, event, KEY_A)).status,
    401,
  );
  assert.equal((await webhook(t, "/api/retell/webhook/not-a-uuid", event, KEY_A)).status, 401);
  // A's URL with A's key applies it.
  const raw = JSON.stringify(event);
  const signature = await sign(raw, KEY_A);
  const send = () =>
    t.request(hookA, {
      method: "POST",
      headers: { "content-type": "application/json", "x-retell-signature": signature },
      body: raw,
    });
  assert.equal((await send()).status, 204);
  assert.equal(await status(), "ongoing");
  // Replayed inside the signature window: acknowledged, not applied again (the call's status is
  // put back first so that a second application would show).
  await db.update(calls).set({ status: "connecting" }).where(eq(calls.id, placed.callId));
  assert.equal((await send()).status, 204);
  assert.equal(await status(), "connecting");
});

dbTest(
  "stored Retell keys still decrypt after a restart; another secret cannot open them",
  async (t) => {
    const fake = await twoAccounts();
    try {
      const config = { retellBaseUrl: fake.url, signup: "open" as const };
      Object.assign(t.deps.config, config);
      const a = await tenant(t, KEY_A, "a");
      // A new process on the same database, with the same configuration.
      const restarted = await startApp(t.kind, { database: t.testDb, config });
      try {
        assert.deepEqual(
          await (await restarted.get("/api/organization/retell", a.admin.token)).json(),
          { connected: true, keyHint: "…0001", source: "organization" },
        );
        const session = await (await restarted.post("/api/chat/sessions", {}, a.visitorToken))
          .json();
        fake.requests.length = 0;
        const sent = await restarted.post(
          `/api/chat/sessions/${session.id}/messages`,
          { content: "still there?" },
          a.visitorToken,
        );
        assert.equal(sent.status, 201);
        assert.equal(fake.requests[0].headers.authorization, `Bearer ${KEY_A}`);
      } finally {
        await restarted.close();
      }
      // ENCRYPTION_KEY unset: the key was derived from JWT_SECRET, so another secret cannot open it.
      const secret = "another-secret-another-secret-another-1";
      const rotated = await startApp(t.kind, {
        database: t.testDb,
        config: { ...config, jwtSecret: secret },
      });
      try {
        const tenancy = rotated.deps.tenants;
        assert.equal(
          await tenancy.accountOf(rotated.deps.database.db, a.admin.organizationId),
          undefined,
        );
      } finally {
        await rotated.close();
      }
    } finally {
      await fake.close();
    }
  },
);

dbTest("ENCRYPTION_KEY seals keys independently of JWT_SECRET", async (t) => {
  const encryptionKey = "encryption-key-encryption-key-0123456789";
  Object.assign(t.deps.config, { encryptionKey });
  const fresh = await startApp(t.kind, { database: t.testDb, config: { encryptionKey } });
  try {
    const db = t.deps.database.db;
    const admin = await registerAdmin(t);
    await fresh.deps.tenants.connect(db, admin.organizationId, "key_sealed_with_encryption");
    const rotated = await startApp(t.kind, {
      database: t.testDb,
      config: { encryptionKey, jwtSecret: "rotated-secret-rotated-secret-rotated-9" },
    });
    try {
      const account = await rotated.deps.tenants.accountOf(db, admin.organizationId);
      assert.equal(account?.apiKey, "key_sealed_with_encryption");
      // A sealed key copied into another organization's row does not open there.
      const other = await registerAdmin(t, "Other");
      const [row] = await db.select().from(organizations).where(
        eq(organizations.id, admin.organizationId),
      );
      await db.update(organizations).set({
        retellKeySealed: row.retellKeySealed,
        retellKeyHint: "…tion",
      })
        .where(eq(organizations.id, other.organizationId));
      assert.equal(await rotated.deps.tenants.accountOf(db, other.organizationId), undefined);
    } finally {
      await rotated.close();
    }
  } finally {
    await fresh.close();
  }
});
