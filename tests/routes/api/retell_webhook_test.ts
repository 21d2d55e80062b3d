import assert from "node:assert/strict";
import { sign } from "retell-sdk";
import { eachDatabase } from "../../helpers/db.ts";
import {
  dbTest,
  setupVisitor,
  startApp,
  type TestApp,
  useDeploymentRetell,
} from "../../helpers/test_app.ts";
import { serveApp, serverTest, startServer } from "../../helpers/server.ts";
import { startPgFanout } from "../../../hub/pg_fanout.ts";
import { type FakeRetell, startFakeRetell } from "../../helpers/fake_retell.ts";
import { WsClient } from "../../helpers/ws.ts";
import { createRetellAgent } from "../../../agents/retell.ts";
import { listCallsOf } from "../../../db/queries/calls.ts";
import { pruneDeliveries } from "../../../db/queries/retell_deliveries.ts";
import { calls, retellDeliveries } from "../../../db/schema.ts";
import { eq } from "drizzle-orm";
import type { ServerEvent } from "../../../contract/events.ts";
import type { Message } from "../../../contract/wire.ts";

const KEY = "key_test_fake_retell";
const TO = "+14155552671";
const RECORDING = "https://recordings.example.com/call_1.wav";

/** A visitor in voice mode: a phone call placed through the fake Retell. */
async function inCall(t: TestApp, fake: FakeRetell) {
  useDeploymentRetell(t, fake);
  t.deps.agent = createRetellAgent({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    timeoutMs: 2000,
    maxRetries: 0,
  });
  const v = await setupVisitor(t, { voiceMode: "both", phoneCountries: ["US"] }, {
    retellAgentId: "agent_voice_test",
    fromNumber: "+14155550100",
  });
  const session = await t.post("/api/chat/sessions", {}, v.visitorToken);
  const sessionId = (await session.json()).id as string;
  const res = await t.post(
    `/api/chat/sessions/${sessionId}/voice`,
    { phoneNumber: TO },
    v.visitorToken,
  );
  assert.equal(res.status, 201);
  const call = await res.json();
  return {
    ...v,
    sessionId,
    callId: call.callId as string,
    retellCallId: call.retellCallId as string,
    /** Retell's call object for this call, as a webhook carries it. */
    payload(extra: Record<string, unknown> = {}) {
      return {
        call_id: call.retellCallId,
        call_type: "phone_call",
        agent_id: "agent_voice_test",
        call_status: "ongoing",
        direction: "outbound",
        from_number: "+14155550100",
        to_number: TO,
        metadata: { chatSessionId: sessionId, callId: call.callId, organizationId: "x" },
        start_timestamp: 1_764_000_000_000,
        ...extra,
      };
    },
  };
}

/** Retell's `call_ended` for a call of 2 min 14 s with four turns. */
function ended(call: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    ...call,
    call_status: "ended",
    end_timestamp: 1_764_000_134_000,
    duration_ms: 134_000,
    disconnection_reason: "user_hangup",
    recording_url: RECORDING,
    transcript: "Agent: Hi!\nUser: Where is my parcel?\nAgent: On its way.\nUser: Thanks.",
    transcript_object: [
      { role: "agent", content: "Hi! I see you asked about order 1234.", words: [{ start: 0.2 }] },
      { role: "user", content: "Yes, where is my parcel?", words: [{ start: 3.1 }] },
      { role: "agent", content: "It is on its way and arrives tomorrow.", words: [] },
      { role: "user", content: "  ", words: [] },
      { role: "user", content: "Thanks.", words: [] },
    ],
    ...extra,
  };
}

/** Posts a webhook in-process, signed with the SDK's `sign()` unless a signature is given. */
async function post(
  t: TestApp,
  body: string | Record<string, unknown>,
  options: { signature?: string | null; key?: string } = {},
) {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const signature = options.signature === undefined
    ? await sign(raw, options.key ?? KEY)
    : options.signature;
  return await t.request("/api/retell/webhook", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(signature === null ? {} : { "x-retell-signature": signature }),
    },
    body: raw,
  });
}

/** Signs with a chosen timestamp (`sign()` always uses now), as Retell's format defines it. */
async function signAt(raw: string, key: string, ms: number): Promise<string> {
  const k = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = await crypto.subtle.sign("HMAC", k, new TextEncoder().encode(raw + ms));
  const hex = Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
  return `v=${ms},d=${hex}`;
}

function webhookTest(name: string, fn: (t: TestApp, fake: FakeRetell) => Promise<void>) {
  dbTest(name, async (t) => {
    const fake = await startFakeRetell(KEY);
    try {
      await fn(t, fake);
    } finally {
      await fake.close();
    }
  }, { config: { retellApiKey: KEY } });
}

async function messagesOf(t: TestApp, sessionId: string, token: string): Promise<Message[]> {
  const res = await t.get(`/api/chat/sessions/${sessionId}/messages`, token);
  return (await res.json()).messages;
}

webhookTest("POST /api/retell/webhook refuses what is not signed by Retell", async (t, fake) => {
  const c = await inCall(t, fake);
  const raw = JSON.stringify({ event: "call_started", call: c.payload() });
  const now = Date.now();
  const good = await sign(raw, KEY);
  const cases: [string, string | null, string][] = [
    ["no signature", null, raw],
    ["empty signature", "", raw],
    ["garbage", "v=1,d=zz", raw],
    ["spaces", good.replace(",", ", "), raw],
    ["seconds, not ms", await signAt(raw, KEY, Math.floor(now / 1000)), raw],
    ["another key", await sign(raw, "key_someone_else"), raw],
    ["a tampered body", good, raw.replace("ongoing", "ended")],
    ["re-serialised JSON", good, JSON.stringify(JSON.parse(raw), null, 1)],
    ["older than 5 minutes", await signAt(raw, KEY, now - 5 * 60_000 - 5_000), raw],
    ["more than 5 minutes ahead", await signAt(raw, KEY, now + 5 * 60_000 + 5_000), raw],
  ];
  for (const [what, signature, body] of cases) {
    const res = await post(t, body, { signature });
    assert.equal(res.status, 401, what);
    assert.equal((await res.json()).error.code, "unauthorized", what);
  }
  const [call] = await listCallsOf(t.deps.database.db, c.sessionId);
  assert.equal(call.status, "connecting", "nothing changed");

  // Within the window, signed with the key: accepted.
  const fresh = await post(t, raw, { signature: await signAt(raw, KEY, now - 4 * 60_000) });
  assert.equal(fresh.status, 204);
  assert.equal((await listCallsOf(t.deps.database.db, c.sessionId))[0].status, "ongoing");
});

dbTest("POST /api/retell/webhook is refused when no RETELL_API_KEY is set", async (t) => {
  const raw = JSON.stringify({ event: "call_started", call: { call_id: "call_x" } });
  const res = await post(t, raw);
  assert.equal(res.status, 401);
  assert.match((await res.json()).error.message, /RETELL_API_KEY/);
});

webhookTest(
  "POST /api/retell/webhook: bad bodies are 4xx, unknown calls are dropped",
  async (t, fake) => {
    const c = await inCall(t, fake);
    const bad = await post(t, "{not json");
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.code, "invalid_json");
    const shapeless = await post(t, { event: "call_ended", call: { metadata: "x" } });
    assert.equal(shapeless.status, 400);
    assert.equal((await shapeless.json()).error.code, "validation_failed");
    for (const body of [[1, 2], "str", null]) {
      assert.equal((await post(t, JSON.stringify(body))).status, 204, JSON.stringify(body));
    }

    // Acknowledged (so that Retell stops retrying) and ignored.
    const before = await messagesOf(t, c.sessionId, c.visitorToken);
    const unknown = await post(t, {
      event: "call_ended",
      call: ended({ call_id: "call_nobody_knows", metadata: { callId: crypto.randomUUID() } }),
    });
    assert.equal(unknown.status, 204);
    const mismatched = await post(t, {
      event: "call_ended",
      call: ended(c.payload({ call_id: "call_other" })),
    });
    assert.equal(mismatched.status, 204);
    const chat = await post(t, { event: "chat_ended", chat: { chat_id: "chat_1" } });
    assert.equal(chat.status, 204);
    const transcript = await post(t, { event: "transcript_updated", call: c.payload() });
    assert.equal(transcript.status, 204);
    assert.deepEqual(await messagesOf(t, c.sessionId, c.visitorToken), before);
    assert.equal((await listCallsOf(t.deps.database.db, c.sessionId))[0].status, "connecting");

    // Bigger than Retell would ever send.
    const huge = await post(t, { event: "call_ended", call: c.payload({ pad: "x".repeat(5e6) }) });
    assert.equal(huge.status, 413);
    // Bigger than the API's 64 KB but a plausible long call: accepted.
    const long = await post(t, {
      event: "call_started",
      call: c.payload({ pad: "x".repeat(200_000) }),
    });
    assert.equal(long.status, 204);
  },
);

webhookTest(
  "POST /api/retell/webhook: call_ended stores the transcript once, then the chat resumes",
  async (t, fake) => {
    const c = await inCall(t, fake);
    const before = await messagesOf(t, c.sessionId, c.visitorToken);
    const started = await post(t, { event: "call_started", call: c.payload() });
    assert.equal(started.status, 204);
    const [ongoing] = await listCallsOf(t.deps.database.db, c.sessionId);
    assert.equal(ongoing.status, "ongoing");
    assert.equal(ongoing.startedAt?.getTime(), 1_764_000_000_000);

    const endedBody = JSON.stringify({ event: "call_ended", call: ended(c.payload()) });
    const signature = await sign(endedBody, KEY);
    for (let i = 0; i < 3; i++) {
      // The same signed request replayed, as Retell's retries do: stored once.
      assert.equal((await post(t, endedBody, { signature })).status, 204);
    }
    // And a call_ended found by Retell's id alone (no metadata): still the same call.
    const bare = ended(c.payload());
    delete (bare as Record<string, unknown>).metadata;
    assert.equal((await post(t, { event: "call_ended", call: bare })).status, 204);

    const messages = await messagesOf(t, c.sessionId, c.visitorToken);
    const added = messages.slice(before.length);
    assert.deepEqual(added.map((m) => [m.senderType, m.messageType, m.content]), [
      ["agent", "voice", "Hi! I see you asked about order 1234."],
      ["user", "voice", "Yes, where is my parcel?"],
      ["agent", "voice", "It is on its way and arrives tomorrow."],
      ["user", "voice", "Thanks."],
      ["system", "system", "Voice call ended · 2m 14s"],
    ]);
    assert.ok(added.slice(0, 4).every((m) => m.voiceUrl === RECORDING));
    assert.equal(added[1].metadata.startSeconds, 3.1);
    const session = await (await t.get(`/api/chat/sessions/${c.sessionId}`, c.visitorToken))
      .json();
    assert.equal(session.mode, "chat");
    const [call] = await listCallsOf(t.deps.database.db, c.sessionId);
    assert.equal(call.status, "ended");
    assert.equal(call.recordingUrl, RECORDING);
    assert.equal(call.disconnectionReason, "user_hangup");
    assert.equal(call.endedAt?.getTime(), 1_764_000_134_000);
    assert.match(call.transcript ?? "", /^Agent: Hi! I see you asked about order 1234\.\nUser:/);

    // A late call_started changes nothing.
    assert.equal((await post(t, { event: "call_started", call: c.payload() })).status, 204);
    assert.equal((await listCallsOf(t.deps.database.db, c.sessionId))[0].status, "ended");

    // call_analyzed: the summary once, however often it comes.
    const analyzed = JSON.stringify({
      event: "call_analyzed",
      call: ended(c.payload(), {
        call_analysis: { call_summary: "Parcel 1234 arrives tomorrow." },
      }),
    });
    for (let i = 0; i < 3; i++) assert.equal((await post(t, analyzed)).status, 204);
    const after = await messagesOf(t, c.sessionId, c.visitorToken);
    assert.equal(after.length, messages.length + 1);
    assert.equal(after.at(-1)!.content, "Call summary: Parcel 1234 arrives tomorrow.");
    assert.equal(
      (await listCallsOf(t.deps.database.db, c.sessionId))[0].summary,
      "Parcel 1234 arrives tomorrow.",
    );

    // The chat goes on, and a new call may start.
    const next = await t.post(
      `/api/chat/sessions/${c.sessionId}/voice`,
      { phoneNumber: TO },
      c.visitorToken,
    );
    assert.equal(next.status, 201);
  },
);

webhookTest(
  "POST /api/retell/webhook: a replay inside the signature window is acknowledged, not handled",
  async (t, fake) => {
    const c = await inCall(t, fake);
    const db = t.deps.database.db;
    const raw = JSON.stringify({ event: "call_started", call: c.payload() });
    const signature = await sign(raw, KEY);
    const status = async () => (await listCallsOf(db, c.sessionId))[0].status;
    /** Undoes what call_started did, so that handling it again would show. */
    const undo = () =>
      db.update(calls).set({ status: "connecting", startedAt: null }).where(eq(calls.id, c.callId));

    assert.equal((await post(t, raw, { signature })).status, 204);
    assert.equal(await status(), "ongoing");
    await undo();
    // The same signed bytes again, with the digest's hex in upper case (which `verify` accepts),
    // and through another process on the same database: acknowledged, nothing applied.
    const other = await startApp(t.kind, { database: t.testDb, config: { retellApiKey: KEY } });
    useDeploymentRetell(other, fake);
    try {
      const upper = signature.replace(/d=(.*)$/, (_, d: string) => `d=${d.toUpperCase()}`);
      for (const [app, sig] of [[t, signature], [t, upper], [other, signature]] as const) {
        const res = await post(app, raw, { signature: sig });
        assert.equal(res.status, 204);
        assert.equal(await status(), "connecting", "a replay is not handled");
      }
    } finally {
      await other.close();
    }
    // A stale signature of the same body is still refused, and a new delivery is handled.
    const stale = await signAt(raw, KEY, Date.now() - 6 * 60_000);
    assert.equal((await post(t, raw, { signature: stale })).status, 401);
    const again = JSON.stringify({
      event: "call_started",
      call: c.payload({ start_timestamp: 1_764_000_001_000 }),
    });
    assert.equal((await post(t, again)).status, 204);
    assert.equal(await status(), "ongoing");

    // One row per handled delivery, kept until its signature is too old to verify.
    const rows = await db.select().from(retellDeliveries);
    assert.equal(rows.length, 2);
    for (const row of rows) {
      const left = row.expiresAt.getTime() - Date.now();
      assert.ok(left > 4 * 60_000 && left <= 5 * 60_000, `expires in ${left} ms`);
    }
    assert.equal(await pruneDeliveries(db), 0);
    assert.equal(await pruneDeliveries(db, new Date(Date.now() + 5 * 60_000 + 1)), 2);
  },
);

webhookTest(
  "POST /api/retell/webhook: a delivery whose handling failed is handled when Retell retries it",
  async (t, fake) => {
    const c = await inCall(t, fake);
    const raw = JSON.stringify({ event: "call_started", call: c.payload() });
    const signature = await sign(raw, KEY);
    const accountOf = t.deps.tenants.accountOf;
    t.deps.tenants.accountOf = () => Promise.reject(new Error("database went away"));
    try {
      assert.equal((await post(t, raw, { signature })).status, 500);
    } finally {
      t.deps.tenants.accountOf = accountOf;
    }
    assert.equal((await listCallsOf(t.deps.database.db, c.sessionId))[0].status, "connecting");
    assert.equal((await post(t, raw, { signature })).status, 204);
    assert.equal((await listCallsOf(t.deps.database.db, c.sessionId))[0].status, "ongoing");
  },
);

webhookTest(
  "POST /api/retell/webhook: concurrent redeliveries of call_ended store it once",
  async (t, fake) => {
    const c = await inCall(t, fake);
    const before = await messagesOf(t, c.sessionId, c.visitorToken);
    const body = { event: "call_ended", call: ended(c.payload()) };
    const results = await Promise.all([0, 1, 2, 3].map(() => post(t, body)));
    assert.deepEqual(results.map((r) => r.status), [204, 204, 204, 204]);
    const added = (await messagesOf(t, c.sessionId, c.visitorToken)).slice(before.length);
    assert.equal(added.length, 5);
    assert.deepEqual(added.map((m) => m.content).slice(0, 2), [
      "Hi! I see you asked about order 1234.",
      "Yes, where is my parcel?",
    ]);
  },
);

webhookTest(
  "POST /api/retell/webhook: a call that never connected, or analyzed before ended",
  async (t, fake) => {
    const c = await inCall(t, fake);
    // No call_started for calls that never connect; their call_ended still comes.
    const res = await post(t, {
      event: "call_ended",
      call: c.payload({
        call_status: "not_connected",
        start_timestamp: undefined,
        end_timestamp: Date.now(),
        disconnection_reason: "dial_no_answer",
      }),
    });
    assert.equal(res.status, 204);
    const messages = await messagesOf(t, c.sessionId, c.visitorToken);
    assert.equal(messages.at(-1)!.content, "The voice call did not connect: no answer.");
    const [call] = await listCallsOf(t.deps.database.db, c.sessionId);
    assert.equal(call.status, "ended");

    // Events do not wait for each other: an analysis first still ends the call, once.
    const next = await t.post(
      `/api/chat/sessions/${c.sessionId}/voice`,
      { mode: "web" },
      c.visitorToken,
    );
    const second = await next.json();
    const analyzed = {
      event: "call_analyzed",
      call: ended(
        c.payload({ call_id: second.retellCallId, metadata: { callId: second.callId } }),
        {
          call_analysis: { call_summary: "Short call." },
          call_status: "error",
          disconnection_reason: "error_llm_websocket_open",
          transcript_object: [],
          transcript: null,
          recording_url: "javascript:alert(1)",
        },
      ),
    };
    assert.equal((await post(t, analyzed)).status, 204);
    assert.equal((await post(t, { ...analyzed, event: "call_ended" })).status, 204);
    const after = (await messagesOf(t, c.sessionId, c.visitorToken)).slice(messages.length);
    assert.deepEqual(after.map((m) => m.content), [
      "Starting a voice call in your browser…",
      "Voice call ended · 2m 14s",
      "Call summary: Short call.",
    ]);
    const calls = await listCallsOf(t.deps.database.db, c.sessionId);
    const errored = calls.find((x) => x.id === second.callId)!;
    assert.equal(errored.status, "error");
    assert.equal(errored.recordingUrl, null, "only http(s) URLs are kept");
  },
);

serverTest(
  "Retell webhooks reach every socket in order: voice, ongoing, transcript, chat",
  async (s) => {
    const fake = await startFakeRetell(KEY);
    s.t.defer(() => fake.close());
    const sockets: WsClient[] = [];
    const { t } = s;
    useDeploymentRetell(t, fake);
    t.deps.agent = createRetellAgent({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      timeoutMs: 2000,
      maxRetries: 0,
    });
    const v = await setupVisitor(t, { voiceMode: "both", phoneCountries: ["US"] }, {
      retellAgentId: "agent_voice_test",
      fromNumber: "+14155550100",
    });
    const sessionId = (await (await t.post("/api/chat/sessions", {}, v.visitorToken)).json())
      .id;
    for (const token of [v.visitorToken, v.admin.token]) {
      const ws = await WsClient.connect(s.url, { sessionId, token });
      sockets.push(ws);
      t.defer(() => ws.close());
    }
    const res = await t.post(
      `/api/chat/sessions/${sessionId}/voice`,
      { phoneNumber: TO },
      v.visitorToken,
    );
    const call = await res.json();
    const base = {
      call_id: call.retellCallId,
      metadata: { callId: call.callId },
      start_timestamp: Date.now(),
    };
    const hook = `${s.url}/api/retell/webhook`;
    assert.equal((await fake.sendWebhook(hook, "call_started", base)).status, 204);
    const endedRes = await fake.sendWebhook(hook, "call_ended", ended(base));
    assert.equal(endedRes.status, 204);
    const wrong = await fake.sendWebhook(hook, "call_ended", ended(base), {
      key: "key_wrong",
    });
    assert.equal(wrong.status, 401);

    for (const ws of sockets) {
      const last = await ws.waitFor((e) => e.type === "mode:changed" && e.mode === "chat");
      const seen = ws.events.slice(1, last.index + 1).map(describe);
      assert.deepEqual(seen, [
        "mode:changed voice connecting",
        "call:updated ongoing",
        "message:received voice agent",
        "message:received voice user",
        "message:received voice agent",
        "message:received voice user",
        "call:updated ended",
        "mode:changed chat ended",
      ]);
      const voice = ws.events[1] as Extract<ServerEvent, { type: "mode:changed" }>;
      assert.equal(voice.message.content, `Transitioning to voice call. Calling ${TO}...`);
      assert.equal(voice.callDetails.retellCallId, call.retellCallId);
      assert.equal(voice.callDetails.phoneNumber, TO);
      assert.equal(voice.callDetails.status, "connecting");
      assert.equal(typeof voice.timestamp, "string");
    }
  },
  { config: { retellApiKey: KEY } },
);

function describe(e: ServerEvent): string {
  switch (e.type) {
    case "mode:changed":
      return `mode:changed ${e.mode} ${e.callDetails.status}`;
    case "call:updated":
      return `call:updated ${e.call.status}`;
    case "message:received":
      return `message:received ${e.message.messageType} ${e.message.senderType}`;
    default:
      return e.type;
  }
}

eachDatabase(
  "Retell webhooks landing on another process reach this process's sockets",
  async () => {
    const fake = await startFakeRetell(KEY);
    const a = await startServer("postgres", { config: { retellApiKey: KEY } });
    const b = await serveApp(
      await startApp("postgres", { database: a.t.testDb, config: { retellApiKey: KEY } }),
    );
    await startPgFanout(a.t.deps.hub, a.t.deps.database);
    await startPgFanout(b.t.deps.hub, b.t.deps.database);
    let ws: WsClient | undefined;
    try {
      const c = await inCall(a.t, fake);
      ws = await WsClient.connect(a.url, { sessionId: c.sessionId, token: c.visitorToken });
      const hook = `${b.url}/api/retell/webhook`;
      assert.equal((await fake.sendWebhook(hook, "call_started", c.payload())).status, 204);
      assert.equal(
        (await fake.sendWebhook(hook, "call_ended", ended(c.payload()))).status,
        204,
      );
      const last = await ws.waitFor((e) => e.type === "mode:changed" && e.mode === "chat");
      // The fan-out carries the call by id and reads it back, so a remote `call:updated` shows
      // the call as it is when it arrives: "ongoing", or already "ended" on a busy machine.
      const seen = ws.events.slice(1, last.index + 1).map(describe);
      assert.match(seen[0], /^call:updated (ongoing|ended)$/);
      assert.deepEqual(seen.slice(1), [
        "message:received voice agent",
        "message:received voice user",
        "message:received voice agent",
        "message:received voice user",
        "call:updated ended",
        "mode:changed chat ended",
      ]);
      const back = ws.events[last.index] as Extract<ServerEvent, { type: "mode:changed" }>;
      assert.equal(back.message.content, "Voice call ended · 2m 14s");
    } finally {
      await ws?.close();
      await b.close();
      await a.close();
      await fake.close();
    }
  },
  { kinds: ["postgres"] },
);
