/**
 * The chat frame's controller against a scripted server (an injected `fetch`): what it sends,
 * in which order, and what the visitor sees, for the failures a real network produces.
 */
import assert from "node:assert/strict";
import { ChatController } from "../../embed/controller.ts";
import { Api } from "../../embed/api.ts";
import { createStore } from "../../embed/store.ts";
import type { FrameToHost } from "../../embed/protocol.ts";
import type { Message, Session } from "../../contract/wire.ts";
import { memoryStorage } from "../helpers/memory_storage.ts";

interface Call {
  method: string;
  path: string;
  body?: Record<string, unknown>;
  auth?: string;
}

type Reply = Response | Error;
type Route = (call: Call) => Reply | undefined;

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
const error = (status: number, code: string, details?: unknown) =>
  json(status, { error: { code, message: code, ...(details ? { details } : {}) } });

const now = new Date().toISOString();
function session(id: string, status: Session["status"] = "active"): Session {
  return {
    id,
    organizationId: "o",
    agentId: "a",
    widgetId: "w",
    visitorId: "v_visitor1",
    status,
    mode: "chat",
    metadata: {},
    visitor: { id: "v_visitor1", verified: false, name: null, email: null, phone: null },
    handler: "ai",
    assigneeId: null,
    handoffRequestedAt: null,
    createdAt: now,
    updatedAt: now,
    endedAt: null,
  };
}
let seq = 0;
function message(sessionId: string, senderType: Message["senderType"], content: string): Message {
  return {
    id: `m${++seq}`,
    sessionId,
    senderType,
    messageType: "text",
    content,
    metadata: {},
    createdAt: now,
  };
}

/** A scripted server: each route answers or passes (undefined); unmatched calls fail the test. */
function harness(routes: Route[], saved: Record<string, string> = {}) {
  const calls: Call[] = [];
  const sleeps: number[] = [];
  const notified: FrameToHost[] = [];
  const fakeFetch = (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = new URL(String(input), "http://parley.test");
    const headers = new Headers(init.headers);
    const call: Call = {
      method: init.method ?? "GET",
      path: url.pathname + url.search,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
      auth: headers.get("authorization") ?? undefined,
    };
    calls.push(call);
    for (const route of routes) {
      const reply = route(call);
      if (reply instanceof Error) return Promise.reject(reply);
      if (reply) return Promise.resolve(reply);
    }
    throw new Error(`unexpected ${call.method} ${call.path}`);
  };
  const storage = memoryStorage();
  storage.setItem("parley:w@https://shop.test", JSON.stringify(saved));
  const store = createStore("w@https://shop.test", { storage });
  const api = new Api({ base: "", widgetId: "w", host: "shop.test", store, fetch: fakeFetch });
  const controller = new ChatController({
    config: { welcomeMessage: "Welcome!" },
    host: "shop.test",
    api,
    store,
    notify: (m) => notified.push(m),
    sleep: (ms) => {
      sleeps.push(ms);
      return Promise.resolve();
    },
  });
  return { controller, calls, sleeps, notified, store };
}

const later = new Date(Date.now() + 3600_000).toISOString();
const auth: Route = (c) =>
  c.method === "POST" && c.path === "/embed/auth"
    ? json(200, {
      token: `t-${c.body?.visitorId ?? "new"}`,
      visitorId: c.body?.visitorId ?? "v_visitor1",
      agentId: "a",
      expiresAt: later,
    })
    : undefined;
const history = (id: string, messages: Message[]): Route => (c) =>
  c.method === "GET" && c.path.startsWith(`/api/chat/sessions/${id}/messages`)
    ? json(200, { messages })
    : undefined;
const sent = (c: Call) => c.method === "POST" && /\/messages$/.test(c.path);
const summary = (controller: ChatController) =>
  controller.model.messages.value.map((m) =>
    `${m.senderType}:${m.content}${m.pending ? " (pending)" : ""}${m.failed ? " (failed)" : ""}`
  );

Deno.test("ChatController: a session ended elsewhere gets a new one and the same clientMessageId", async () => {
  let ended = false;
  const { controller, calls } = harness([
    auth,
    (c) =>
      c.method === "GET" && c.path === "/api/chat/sessions/s1"
        ? json(200, session("s1"))
        : undefined,
    history("s1", [message("s1", "agent", "Welcome!")]),
    (c) => {
      if (!sent(c) || !c.path.includes("/s1/")) return;
      ended = true;
      return error(409, "conflict");
    },
    (c) =>
      c.method === "POST" && c.path === "/api/chat/sessions" ? json(201, session("s2")) : undefined,
    history("s2", [message("s2", "agent", "Welcome!")]),
    (c) =>
      sent(c) && c.path.includes("/s2/")
        ? json(201, {
          userMessage: message("s2", "user", "hi"),
          agentMessage: message("s2", "agent", "hello!"),
        })
        : undefined,
  ], { visitorId: "v_visitor1", token: "t-old", expiresAt: later, sessionId: "s1" });
  await controller.start();
  assert.equal(controller.model.status.value, "ready");
  await controller.send("hi");
  assert.ok(ended);
  const posts = calls.filter(sent);
  assert.equal(posts.length, 2);
  assert.equal(posts[0].body?.clientMessageId, posts[1].body?.clientMessageId);
  assert.equal(controller.model.session.value?.id, "s2");
  assert.deepEqual(summary(controller).slice(-3), [
    "agent:Welcome!",
    "user:hi",
    "agent:hello!",
  ]);
});

Deno.test("ChatController: network failures are retried with backoff, the message stored once", async () => {
  // The server stores by clientMessageId, as the real one does; the first two answers are lost
  // on the way back (the message was stored), so only one id kept across retries stores it once.
  let failures = 2;
  const stored = new Map<string, Message>();
  const replies = new Map<string, Message>();
  const { controller, calls, sleeps, notified } = harness([
    auth,
    (c) =>
      c.method === "POST" && c.path === "/api/chat/sessions" ? json(201, session("s1")) : undefined,
    history("s1", [message("s1", "agent", "Welcome!")]),
    (c) => {
      if (!sent(c)) return;
      const id = String(c.body?.clientMessageId);
      const first = !stored.has(id);
      if (first) {
        stored.set(id, message("s1", "user", String(c.body?.content)));
        replies.set(id, message("s1", "agent", "hello!"));
      }
      if (failures-- > 0) return new TypeError("Failed to fetch");
      // A retry of a stored message gets the stored pair (200), as from the real server.
      return json(first ? 201 : 200, {
        userMessage: stored.get(id),
        agentMessage: replies.get(id),
      });
    },
  ]);
  await controller.start();
  assert.deepEqual(summary(controller), ["agent:Welcome!"]); // the local welcome, before a session
  await controller.send("hi");
  const posts = calls.filter(sent);
  assert.equal(posts.length, 3);
  for (const p of posts) assert.match(String(p.body?.clientMessageId), /^\S{8,}$/);
  assert.equal(new Set(posts.map((p) => p.body?.clientMessageId)).size, 1);
  assert.equal(stored.size, 1, "the server stored the message once");
  // Exponential backoff with jitter: attempt n waits between half and all of 500 ms × 2^(n-1).
  assert.equal(sleeps.length, 2);
  sleeps.forEach((ms, i) => {
    const full = 500 * 2 ** i;
    assert.ok(
      ms >= full / 2 && ms <= full,
      `sleep ${i + 1}: ${ms} ms outside [${full / 2}, ${full}]`,
    );
  });
  assert.deepEqual(summary(controller), ["agent:Welcome!", "user:hi", "agent:hello!"]);
  // The host page hears the two new messages once each, not the history.
  assert.deepEqual(
    notified.filter((n) => n.type === "message").map((n) =>
      n.type === "message" ? n.message.content : ""
    ),
    ["hi", "hello!"],
  );
});

Deno.test("ChatController: when the agent fails, the kept message shows as sent and nothing is re-sent", async () => {
  const stored = message("s1", "user", "hi");
  const { controller, calls } = harness([
    auth,
    (c) =>
      c.method === "POST" && c.path === "/api/chat/sessions" ? json(201, session("s1")) : undefined,
    history("s1", []),
    (c) => sent(c) ? error(502, "retell_failed", { userMessage: stored }) : undefined,
  ]);
  await controller.start();
  await controller.send("hi");
  assert.equal(calls.filter(sent).length, 1);
  assert.deepEqual(summary(controller), ["agent:Welcome!", "user:hi"]);
  assert.match(controller.model.notice.value ?? "", /couldn't answer/);
});

Deno.test("ChatController: a refused token is renewed once for the same visitor", async () => {
  const { controller, calls } = harness([
    auth,
    (c) =>
      c.path.startsWith("/api/") && c.auth === "Bearer t-expired"
        ? error(401, "unauthorized")
        : undefined,
    (c) =>
      c.method === "GET" && c.path === "/api/chat/sessions/s1"
        ? json(200, session("s1"))
        : undefined,
    history("s1", [message("s1", "agent", "Welcome!"), message("s1", "user", "earlier")]),
  ], {
    visitorId: "v_visitor1",
    visitorKey: "k1",
    token: "t-expired",
    expiresAt: later,
    sessionId: "s1",
  });
  await controller.start();
  assert.equal(controller.model.status.value, "ready");
  const auths = calls.filter((c) => c.path === "/embed/auth");
  assert.deepEqual(auths.map((a) => a.body), [{
    widgetId: "w",
    domain: "shop.test",
    visitorId: "v_visitor1",
    visitorKey: "k1",
  }]);
  assert.deepEqual(summary(controller), ["agent:Welcome!", "user:earlier"]);
});

Deno.test("ChatController: too many messages wait for Retry-After; bad input fails with the reason", async () => {
  let limited = true;
  const { controller, sleeps } = harness([
    auth,
    (c) =>
      c.method === "POST" && c.path === "/api/chat/sessions" ? json(201, session("s1")) : undefined,
    history("s1", []),
    (c) => {
      if (!sent(c)) return;
      if (c.body?.content === "bad") return error(400, "validation_failed");
      if (limited) {
        limited = false;
        return json(429, { error: { code: "rate_limited", message: "slow" } }, {
          "retry-after": "2",
        });
      }
      return json(201, { userMessage: message("s1", "user", "ok"), agentMessage: null });
    },
  ]);
  await controller.start();
  await controller.send("ok");
  assert.deepEqual(sleeps, [2000]);
  await controller.send("bad");
  assert.deepEqual(summary(controller), ["agent:Welcome!", "user:ok", "user:bad (failed)"]);
  assert.equal(controller.model.messages.value[2].failed, "validation_failed");
  // Too long never leaves the frame.
  await controller.send("x".repeat(4001));
  assert.match(controller.model.notice.value ?? "", /up to 4000 characters/);
});

Deno.test("ChatController: a widget that is gone or refused here tells the host page", async () => {
  const { controller, notified } = harness([
    (c) => c.path === "/embed/auth" ? error(403, "forbidden") : undefined,
  ]);
  await controller.start();
  assert.equal(controller.model.status.value, "unavailable");
  assert.deepEqual(notified, [{ type: "unavailable", reason: "forbidden" }]);
});

Deno.test("ChatController voice: numbers are checked first; a server without voice is said plainly", async () => {
  const { controller, calls } = harness([
    auth,
    (c) =>
      c.method === "POST" && c.path === "/api/chat/sessions" ? json(201, session("s1")) : undefined,
    history("s1", []),
    (c) =>
      c.method === "POST" && c.path.endsWith("/voice")
        ? json(404, { error: { code: "not_found", message: "Cannot find route" } })
        : undefined,
  ]);
  await controller.start();
  assert.match((await controller.callPhone("12 34"))!, /country code/);
  assert.equal(calls.filter((c) => c.path.endsWith("/voice")).length, 0);
  const refused = await controller.callPhone("+1 (415) 555-2671");
  assert.match(refused!, /aren't available/);
  const voice = calls.filter((c) => c.path.endsWith("/voice"));
  assert.deepEqual(voice.map((c) => c.body), [{ phoneNumber: "+14155552671" }]);
  // Back on the voice options, no call left behind.
  assert.equal(controller.model.view.value, "voice");
  assert.equal(controller.model.call.value, null);
});

Deno.test("ChatController voice: no microphone, no call", async () => {
  const store = createStore("w", { storage: memoryStorage() });
  let requests = 0;
  const controller = new ChatController({
    config: { welcomeMessage: "Welcome!" },
    host: "shop.test",
    api: new Api({
      base: "",
      widgetId: "w",
      host: "shop.test",
      store,
      fetch: () => (requests++, Promise.reject(new Error("no request expected"))),
    }),
    store,
    notify: () => {},
    checkMic: () => Promise.resolve("denied"),
  });
  assert.match((await controller.callBrowser())!, /blocked the microphone/);
  assert.equal(controller.model.call.value, null);
  assert.equal(requests, 0);
});

Deno.test("ChatController: a remembered visitor the server does not resume starts afresh", async () => {
  const { controller, calls, store } = harness([
    (c) =>
      c.path === "/embed/auth"
        ? json(200, {
          token: "t-new",
          visitorId: "v_new",
          visitorKey: "k-new",
          agentId: "a",
          expiresAt: later,
        })
        : undefined,
  ], { visitorId: "v_old", visitorKey: "k-old", sessionId: "s-old" });
  await controller.start();
  assert.equal(controller.model.status.value, "ready");
  assert.ok(!calls.some((c) => c.path.includes("s-old")), "the old session is not asked for");
  assert.deepEqual(summary(controller), ["agent:Welcome!"]);
  const saved = store.load();
  assert.equal(saved.visitorId, "v_new");
  assert.equal(saved.visitorKey, "k-new");
  assert.equal(saved.sessionId, undefined);
});

Deno.test("ChatController: with no storage of its own the frame sends the host page's copy and restores the session the server names", async () => {
  const calls: Call[] = [];
  // As in a frame refused localStorage (its getter throws) and partitioned cookies.
  const real = Object.getOwnPropertyDescriptor(globalThis, "localStorage");
  Object.defineProperty(globalThis, "localStorage", {
    configurable: true,
    get() {
      throw new DOMException("Access is denied for this document.", "SecurityError");
    },
  });
  let store: ReturnType<typeof createStore>;
  try {
    store = createStore("w@https://shop.test", { cookies: false, seed: "v1.sealed" });
  } finally {
    if (real) Object.defineProperty(globalThis, "localStorage", real);
    else delete (globalThis as { localStorage?: Storage }).localStorage;
  }
  const api = new Api({
    base: "",
    widgetId: "w",
    host: "shop.test",
    store,
    fetch: (input, init = {}) => {
      const call = {
        method: init.method ?? "GET",
        path: String(input),
        body: init.body ? JSON.parse(String(init.body)) : undefined,
      };
      calls.push(call);
      if (call.path === "/embed/auth") {
        return Promise.resolve(
          json(200, {
            token: "t1",
            visitorId: "v1",
            sealedVisitor: "v1.sealed",
            sessionId: "s1",
            agentId: "a",
            expiresAt: later,
          }),
        );
      }
      if (call.path === "/api/chat/sessions/s1") return Promise.resolve(json(200, session("s1")));
      return Promise.resolve(json(200, { messages: [message("s1", "user", "earlier")] }));
    },
  });
  const controller = new ChatController({
    config: { welcomeMessage: "Welcome!" },
    host: "shop.test",
    api,
    store,
    notify: () => {},
  });
  await controller.start();
  assert.deepEqual(calls[0].body, {
    widgetId: "w",
    domain: "shop.test",
    sealedVisitor: "v1.sealed",
  });
  assert.deepEqual(summary(controller), ["user:earlier"]);
});
