import assert from "node:assert/strict";
import { type ChatModel, createChatModel } from "../../embed/chat_model.ts";
import type { Message } from "../../contract/wire.ts";
import type { Call } from "../../contract/wire.ts";

let n = 0;
function msg(senderType: Message["senderType"], content: string, id = `m${++n}`): Message {
  return {
    id,
    sessionId: "s1",
    senderType,
    messageType: "text",
    content,
    metadata: {},
    createdAt: new Date().toISOString(),
  };
}
const ts = new Date().toISOString();
const summary = (m: ChatModel) =>
  m.messages.value.map((x) => `${x.senderType}:${x.content}${x.pending ? " (pending)" : ""}`);

Deno.test("ChatModel: a pending message is replaced once, whichever of socket or POST comes first", () => {
  for (const socketFirst of [true, false]) {
    const m = createChatModel();
    m.setHistory([msg("agent", "welcome")]);
    m.addPending("c1", "hi");
    m.addPending("c2", "there");
    // The server sends the sender's key back: that, not the text, finds the pending bubble.
    const stored = { ...msg("user", "hi"), clientMessageId: "c1" };
    if (socketFirst) {
      assert.ok(m.apply({ type: "message:received", message: stored, seq: 1, timestamp: ts }));
      m.confirm("c1", stored);
    } else {
      m.confirm("c1", stored);
      assert.equal(
        m.apply({ type: "message:received", message: stored, seq: 1, timestamp: ts }),
        undefined,
      );
    }
    assert.deepEqual(summary(m), ["agent:welcome", "user:hi", "user:there (pending)"]);
    assert.equal(m.lastMessageId.value, stored.id);
  }
});

Deno.test("ChatModel: a message with the same text is not taken for a pending one", () => {
  const m = createChatModel();
  m.addPending("c1", "hi");
  m.apply({ type: "message:received", message: msg("user", "hi"), seq: 1, timestamp: ts });
  assert.deepEqual(summary(m), ["user:hi", "user:hi (pending)"]);
});

Deno.test("ChatModel: the local welcome gives way to the stored one", () => {
  const m = createChatModel();
  m.showWelcome("Hello!");
  assert.equal(m.messages.value[0].local, true);
  assert.equal(m.lastMessageId.value, undefined);
  m.upsert(msg("agent", "Hello!"));
  assert.deepEqual(summary(m), ["agent:Hello!"]);
});

Deno.test("ChatModel: failed sends keep their text and can go back to pending", () => {
  const m = createChatModel();
  m.addPending("c1", "hi");
  m.fail("c1", "Not sent.");
  assert.equal(m.messages.value[0].failed, "Not sent.");
  assert.equal(m.lastMessageId.value, undefined);
  m.retrying("c1");
  assert.deepEqual(summary(m), ["user:hi (pending)"]);
});

Deno.test("ChatModel.apply: typing, mode changes, call updates and session updates", () => {
  const m = createChatModel();
  m.apply({ type: "typing:start", senderId: "agent", timestamp: ts });
  assert.equal(m.typing.value, true);
  m.apply({ type: "typing:start", senderId: "user", timestamp: ts });
  m.apply({ type: "typing:stop", senderId: "agent", timestamp: ts });
  assert.equal(m.typing.value, false);

  const system = msg("system", "Calling +15555555555…");
  const returned = m.apply({
    type: "mode:changed",
    mode: "voice",
    callDetails: {
      retellCallId: "r1",
      status: "connecting",
      phoneNumber: "+15555555555",
      callId: "c1",
      kind: "phone",
    },
    message: system,
    seq: 1,
    timestamp: ts,
  });
  assert.equal(returned, system);
  assert.equal(m.mode.value, "voice");
  assert.equal(m.view.value, "call");
  assert.equal(m.call.value?.status, "connecting");

  const call: Call = {
    id: "c1",
    chatSessionId: "s1",
    retellCallId: "r1",
    kind: "phone",
    phoneNumber: "+15555555555",
    status: "ongoing",
    startedAt: "2026-01-01T00:00:00.000Z",
    endedAt: null,
    durationMs: null,
    recordingUrl: null,
    summary: null,
    consentAt: null,
    disconnectionReason: null,
    createdAt: ts,
  };
  m.apply({ type: "call:updated", call, timestamp: ts });
  assert.equal(m.call.value?.status, "ongoing");
  assert.equal(m.call.value?.startedAt, Date.parse("2026-01-01T00:00:00.000Z"));
  // Another call's update does not disturb this one.
  m.apply({ type: "call:updated", call: { ...call, id: "other", status: "ended" }, timestamp: ts });
  assert.equal(m.call.value?.status, "ongoing");

  m.apply({
    type: "mode:changed",
    mode: "chat",
    callDetails: { retellCallId: "r1", status: "ended" },
    message: msg("system", "Call ended"),
    seq: 1,
    timestamp: ts,
  });
  assert.equal(m.mode.value, "chat");
  assert.equal(m.call.value?.status, "ended");

  m.apply({
    type: "session:updated",
    session: {
      id: "s1",
      organizationId: "o",
      agentId: "a",
      widgetId: "w",
      visitorId: "v",
      status: "ended",
      mode: "chat",
      metadata: {},
      visitor: { id: "v", verified: false, name: null, email: null, phone: null },
      handler: "ai",
      assigneeId: null,
      handoffRequestedAt: null,
      createdAt: ts,
      updatedAt: ts,
      endedAt: ts,
    },
    timestamp: ts,
  });
  assert.equal(m.ended.value, true);
});
