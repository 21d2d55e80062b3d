/**
 * `reduceStream` as the admin inbox follows a conversation with it (the chat frame's cases are in
 * tests/embed/chat_model_test.ts): the visitor's typing, handoffs and assignments, the end of a
 * session, calls, and a teammate's own reply arriving by POST and by socket.
 */
import assert from "node:assert/strict";
import { reduceStream, type StreamState, upsertMessage } from "../../client/stream_reducer.ts";
import type { ServerEvent } from "../../contract/events.ts";
import type { Call, Message, Session } from "../../contract/wire.ts";

const ts = "2026-12-02T17:00:00.000Z";
const SID = "00000000-0000-4000-8000-000000000001";
const ME = "00000000-0000-4000-8000-0000000000aa";

function msg(id: string, senderType: Message["senderType"], content: string): Message {
  return {
    id,
    sessionId: SID,
    senderType,
    messageType: "text",
    content,
    metadata: {},
    createdAt: ts,
  };
}

const session: Session = {
  id: SID,
  organizationId: "00000000-0000-4000-8000-000000000002",
  agentId: "00000000-0000-4000-8000-000000000003",
  widgetId: null,
  visitorId: "v_1",
  status: "active",
  mode: "chat",
  metadata: {},
  visitor: { id: "v_1", verified: false, name: null, email: null, phone: null },
  handler: "ai",
  assigneeId: null,
  handoffRequestedAt: null,
  createdAt: ts,
  updatedAt: ts,
  endedAt: null,
};

function call(id: string, status: Call["status"]): Call {
  return {
    id,
    chatSessionId: SID,
    retellCallId: null,
    kind: "phone",
    phoneNumber: "+14155550123",
    status,
    startedAt: null,
    endedAt: null,
    durationMs: null,
    recordingUrl: null,
    summary: null,
    disconnectionReason: null,
    consentAt: null,
    createdAt: ts,
  };
}

/** The inbox's state after the page loaded one visitor message. */
function inbox(): StreamState<Message> {
  return {
    messages: [msg("m1", "user", "Hi")],
    session,
    mode: "chat",
    calls: [],
    typing: null,
  };
}

const run = (events: ServerEvent[], from = inbox()) => events.reduce(reduceStream, from);
const texts = (s: StreamState<Message>) => s.messages.map((m) => `${m.senderType}:${m.content}`);

Deno.test("reduceStream: the visitor's typing shows until they stop or their message arrives", () => {
  const cases: { name: string; events: ServerEvent[]; typing: StreamState["typing"] }[] = [
    {
      name: "visitor starts",
      events: [{ type: "typing:start", senderId: "user", timestamp: ts }],
      typing: { senderId: "user", name: undefined },
    },
    {
      name: "the agent's stop leaves the visitor typing",
      events: [
        { type: "typing:start", senderId: "user", timestamp: ts },
        { type: "typing:stop", senderId: "agent", timestamp: ts },
      ],
      typing: { senderId: "user", name: undefined },
    },
    {
      name: "visitor stops",
      events: [
        { type: "typing:start", senderId: "user", timestamp: ts },
        { type: "typing:stop", senderId: "user", timestamp: ts },
      ],
      typing: null,
    },
    {
      name: "their message ends it",
      events: [
        { type: "typing:start", senderId: "user", timestamp: ts },
        { type: "message:received", message: msg("m2", "user", "Hello?"), seq: 2, timestamp: ts },
      ],
      typing: null,
    },
    {
      name: "a system line does not",
      events: [
        { type: "typing:start", senderId: "user", timestamp: ts },
        {
          type: "message:received",
          message: msg("m2", "system", "Rated 5"),
          seq: 2,
          timestamp: ts,
        },
      ],
      typing: { senderId: "user", name: undefined },
    },
    {
      name: "a teammate typing is named",
      events: [{ type: "typing:start", senderId: "agent", name: "Ada", timestamp: ts }],
      typing: { senderId: "agent", name: "Ada" },
    },
  ];
  for (const c of cases) assert.deepEqual(run(c.events).typing, c.typing, c.name);
});

Deno.test("reduceStream: session:updated carries takeovers, assignments and the end", () => {
  const human = { ...session, handler: "human" as const, assigneeId: ME, updatedAt: ts };
  const taken = run([{ type: "session:updated", session: human, timestamp: ts }]);
  assert.equal(taken.session?.handler, "human");
  assert.equal(taken.session?.assigneeId, ME);
  assert.deepEqual(texts(taken), ["user:Hi"], "the timeline is untouched");

  const back = run([{
    type: "session:updated",
    session: { ...human, handler: "ai", assigneeId: null },
    timestamp: ts,
  }], taken);
  assert.equal(back.session?.handler, "ai");
  assert.equal(back.session?.assigneeId, null);

  const ended = run([{
    type: "session:updated",
    session: { ...session, status: "ended", endedAt: ts },
    timestamp: ts,
  }]);
  assert.equal(ended.session?.status, "ended");
  assert.equal(ended.session?.endedAt, ts);
});

Deno.test("reduceStream: a call switches the mode and its updates replace it by id", () => {
  const switched = run([
    {
      type: "mode:changed",
      mode: "voice",
      callDetails: { retellCallId: null, status: "connecting", kind: "phone" },
      message: msg("m2", "system", "Switched to voice"),
      seq: 2,
      timestamp: ts,
    },
    { type: "call:updated", call: call("c1", "connecting"), timestamp: ts },
    { type: "call:updated", call: call("c1", "ongoing"), timestamp: ts },
    { type: "call:updated", call: call("c2", "connecting"), timestamp: ts },
  ]);
  assert.equal(switched.mode, "voice");
  assert.equal(switched.session?.mode, "voice", "the header's 'On a call' follows the session");
  assert.deepEqual(switched.calls.map((c) => `${c.id}:${c.status}`), [
    "c1:ongoing",
    "c2:connecting",
  ]);
  assert.deepEqual(texts(switched), ["user:Hi", "system:Switched to voice"]);
});

Deno.test("reduceStream: a teammate's reply is shown once, whether the POST or the socket is first", () => {
  const reply = { ...msg("m2", "agent", "A person here"), clientMessageId: "h-1" };
  const event: ServerEvent = { type: "message:received", message: reply, seq: 2, timestamp: ts };
  const posted = (s: StreamState<Message>) => ({
    ...s,
    messages: upsertMessage(s.messages, reply).messages,
  });
  assert.deepEqual(texts(run([event], posted(inbox()))), ["user:Hi", "agent:A person here"]);
  assert.deepEqual(texts(posted(run([event]))), ["user:Hi", "agent:A person here"]);
});

Deno.test("reduceStream: a resume that replays held messages adds nothing", () => {
  const replay: ServerEvent = {
    type: "message:received",
    message: msg("m1", "user", "Hi"),
    seq: 1,
    timestamp: ts,
  };
  assert.deepEqual(texts(run([replay, replay])), ["user:Hi"]);
});

Deno.test("reduceStream: connection events change nothing", () => {
  const s = inbox();
  const events: ServerEvent[] = [
    { type: "connection:established", sessionId: SID, timestamp: ts },
    { type: "pong", timestamp: ts },
    { type: "error", code: "rate_limited", message: "Slow down", timestamp: ts },
  ];
  for (const e of events) assert.equal(reduceStream(s, e), s, e.type);
});
