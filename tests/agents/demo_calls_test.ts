import assert from "node:assert/strict";
import { serverTest, type TestServer } from "../helpers/server.ts";
import { dbTest, setupVisitor, type TestApp } from "../helpers/test_app.ts";
import { WsClient } from "../helpers/ws.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import type { DemoCallTimings } from "../../agents/demo_calls.ts";
import { parseConfig } from "../../config.ts";
import { listCallsOf } from "../../db/queries/calls.ts";
import type { ServerEvent } from "../../contract/events.ts";
import type { Message } from "../../contract/wire.ts";

const FAST: DemoCallTimings = { startedMs: 40, endedMs: 250, analyzedMs: 300 };

/** A demo-agent test on a real server (WebSocket), once per database kind. */
function demoTest(name: string, fn: (s: TestServer) => Promise<void>, timings = FAST) {
  serverTest(name, fn, { agent: createDemoAgent({ delayMs: 0, callTimings: timings }) });
}

/** A visitor with a session that has chatted once. */
async function chatted(t: TestApp, widget: Record<string, unknown> = {}) {
  // Phone calls are opt-in (SPEC v2.1).
  const v = await setupVisitor(t, { voiceMode: "both", phoneCountries: ["US"], ...widget });
  const res = await t.post("/api/chat/sessions", {}, v.visitorToken);
  const sessionId = (await res.json()).id as string;
  const sent = await t.post(
    `/api/chat/sessions/${sessionId}/messages`,
    { content: "My parcel 4471 never arrived" },
    v.visitorToken,
  );
  assert.equal(sent.status, 201);
  return { ...v, sessionId };
}

async function messagesOf(t: TestApp, sessionId: string, token: string): Promise<Message[]> {
  const res = await t.get(`/api/chat/sessions/${sessionId}/messages`, token);
  return (await res.json()).messages;
}

const typesOf = (events: ServerEvent[]) =>
  events.filter((e) => e.type !== "connection:established").map((e) =>
    e.type === "mode:changed"
      ? `mode:${e.mode}`
      : e.type === "call:updated"
      ? `call:${e.call.status}`
      : e.type === "message:received"
      ? `${e.message.messageType}:${e.message.senderType}`
      : e.type
  );

demoTest(
  "demo agent: a phone call runs connecting → ongoing → ended with a transcript",
  async (s) => {
    const { t } = s;
    const v = await chatted(t);
    const ws = await WsClient.connect(s.url, { sessionId: v.sessionId, token: v.visitorToken });
    try {
      const res = await t.post(
        `/api/chat/sessions/${v.sessionId}/voice`,
        { phoneNumber: "+14155552671" },
        v.visitorToken,
      );
      assert.equal(res.status, 201);
      const body = await res.json();
      assert.equal(body.status, "connecting");
      assert.equal(body.phoneNumber, "+14155552671");
      assert.equal(body.simulated, true);
      assert.match(body.retellCallId, /^demo_call_/);

      const summary = await ws.waitFor<Extract<ServerEvent, { type: "message:received" }>>(
        (e) => e.type === "message:received" && e.message.content.startsWith("Call summary:"),
        { what: "the call summary" },
      );
      const types = typesOf(ws.events.slice(0, summary.index + 1));
      assert.deepEqual(types, [
        "mode:voice",
        "call:ongoing",
        ...Array(6).fill(0).map((_, i) => `voice:${[2, 4].includes(i) ? "user" : "agent"}`),
        "call:ended",
        "mode:chat",
        "system:system",
      ]);
      const voice = ws.events.find((e) => e.type === "mode:changed" && e.mode === "voice");
      assert.ok(voice?.type === "mode:changed");
      assert.equal(voice.message.content, "Transitioning to voice call. Calling +14155552671...");
      assert.deepEqual(
        { ...voice.callDetails },
        {
          retellCallId: body.retellCallId,
          status: "connecting",
          phoneNumber: "+14155552671",
          callId: body.callId,
          kind: "phone",
        },
      );
      const back = ws.events.find((e) => e.type === "mode:changed" && e.mode === "chat");
      assert.ok(back?.type === "mode:changed");
      assert.match(back.message.content, /^Voice call ended · \d+s$/);

      // The transcript picks up the chat: the voice agent knew what the visitor wrote.
      const messages = await messagesOf(t, v.sessionId, v.visitorToken);
      const spoken = messages.filter((m) => m.messageType === "voice");
      assert.equal(spoken.length, 6);
      assert.match(spoken[1].content, /My parcel 4471 never arrived/);
      assert.ok(spoken.every((m) => m.metadata.callId === body.callId));
      assert.match(summary.message.content, /My parcel 4471 never arrived/);

      const session = await (await t.get(`/api/chat/sessions/${v.sessionId}`, v.visitorToken))
        .json();
      assert.equal(session.mode, "chat");
      const [call] = await listCallsOf(t.deps.database.db, v.sessionId);
      assert.equal(call.status, "ended");
      assert.ok(call.startedAt && call.endedAt);
      assert.ok(call.summary?.includes("4471"));
      assert.equal(call.disconnectionReason, "agent_hangup");
    } finally {
      await ws.close();
    }
  },
);

demoTest("demo agent: a browser call gets a fake access token and is simulated", async (s) => {
  const { t } = s;
  const v = await chatted(t);
  const ws = await WsClient.connect(s.url, { sessionId: v.sessionId, token: v.visitorToken });
  try {
    const res = await t.post(
      `/api/chat/sessions/${v.sessionId}/voice`,
      { mode: "web" },
      v.visitorToken,
    );
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.match(body.accessToken, /^demo_web_/);
    assert.equal(body.phoneNumber, null);
    assert.equal(body.kind, "web");
    const voice = await ws.waitFor((e) => e.type === "mode:changed" && e.mode === "voice");
    assert.ok(voice.type === "mode:changed");
    assert.equal(voice.message.content, "Starting a voice call in your browser…");
    assert.equal(voice.callDetails.kind, "web");
    await ws.waitFor((e) => e.type === "mode:changed" && e.mode === "chat", {
      what: "the end of the call",
    });
    const spoken = (await messagesOf(t, v.sessionId, v.visitorToken))
      .filter((m) => m.messageType === "voice");
    assert.match(spoken[0].content, /in your browser/);
    // The access token is the caller's alone: no event carried it.
    assert.ok(!JSON.stringify(ws.events).includes(body.accessToken));
    // The simulated call ends with its analysis: wait for it, so no timer outlives the test.
    await ws.waitFor(
      (e) => e.type === "message:received" && e.message.content.startsWith("Call summary:"),
      { what: "the call's summary" },
    );
  } finally {
    await ws.close();
  }
});

demoTest(
  "demo agent: /voice/end hangs up at once and the call keeps what was said",
  async (s) => {
    const { t } = s;
    const v = await chatted(t);
    const ws = await WsClient.connect(s.url, { sessionId: v.sessionId, token: v.visitorToken });
    try {
      const res = await t.post(
        `/api/chat/sessions/${v.sessionId}/voice`,
        { phoneNumber: "+14155552671" },
        v.visitorToken,
      );
      assert.equal(res.status, 201);
      await ws.waitFor((e) => e.type === "call:updated" && e.call.status === "ongoing");
      const end = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
      assert.equal(end.status, 200);
      const ended = await end.json();
      assert.equal(ended.status, "ended");
      const session = await (await t.get(`/api/chat/sessions/${v.sessionId}`, v.visitorToken))
        .json();
      assert.equal(session.mode, "chat");
      const spoken = (await messagesOf(t, v.sessionId, v.visitorToken))
        .filter((m) => m.messageType === "voice");
      assert.ok(spoken.length >= 1 && spoken.length < 6, `${spoken.length} turns`);
      const [call] = await listCallsOf(t.deps.database.db, v.sessionId);
      assert.equal(call.disconnectionReason, "user_hangup");

      const again = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
      assert.equal(again.status, 404);
      assert.equal((await again.json()).error.code, "not_found");
      // The slot is free again: a new call can start.
      const next = await t.post(
        `/api/chat/sessions/${v.sessionId}/voice`,
        { mode: "web" },
        v.visitorToken,
      );
      assert.equal(next.status, 201);
      const stop = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
      assert.equal(stop.status, 200);
      const calls = await listCallsOf(t.deps.database.db, v.sessionId);
      assert.equal(calls.length, 2);
      // A call that was answered is analysed 50 ms after it ends: the test ends after that, so
      // no timer of the demo agent outlives it (the second call may have been answered or not).
      for (const c of calls.filter((c) => c.startedAt)) {
        await ws.waitFor((e) =>
          e.type === "call:updated" && e.call.id === c.id && !!e.call.summary
        );
      }
    } finally {
      await ws.close();
    }
  },
  { startedMs: 30, endedMs: 5_000, analyzedMs: 5_050 },
);

dbTest("demo agent: a call hung up before it connects says so", async (t) => {
  t.deps.agent = createDemoAgent({
    delayMs: 0,
    callTimings: { startedMs: 5_000, endedMs: 6_000, analyzedMs: 6_000 },
  });
  const v = await chatted(t);
  const res = await t.post(
    `/api/chat/sessions/${v.sessionId}/voice`,
    { phoneNumber: "+14155552671" },
    v.visitorToken,
  );
  assert.equal(res.status, 201);
  const end = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
  assert.equal(end.status, 200);
  assert.equal((await end.json()).status, "ended");
  const messages = await messagesOf(t, v.sessionId, v.visitorToken);
  assert.equal(messages.filter((m) => m.messageType === "voice").length, 0);
  assert.equal(messages.at(-1)?.content, "Voice call ended");
});

Deno.test("DEMO_CALL_TIMINGS sets the demo's call timings", () => {
  const base = { JWT_SECRET: "x".repeat(32) };
  assert.equal(parseConfig(base).demoCallTimings, undefined);
  assert.deepEqual(parseConfig({ ...base, DEMO_CALL_TIMINGS: "100,500" }).demoCallTimings, {
    startedMs: 100,
    endedMs: 500,
    analyzedMs: 2000,
  });
  assert.deepEqual(parseConfig({ ...base, DEMO_CALL_TIMINGS: "10,20,30" }).demoCallTimings, {
    startedMs: 10,
    endedMs: 20,
    analyzedMs: 30,
  });
  assert.throws(() => parseConfig({ ...base, DEMO_CALL_TIMINGS: "soon" }), /DEMO_CALL_TIMINGS/);
});
