import assert from "node:assert/strict";
import { dbTest, setupVisitor, type TestApp, useDeploymentRetell } from "../helpers/test_app.ts";
import { FakeRetell, startFakeRetell } from "../helpers/fake_retell.ts";
import { createRetellAgent } from "../../agents/retell.ts";
import { claimRetellChat, getSessionById } from "../../db/queries/sessions.ts";
import { getAgentById } from "../../db/queries/agents.ts";
import type { Message } from "../../contract/wire.ts";

const CHAT_AGENT = "agent_chat_test";

/** Runs `fn` with the app's agent talking to a fresh fake Retell. */
function retellTest(
  name: string,
  fn: (t: TestApp, fake: FakeRetell, chat: Chat) => Promise<void>,
  options: { timeoutMs?: number; maxRetries?: number } = {},
) {
  dbTest(name, async (t) => {
    const fake = await startFakeRetell();
    try {
      useDeploymentRetell(t, fake);
      t.deps.agent = createRetellAgent({
        apiKey: fake.apiKey,
        baseUrl: fake.url,
        timeoutMs: options.timeoutMs ?? 2000,
        maxRetries: options.maxRetries ?? 2,
      });
      const v = await setupVisitor(t, {}, { retellChatAgentId: CHAT_AGENT });
      // Creating the agent checked its id with Retell; the tests count what chatting sends.
      fake.requests.length = 0;
      await fn(t, fake, new Chat(t, v.visitorToken));
    } finally {
      await fake.close();
    }
  });
}

/** A visitor's conversation through the HTTP API. */
class Chat {
  sessionId = "";
  constructor(readonly t: TestApp, readonly token: string) {}
  async start(): Promise<string> {
    const res = await this.t.post("/api/chat/sessions", {}, this.token);
    assert.equal(res.status, 201);
    return this.sessionId = (await res.json()).id;
  }
  send(content: string, extra: Record<string, unknown> = {}) {
    return this.t.post(
      `/api/chat/sessions/${this.sessionId}/messages`,
      { content, ...extra },
      this.token,
    );
  }
  async messages(): Promise<Message[]> {
    const res = await this.t.get(`/api/chat/sessions/${this.sessionId}/messages`, this.token);
    return (await res.json()).messages;
  }
}

retellTest("Retell: one chat per session, one completion per message", async (t, fake, chat) => {
  const sessionId = await chat.start();
  assert.equal(fake.requests.length, 0, "no chat before the first message");
  for (const content of ["hello", "and again"]) {
    const res = await chat.send(content);
    assert.equal(res.status, 201);
    assert.equal((await res.json()).agentMessage.content, `Echo: ${content}`);
  }
  const creates = fake.requestsTo("/create-chat", "POST");
  assert.equal(creates.length, 1);
  const createBody = creates[0].body as { agent_id: string; metadata: Record<string, unknown> };
  assert.equal(createBody.agent_id, CHAT_AGENT);
  assert.equal(createBody.metadata.chatSessionId, sessionId);
  assert.equal(creates[0].headers.authorization, `Bearer ${fake.apiKey}`);

  const completions = fake.requestsTo("/create-chat-completion", "POST");
  const chatId = [...fake.chats.keys()][0];
  assert.deepEqual(completions.map((r) => r.body), [
    { chat_id: chatId, content: "hello" },
    { chat_id: chatId, content: "and again" },
  ]);
  assert.equal((await getSessionById(t.deps.database.db, sessionId))?.retellChatId, chatId);

  // Ending the session ends the Retell chat.
  const end = await t.put(`/api/chat/sessions/${sessionId}`, { status: "ended" }, chat.token);
  assert.equal(end.status, 200);
  assert.equal(fake.requestsTo(`/end-chat/${chatId}`, "PATCH").length, 1);
  assert.equal(fake.chats.get(chatId)?.chat_status, "ended");
});

retellTest("Retell: only agent text is shown; tool calls are not", async (_t, fake, chat) => {
  fake.route("POST", "/create-chat-completion", () => [201, {
    messages: [
      { role: "tool_call_invocation", tool_call_id: "t1", name: "lookup", arguments: "{}" },
      { role: "tool_call_result", tool_call_id: "t1", content: "secret internals" },
      { role: "agent", content: "First part." },
      { role: "node_transition", new_node_name: "next" },
      { role: "agent", content: "Second part." },
    ],
  }]);
  await chat.start();
  const res = await chat.send("look it up");
  assert.equal(res.status, 201);
  assert.equal((await res.json()).agentMessage.content, "First part.\n\nSecond part.");
});

retellTest(
  "Retell: a 500 on a completion is a 502, not retried, and nothing is lost",
  async (_t, fake, chat) => {
    await chat.start();
    assert.equal((await chat.send("warm up")).status, 201);
    fake.failNext(500, { match: "/create-chat-completion" });
    const res = await chat.send("are you there?");
    assert.equal(res.status, 502);
    const { error } = await res.json();
    assert.equal(error.code, "retell_failed");
    assert.equal(error.details.userMessage.content, "are you there?");
    assert.equal(
      fake.requestsTo("/create-chat-completion").length,
      2,
      "a completion is never retried on 5xx",
    );
    const stored = await chat.messages();
    assert.deepEqual(stored.slice(-2).map((m) => [m.senderType, m.content.slice(0, 14)]), [
      ["user", "are you there?"],
      ["system", "The assistant "],
    ]);
    // Usable afterwards.
    const next = await chat.send("now?");
    assert.equal(next.status, 201);
    assert.equal((await next.json()).agentMessage.content, "Echo: now?");
  },
);

retellTest("Retell: 429s on a completion are retried within bounds", async (_t, fake, chat) => {
  await chat.start();
  fake.failNext(429, { match: "/create-chat-completion", count: 2, retryAfterMs: 5 });
  const ok = await chat.send("busy?");
  assert.equal(ok.status, 201);
  assert.equal((await ok.json()).agentMessage.content, "Echo: busy?");
  assert.equal(fake.requestsTo("/create-chat-completion").length, 3);

  fake.failNext(429, { match: "/create-chat-completion", count: 3, retryAfterMs: 5 });
  const limited = await chat.send("still busy?");
  assert.equal(limited.status, 502);
  assert.equal((await limited.json()).error.details.userMessage.content, "still busy?");
  assert.equal(fake.requestsTo("/create-chat-completion").length, 6);
});

retellTest(
  "Retell: chat creation is retried on 500, then fails with 502",
  async (_t, fake, chat) => {
    await chat.start();
    fake.failNext(500, { match: "/create-chat", count: 2 });
    const ok = await chat.send("first");
    assert.equal(ok.status, 201);
    const creates = fake.requestsTo("/create-chat");
    assert.deepEqual(creates.map((r) => r.headers["x-stainless-retry-count"]), ["0", "1", "2"]);

    const second = new Chat(chat.t, chat.token);
    await second.start();
    fake.failNext(503, { match: "/create-chat", count: 3 });
    const failed = await second.send("first");
    assert.equal(failed.status, 502);
    assert.equal(fake.requestsTo("/create-chat").length, 6);
    assert.equal(fake.requestsTo("/create-chat-completion").length, 1);
    const retried = await second.send("second");
    assert.equal(retried.status, 201);
  },
);

retellTest(
  "Retell: a stall past the timeout is a 502 and the session stays usable",
  async (_t, fake, chat) => {
    await chat.start();
    assert.equal((await chat.send("hi")).status, 201);
    fake.stallNext(5_000, { match: "/create-chat-completion" });
    const started = Date.now();
    const res = await chat.send("slow?", { clientMessageId: "slow-1" });
    const took = Date.now() - started;
    assert.equal(res.status, 502);
    assert.ok(took < 3_000, `took ${took} ms`);
    assert.equal((await res.json()).error.code, "retell_failed");
    // The client retries the same message: it is answered now, stored once.
    const retry = await chat.send("slow?", { clientMessageId: "slow-1" });
    assert.equal(retry.status, 200);
    assert.equal((await retry.json()).agentMessage.content, "Echo: slow?");
    const users = (await chat.messages()).filter((m) => m.senderType === "user");
    assert.deepEqual(users.map((m) => m.content), ["hi", "slow?"]);
  },
  { timeoutMs: 400 },
);

retellTest(
  "Retell: a chat Retell ended by itself is replaced by a new one",
  async (t, fake, chat) => {
    const sessionId = await chat.start();
    assert.equal((await chat.send("one")).status, 201);
    const [first] = fake.chats.values();
    first.chat_status = "ended"; // Retell closes idle chats on its own.
    const res = await chat.send("two");
    assert.equal(res.status, 201);
    assert.equal((await res.json()).agentMessage.content, "Echo: two");
    assert.equal(fake.chats.size, 2);
    const current = (await getSessionById(t.deps.database.db, sessionId))?.retellChatId;
    assert.ok(current && current !== first.chat_id);
  },
);

retellTest("Retell: concurrent first messages share one chat", async (_t, fake, chat) => {
  await chat.start();
  const results = await Promise.all(["a", "b", "c"].map((c) => chat.send(c)));
  assert.deepEqual(results.map((r) => r.status), [201, 201, 201]);
  assert.equal(fake.requestsTo("/create-chat").length, 1);
  assert.equal(
    new Set(
      fake.requestsTo("/create-chat-completion").map((r) =>
        (r.body as { chat_id: string }).chat_id
      ),
    ).size,
    1,
  );
});

dbTest(
  "Retell: an agent without a chat agent id or with an unknown one gets a clear error",
  async (t) => {
    const fake = await startFakeRetell();
    try {
      useDeploymentRetell(t, fake);
      t.deps.agent = createRetellAgent({
        apiKey: fake.apiKey,
        baseUrl: fake.url,
        timeoutMs: 2000,
        maxRetries: 0,
      });
      const plain = await setupVisitor(t);
      const noId = new Chat(t, plain.visitorToken);
      await noId.start();
      const res = await noId.send("hello");
      assert.equal(res.status, 409);
      const { error } = await res.json();
      assert.match(error.message, /retellChatAgentId/);
      assert.equal(error.details.userMessage.content, "hello");
      assert.equal(fake.requests.length, 0);

      // An id the account does not have is refused when the agent is saved (SPEC v2.2).
      const unknown = await t.post("/api/agents", {
        name: "Ghost",
        retellChatAgentId: "agent_nobody",
      }, plain.admin.token);
      assert.equal(unknown.status, 400);
      assert.equal((await unknown.json()).error.code, "retell_resource_unknown");
      assert.equal(fake.requestsTo("/create-chat").length, 0);
    } finally {
      await fake.close();
    }
  },
);

dbTest("Retell: a wrong API key is a 502", async (t) => {
  const fake = await startFakeRetell();
  try {
    useDeploymentRetell(t, fake);
    t.deps.agent = createRetellAgent({
      apiKey: "wrong",
      baseUrl: fake.url,
      timeoutMs: 2000,
      maxRetries: 2,
    });
    const v = await setupVisitor(t, {}, { retellChatAgentId: CHAT_AGENT });
    fake.requests.length = 0;
    const c = new Chat(t, v.visitorToken);
    await c.start();
    const res = await c.send("hello");
    assert.equal(res.status, 502);
    assert.equal(fake.requests.length, 1, "401 is not retried");
    assert.equal(fake.requests[0].status, 401);
  } finally {
    await fake.close();
  }
});

dbTest("Retell: two processes racing to start a session's chat agree on one", async (t) => {
  const fake = await startFakeRetell();
  try {
    useDeploymentRetell(t, fake);
    const options = { apiKey: fake.apiKey, baseUrl: fake.url, timeoutMs: 2000, maxRetries: 0 };
    const [x, y] = [createRetellAgent(options), createRetellAgent(options)];
    const v = await setupVisitor(t, {}, { retellChatAgentId: CHAT_AGENT });
    const c = new Chat(t, v.visitorToken);
    const sessionId = await c.start();
    const db = t.deps.database.db;
    const session = (await getSessionById(db, sessionId))!;
    const agent = (await getAgentById(db, session.agentId))!;
    const claimChat = (chatId: string, previous: string | null) =>
      claimRetellChat(db, sessionId, chatId, previous);
    const replies = await Promise.all(
      [x, y].map((a, i) => a.reply({ agent, session, content: `from ${i}`, claimChat })),
    );
    assert.deepEqual(replies.map((r) => r.content), ["Echo: from 0", "Echo: from 1"]);
    const winner = (await getSessionById(db, sessionId))!.retellChatId;
    const used = fake.requestsTo("/create-chat-completion").map((r) =>
      (r.body as { chat_id: string }).chat_id
    );
    assert.deepEqual(used, [winner, winner]);
    // Both saw a session without a chat, so both created one: the race did happen.
    assert.equal(fake.requestsTo("/create-chat", "POST").length, 2);
    // The losing chat is ended (not awaited by the loser: wait for the request, not a while).
    const losers = [...fake.chats.values()].filter((ch) => ch.chat_id !== winner);
    assert.equal(losers.length, 1);
    await fake.answeredRequest(`/end-chat/${losers[0].chat_id}`, "PATCH");
    assert.equal(losers[0].chat_status, "ended");
  } finally {
    await fake.close();
  }
});
