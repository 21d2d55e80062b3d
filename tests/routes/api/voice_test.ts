import assert from "node:assert/strict";
import { dbTest, setupVisitor, type TestApp, useDeploymentRetell } from "../../helpers/test_app.ts";
import { type FakeRetell, startFakeRetell } from "../../helpers/fake_retell.ts";
import { createRetellAgent } from "../../../agents/retell.ts";
import { eq } from "drizzle-orm";
import { insertCall, listCallsOf } from "../../../db/queries/calls.ts";
import { calls } from "../../../db/schema.ts";
import { chatTranscript } from "../../../calls/payload.ts";
import type { Config } from "../../../config.ts";
import type { Message } from "../../../contract/wire.ts";

const VOICE_AGENT = "agent_voice_test";
const FROM = "+14155550100";
const TO = "+14155552671";

/** Phone calls are opt-in (SPEC v2.1): these tests' widget offers both kinds, to the US. */
const PHONE_WIDGET = { voiceMode: "both", phoneCountries: ["US"] };

type Visitor = Awaited<ReturnType<typeof setupVisitor>> & { sessionId: string };

interface VoiceTestOptions {
  widget?: Record<string, unknown>;
  agent?: Record<string, unknown>;
  limits?: Partial<Config["limits"]>;
}

/**
 * Runs `fn` with the app's agent on a fresh fake Retell, and a visitor whose session has chatted
 * once ("Where is my order 1234?" answered "Echo: …").
 */
function voiceTest(
  name: string,
  fn: (t: TestApp, fake: FakeRetell, v: Visitor) => Promise<void>,
  options: VoiceTestOptions = {},
) {
  dbTest(name, async (t) => {
    const fake = await startFakeRetell();
    try {
      useDeploymentRetell(t, fake);
      t.deps.agent = createRetellAgent({
        apiKey: fake.apiKey,
        baseUrl: fake.url,
        timeoutMs: 2000,
        maxRetries: 2,
      });
      const v = await setupVisitor(t, { ...PHONE_WIDGET, ...options.widget }, {
        retellAgentId: VOICE_AGENT,
        retellChatAgentId: "agent_chat_test",
        fromNumber: FROM,
        ...options.agent,
      });
      const session = await t.post("/api/chat/sessions", {}, v.visitorToken);
      const sessionId = (await session.json()).id;
      const sent = await t.post(
        `/api/chat/sessions/${sessionId}/messages`,
        { content: "Where is my order 1234?" },
        v.visitorToken,
      );
      assert.equal(sent.status, 201);
      await fn(t, fake, { ...v, sessionId });
    } finally {
      await fake.close();
    }
  }, { config: { retellApiKey: "key_test_fake_retell", limits: options.limits } });
}

const voice = (t: TestApp, v: Visitor, body: unknown, token = v.visitorToken) =>
  t.post(`/api/chat/sessions/${v.sessionId}/voice`, body, token);

async function messagesOf(t: TestApp, v: Visitor): Promise<Message[]> {
  const res = await t.get(`/api/chat/sessions/${v.sessionId}/messages`, v.visitorToken);
  return (await res.json()).messages;
}

async function modeOf(t: TestApp, v: Visitor): Promise<string> {
  return (await (await t.get(`/api/chat/sessions/${v.sessionId}`, v.visitorToken)).json()).mode;
}

voiceTest(
  "POST /voice places one Retell phone call with the chat so far and switches to voice",
  async (t, fake, v) => {
    const res = await voice(t, v, { phoneNumber: "+1 (415) 555-2671" });
    assert.equal(res.status, 201);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const body = await res.json();
    const [created] = fake.calls.values();
    assert.deepEqual(body, {
      chatSessionId: v.sessionId,
      callId: body.callId,
      retellCallId: created.call_id,
      status: "connecting",
      phoneNumber: TO,
      kind: "phone",
      consentAt: null,
    });

    const requests = fake.requestsTo("/v2/create-phone-call", "POST");
    assert.equal(requests.length, 1);
    const sent = requests[0].body as Record<string, unknown>;
    assert.equal(sent.from_number, FROM);
    assert.equal(sent.to_number, TO);
    assert.equal(sent.override_agent_id, VOICE_AGENT);
    assert.deepEqual(sent.metadata, {
      chatSessionId: v.sessionId,
      callId: body.callId,
      organizationId: v.admin.organizationId,
    });
    const variables = sent.retell_llm_dynamic_variables as Record<string, string>;
    assert.equal(
      variables.chat_transcript,
      "Agent: Hello! How can I help you today?\nUser: Where is my order 1234?\nAgent: Echo: Where is my order 1234?",
    );
    assert.equal(variables.chat_session_id, v.sessionId);
    assert.equal(requests[0].headers["x-stainless-retry-count"], "0");

    assert.equal(await modeOf(t, v), "voice");
    const last = (await messagesOf(t, v)).at(-1)!;
    assert.equal(last.senderType, "system");
    assert.equal(last.messageType, "system");
    assert.equal(last.content, `Transitioning to voice call. Calling ${TO}...`);
    const [call] = await listCallsOf(t.deps.database.db, v.sessionId);
    assert.equal(call.status, "connecting");
    assert.equal(call.retellCallId, created.call_id);
  },
);

voiceTest(
  "POST /voice: a Retell 500 is one request, a 502, and nothing lost",
  async (t, fake, v) => {
    fake.failNext(500, { match: "/v2/create-phone-call" });
    const before = await messagesOf(t, v);
    const res = await voice(t, v, { phoneNumber: TO });
    assert.equal(res.status, 502);
    assert.equal((await res.json()).error.code, "retell_failed");
    // maxRetries 0: a retried create could ring the visitor twice.
    assert.equal(fake.requestsTo("/v2/create-phone-call").length, 1);
    assert.equal(await modeOf(t, v), "chat");
    const after = await messagesOf(t, v);
    assert.deepEqual(after.slice(0, before.length), before);
    assert.equal(after.length, before.length + 1);
    assert.equal(after.at(-1)!.senderType, "system");
    assert.match(after.at(-1)!.content, /could not be started/);
    const [call] = await listCallsOf(t.deps.database.db, v.sessionId);
    assert.equal(call.status, "error");

    // The failed call does not hold the session's one slot.
    const retry = await voice(t, v, { phoneNumber: TO });
    assert.equal(retry.status, 201);
    assert.equal(fake.requestsTo("/v2/create-phone-call").length, 2);
  },
);

voiceTest("POST /voice refuses numbers that cannot be called", async (t, fake, v) => {
  const cases: unknown[] = [
    {},
    { phoneNumber: "" },
    { phoneNumber: "4155552671" },
    { phoneNumber: "+1555" },
    { phoneNumber: "+15555555555" },
    { phoneNumber: "+1415555267a" },
    { phoneNumber: "+1 415 555 2671 ext 9" },
    { phoneNumber: "+999123456789" },
    { phoneNumber: 14155552671 },
    { phoneNumber: "+" + "1".repeat(40) },
    { mode: "phone" },
    { mode: "video", phoneNumber: TO },
    { mode: "web", phoneNumber: TO },
    { phoneNumber: TO, extra: true },
  ];
  for (const body of cases) {
    const res = await voice(t, v, body);
    assert.equal(res.status, 400, JSON.stringify(body));
    assert.equal((await res.json()).error.code, "validation_failed", JSON.stringify(body));
  }
  const res = await voice(t, v, { phoneNumber: "+1555" });
  assert.match((await res.json()).error.message, /country code/);
  const raw = await voice(t, v, "{nope");
  assert.equal(raw.status, 400);
  assert.equal(fake.requestsTo(/call/).length, 0);
  assert.equal(await modeOf(t, v), "chat");
});

for (
  const [voiceMode, allowed] of [
    ["phone", ["phone"]],
    ["web", ["web"]],
    ["both", ["phone", "web"]],
    ["off", []],
  ] as const
) {
  voiceTest(`POST /voice follows the widget's voiceMode "${voiceMode}"`, async (t, fake, v) => {
    for (const kind of ["phone", "web"] as const) {
      const res = await voice(t, v, kind === "web" ? { mode: "web" } : { phoneNumber: TO });
      if ((allowed as readonly string[]).includes(kind)) {
        assert.equal(res.status, 201, `${kind}: ${await res.clone().text()}`);
        // End it, so that the next kind can start.
        await endThroughRetell(t, fake, v);
      } else {
        assert.equal(res.status, 403, kind);
        assert.equal(
          (await res.json()).error.code,
          kind === "phone" ? "phone_not_enabled" : "forbidden",
        );
      }
    }
    assert.equal(
      fake.requestsTo(/create-(phone|web)-call/).length,
      allowed.length,
    );
  }, { widget: { voiceMode } });
}

/** Closes the session's active call with a get-call that says ended (Retell lost it). */
async function endThroughRetell(t: TestApp, fake: FakeRetell, v: Visitor) {
  const [call] = await listCallsOf(t.deps.database.db, v.sessionId);
  if (call.status === "ended") return;
  fake.calls.get(call.retellCallId!)!.call_status = "ended";
  const res = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
  assert.equal(res.status, 200);
}

voiceTest("POST /voice allows one call in progress per session", async (t, fake, v) => {
  const first = await voice(t, v, { phoneNumber: TO });
  assert.equal(first.status, 201);
  const second = await voice(t, v, { mode: "web" });
  assert.equal(second.status, 409);
  assert.equal((await second.json()).error.code, "conflict");
  assert.equal(fake.requestsTo(/create-(phone|web)-call/).length, 1);

  // Racing requests on a fresh session: the database's unique index lets exactly one through.
  // (Browser calls, so that the budget per number called does not answer first.)
  const session = await t.post("/api/chat/sessions", {}, v.visitorToken);
  const other = { ...v, sessionId: (await session.json()).id };
  const results = await Promise.all(
    [0, 1, 2, 3].map(() => voice(t, other, { mode: "web" })),
  );
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 409, 409, 409]);
  assert.equal(fake.requestsTo(/create-(phone|web)-call/).length, 2);
});

voiceTest("POST /voice on an ended session is a 409", async (t, fake, v) => {
  const end = await t.put(`/api/chat/sessions/${v.sessionId}`, { status: "ended" }, v.visitorToken);
  assert.equal(end.status, 200);
  const res = await voice(t, v, { phoneNumber: TO });
  assert.equal(res.status, 409);
  assert.match((await res.json()).error.message, /ended/);
  assert.equal(fake.requestsTo(/call/).length, 0);
});

voiceTest(
  "POST /voice without a Retell voice agent or a number to call from is a clear 409",
  async (t, fake, v) => {
    const agents = `/api/agents/${v.agent.id}`;
    await t.put(agents, { fromNumber: null }, v.admin.token);
    const noFrom = await voice(t, v, { phoneNumber: TO });
    assert.equal(noFrom.status, 409);
    assert.match((await noFrom.json()).error.message, /fromNumber/);
    // A browser call needs no number.
    const web = await voice(t, v, { mode: "web" });
    assert.equal(web.status, 201);
    await endThroughRetell(t, fake, v);

    await t.put(agents, { retellAgentId: null }, v.admin.token);
    const noAgent = await voice(t, v, { mode: "web" });
    assert.equal(noAgent.status, 409);
    assert.match((await noAgent.json()).error.message, /retellAgentId/);
    assert.equal(await modeOf(t, v), "chat");
    assert.equal(fake.requestsTo(/create-(phone|web)-call/).length, 1);
  },
);

voiceTest(
  "POST /voice {mode: web} creates a browser call through /v2/create-web-call",
  async (t, fake, v) => {
    const res = await voice(t, v, { mode: "web" });
    assert.equal(res.status, 201);
    const body = await res.json();
    const [created] = fake.calls.values();
    assert.equal(body.accessToken, created.access_token);
    assert.equal(body.retellCallId, created.call_id);
    assert.equal(body.status, "connecting");
    assert.equal(body.phoneNumber, null);
    assert.equal(body.simulated, undefined);
    const [request] = fake.requestsTo("/v2/create-web-call", "POST");
    const sent = request.body as Record<string, Record<string, string>>;
    assert.equal(sent.agent_id as unknown, VOICE_AGENT);
    assert.equal(sent.metadata.callId, body.callId);
    assert.match(
      sent.retell_llm_dynamic_variables.chat_transcript,
      /User: Where is my order 1234\?/,
    );
    assert.equal(fake.requestsTo("/v3/create-web-call").length, 0);
    const last = (await messagesOf(t, v)).at(-1)!;
    assert.equal(last.content, "Starting a voice call in your browser…");
    // The token is for the caller only: it is not stored anywhere.
    const [call] = await listCallsOf(t.deps.database.db, v.sessionId);
    assert.ok(!JSON.stringify(call).includes(body.accessToken));
  },
);

voiceTest("POST /voice/end stops the call through Retell; 404 without one", async (t, fake, v) => {
  const none = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
  assert.equal(none.status, 404);
  assert.equal((await none.json()).error.code, "not_found");

  const started = await (await voice(t, v, { phoneNumber: TO })).json();
  // The widget may send no body at all.
  const end = await t.request(`/api/chat/sessions/${v.sessionId}/voice/end`, {
    method: "POST",
    headers: { authorization: `Bearer ${v.visitorToken}` },
  });
  assert.equal(end.status, 200);
  const body = await end.json();
  assert.equal(body.callId, started.callId);
  // Stopped, not ended yet: the final state (and transcript) comes with Retell's webhook.
  assert.equal(body.status, "connecting");
  const stops = fake.requestsTo(`/v2/stop-call/${started.retellCallId}`, "POST");
  assert.equal(stops.length, 1);
  assert.equal(await modeOf(t, v), "voice");

  // Retell has it no more (stop-call 422): its final state from get-call closes it here.
  fake.calls.get(started.retellCallId)!.transcript_object = [
    { role: "agent", content: "Hi, following up on order 1234.", words: [] },
    { role: "user", content: "Thanks, bye.", words: [] },
  ];
  const again = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
  assert.equal(again.status, 200);
  assert.equal((await again.json()).status, "ended");
  assert.equal(fake.requestsTo(`/v2/get-call/${started.retellCallId}`, "GET").length, 1);
  assert.equal(await modeOf(t, v), "chat");
  const spoken = (await messagesOf(t, v)).filter((m) => m.messageType === "voice");
  assert.deepEqual(spoken.map((m) => [m.senderType, m.content]), [
    ["agent", "Hi, following up on order 1234."],
    ["user", "Thanks, bye."],
  ]);
  const gone = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
  assert.equal(gone.status, 404);
});

voiceTest("PUT /sessions/:id ending the conversation hangs up its call", async (t, fake, v) => {
  const started = await (await voice(t, v, { phoneNumber: TO })).json();
  const res = await t.put(`/api/chat/sessions/${v.sessionId}`, { status: "ended" }, v.visitorToken);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).status, "ended");
  assert.equal(fake.requestsTo(`/v2/stop-call/${started.retellCallId}`, "POST").length, 1);
  // A session without a call ends quietly, with no request to Retell.
  const other = await t.post("/api/chat/sessions", {}, v.visitorToken);
  const otherId = (await other.json()).id;
  const ended = await t.put(`/api/chat/sessions/${otherId}`, { status: "ended" }, v.visitorToken);
  assert.equal(ended.status, 200);
  assert.equal(fake.requests.filter((r) => r.path.includes("stop-call")).length, 1);
});

voiceTest("POST /voice/end: a Retell failure is a 502 and the call stays", async (t, fake, v) => {
  await voice(t, v, { phoneNumber: TO });
  fake.failNext(500, { match: /stop-call/, count: 3 });
  const res = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
  assert.equal(res.status, 502);
  assert.equal((await res.json()).error.code, "retell_failed");
  assert.equal(await modeOf(t, v), "voice");
});

voiceTest(
  "POST /voice is rate limited per visitor and per number called",
  async (t, fake, v) => {
    assert.equal((await voice(t, v, { phoneNumber: TO })).status, 201);
    await endThroughRetell(t, fake, v);
    const res = await voice(t, v, { mode: "web" });
    assert.equal(res.status, 429);
    assert.ok(Number(res.headers.get("retry-after")) > 0);
    assert.equal((await res.json()).error.code, "rate_limited");

    // Another visitor may not ring the same number past its budget either.
    const auth = await t.post("/embed/auth", { widgetId: v.widget.id, domain: "example.com" });
    const token = (await auth.json()).token;
    const session = await t.post("/api/chat/sessions", {}, token);
    const other = { ...v, visitorToken: token, sessionId: (await session.json()).id };
    assert.equal((await voice(t, other, { phoneNumber: TO }, token)).status, 429);
    assert.equal((await voice(t, other, { mode: "web" }, token)).status, 201);
    assert.equal(fake.requestsTo(/create-(phone|web)-call/).length, 2);
  },
  { limits: { callsPerVisitorPerHour: 1, callsPerNumberPerHour: 1 } },
);

voiceTest("POST /voice keeps to the visitor's own sessions", async (t, fake, v) => {
  const stranger = await setupVisitor(t);
  const sameWidget = await t.post("/embed/auth", { widgetId: v.widget.id, domain: "example.com" });
  const otherVisitor = (await sameWidget.json()).token;
  for (const token of [stranger.visitorToken, stranger.admin.token, otherVisitor]) {
    const res = await voice(t, v, { phoneNumber: TO }, token);
    assert.equal(res.status, 404);
    const end = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, token);
    assert.equal(end.status, 404);
  }
  const anonymous = await t.post(`/api/chat/sessions/${v.sessionId}/voice`, { phoneNumber: TO });
  assert.equal(anonymous.status, 401);
  const bad = await t.post(`/api/chat/sessions/not-a-uuid/voice`, { mode: "web" }, v.visitorToken);
  assert.equal(bad.status, 404);
  assert.equal(fake.requestsTo(/call/).length, 0);

  // The organization's admin may place a call for the session.
  const admin = await voice(t, v, { mode: "web" }, v.admin.token);
  assert.equal(admin.status, 201);

  // An inactive widget cannot be used to call.
  await t.put(`/api/widgets/${v.widget.id}`, { isActive: false }, v.admin.token);
  const inactive = await voice(t, v, { phoneNumber: TO });
  assert.equal(inactive.status, 403);
});

voiceTest("a reservation left by a process that died is released", async (t, fake, v) => {
  const db = t.deps.database.db;
  const age = (id: string) =>
    db.update(calls).set({ createdAt: new Date(Date.now() - 3_600_000) }).where(eq(calls.id, id));
  const first = await insertCall(db, { sessionId: v.sessionId, kind: "phone", phoneNumber: TO });
  // A fresh one is a call being placed right now.
  assert.equal((await voice(t, v, { mode: "web" })).status, 409);
  const early = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
  assert.equal(early.status, 409);
  assert.match((await early.json()).error.message, /still being placed/);

  await age(first.id);
  const end = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
  assert.equal(end.status, 200);
  assert.equal((await end.json()).status, "error");

  const second = await insertCall(db, { sessionId: v.sessionId, kind: "web", phoneNumber: null });
  await age(second.id);
  const res = await voice(t, v, { phoneNumber: TO });
  assert.equal(res.status, 201);
  const rows = await listCallsOf(db, v.sessionId);
  assert.deepEqual(
    rows.map((r) => [r.id, r.status, r.disconnectionReason]).sort(),
    [
      [first.id, "error", "abandoned"],
      [second.id, "error", "abandoned"],
      [(await res.json()).callId, "connecting", null],
    ].sort(),
  );
  assert.equal(fake.requestsTo(/create-(phone|web)-call/).length, 1);
});

Deno.test("chatTranscript keeps the newest messages within the budget", () => {
  const messages = [
    { senderType: "agent", content: "Hello!" },
    { senderType: "user", content: "first\nquestion" },
    { senderType: "system", content: "Transitioning to voice call." },
    { senderType: "agent", content: "first answer" },
    { senderType: "user", content: "second question" },
  ];
  assert.equal(
    chatTranscript(messages),
    "Agent: Hello!\nUser: first question\nAgent: first answer\nUser: second question",
  );
  assert.equal(chatTranscript(messages, 45), "Agent: first answer\nUser: second question");
  const long = chatTranscript([{ senderType: "user", content: "x".repeat(5000) + "END" }], 4000);
  assert.equal(long.length, 4000);
  assert.ok(long.startsWith("User: …") && long.endsWith("END"));
  const many = Array.from({ length: 500 }, (_, i) => ({ senderType: "user", content: `m${i}` }));
  const trimmed = chatTranscript(many, 4000);
  assert.ok(trimmed.length <= 4000);
  assert.ok(trimmed.endsWith("User: m499"));
  assert.equal(chatTranscript([]), "");
});
