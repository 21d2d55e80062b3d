import assert from "node:assert/strict";
import { dbTest, registerAdmin, setupVisitor, type TestApp } from "../helpers/test_app.ts";
import { startReceiver, TestClock } from "../helpers/receiver.ts";
import { WebhookWorker, type WebhookWorkerOptions } from "../../webhooks/worker.ts";
import { verifySignature } from "../../webhooks/signature.ts";
import { WebhookEventBodySchema } from "../../contract/webhooks.ts";
import { enqueueWebhookEvent } from "../../webhooks/enqueue.ts";

const PRIVATE = { config: { webhooksAllowPrivate: true } };

/** An organization with an agent and a webhook to `url`; returns what the tests use. */
async function subscribe(t: TestApp, url: string, events = ["message.created"]) {
  const admin = await registerAdmin(t);
  const agent = await (await t.post("/api/agents", { name: "Helper" }, admin.token)).json();
  const res = await t.post("/api/webhooks", { url, events }, admin.token);
  assert.equal(res.status, 201, await res.clone().text());
  const webhook = await res.json();
  return { admin, agent, webhook };
}

function worker(t: TestApp, clock: TestClock, options: Partial<WebhookWorkerOptions> = {}) {
  return new WebhookWorker({
    database: t.deps.database,
    keys: t.deps.config,
    allowPrivate: true,
    now: clock.now,
    random: () => 0,
    ...options,
  });
}

async function deliveries(t: TestApp, token: string, webhookId: string) {
  const res = await t.get(`/api/webhooks/${webhookId}/deliveries`, token);
  assert.equal(res.status, 200);
  return (await res.json()).deliveries as Record<string, unknown>[];
}

dbTest("webhook deliveries carry the event and a signature that verifies", async (t) => {
  const receiver = startReceiver();
  try {
    const v = await setupVisitor(t);
    const admin = v.admin;
    const hook = await t.post("/api/webhooks", {
      url: receiver.url,
      events: ["conversation.created", "message.created"],
    }, admin.token);
    assert.equal(hook.status, 201);
    const webhook = await hook.json();
    const session = await (await t.post("/api/chat/sessions", {}, v.visitorToken)).json();
    const sent = await t.post(
      `/api/chat/sessions/${session.id}/messages`,
      { content: "Hello there" },
      v.visitorToken,
    );
    assert.equal(sent.status, 201);
    const clock = new TestClock();
    const w = worker(t, clock);
    assert.equal(await w.runDue(), 4); // created, welcome, user message, agent reply
    await w.stop();

    const types = receiver.received.map((r) => r.json.type).sort();
    assert.deepEqual(types, [
      "conversation.created",
      "message.created",
      "message.created",
      "message.created",
    ]);
    for (const r of receiver.received) {
      assert.equal(r.headers.get("content-type"), "application/json");
      assert.equal(r.headers.get("x-parley-event-id"), r.json.id);
      const signature = r.headers.get("x-parley-signature")!;
      assert.match(signature, /^t=\d+,v1=[0-9a-f]{64}$/);
      assert.equal(Number(/t=(\d+)/.exec(signature)![1]), Math.floor(clock.ms / 1000));
      assert.ok(await verifySignature(webhook.secret, r.body, signature, { now: clock.now() }));
      assert.ok(!await verifySignature("whsec_wrong", r.body, signature, { now: clock.now() }));
      assert.ok(
        !await verifySignature(webhook.secret, r.body + " ", signature, { now: clock.now() }),
      );
      assert.deepEqual(Object.keys(r.json).sort(), ["createdAt", "data", "id", "type"]);
      WebhookEventBodySchema.parse(r.json);
      assert.equal((r.json.data.session as { id: string }).id, session.id);
    }
    const user = receiver.received.find((r) =>
      (r.json.data.message as { content?: string } | undefined)?.content === "Hello there"
    );
    assert.equal((user?.json.data.message as { senderType: string }).senderType, "user");
    const log = await deliveries(t, admin.token, webhook.id);
    assert.equal(log.length, 4);
    for (const d of log) {
      assert.equal(d.status, "delivered");
      assert.equal(d.attempts, 1);
      assert.equal(d.lastStatusCode, 200);
      assert.ok(d.deliveredAt);
    }
  } finally {
    await receiver.close();
  }
}, PRIVATE);

dbTest("a webhook answered with 500 is retried with backoff until it succeeds", async (t) => {
  const receiver = startReceiver();
  receiver.respond = (_req, n) =>
    n <= 2 ? new Response("down", { status: 500 }) : new Response(null, { status: 204 });
  try {
    const { admin, webhook } = await subscribe(t, receiver.url, ["conversation.created"]);
    const session = await (await t.post("/api/chat/sessions", {
      agentId: (await (await t.post("/api/agents", { name: "A" }, admin.token)).json()).id,
    }, admin.token)).json();
    assert.ok(session.id);
    const clock = new TestClock();
    await using w = worker(t, clock);
    assert.equal(await w.runDue(), 1);
    let [d] = await deliveries(t, admin.token, webhook.id);
    assert.equal(d.status, "pending");
    assert.equal(d.attempts, 1);
    assert.equal(d.lastStatusCode, 500);
    assert.equal(d.lastResponse, "down");
    assert.equal(await w.runDue(), 0, "not due before the backoff");
    clock.advance(9_000);
    assert.equal(await w.runDue(), 0);
    clock.advance(1_000); // the first retry comes 10 s later
    assert.equal(await w.runDue(), 1);
    clock.advance(29_000);
    assert.equal(await w.runDue(), 0, "the second waits longer");
    clock.advance(1_000);
    assert.equal(await w.runDue(), 1);
    [d] = await deliveries(t, admin.token, webhook.id);
    assert.equal(d.status, "delivered");
    assert.equal(d.attempts, 3);
    assert.equal(d.lastStatusCode, 204);
    assert.equal(receiver.received.length, 3);
    assert.equal(new Set(receiver.received.map((r) => r.json.id)).size, 1, "one event id");
    assert.equal(new Set(receiver.received.map((r) => r.body)).size, 1, "the same bytes");
  } finally {
    await receiver.close();
  }
}, PRIVATE);

dbTest("a webhook that keeps failing is retried for 24 hours, then marked failed", async (t) => {
  const receiver = startReceiver();
  receiver.respond = () => new Response("no", { status: 503 });
  try {
    const { admin, webhook } = await subscribe(t, receiver.url, ["lead.created"]);
    const clock = new TestClock();
    const start = clock.ms;
    await enqueueWebhookEvent(t.deps.database.db, {
      organizationId: admin.organizationId,
      type: "lead.created",
      data: { session: {} as never, lead: { email: "a@example.com" } },
    });
    await using w = worker(t, clock);
    const attemptsAt: number[] = [];
    let d = (await deliveries(t, admin.token, webhook.id))[0];
    for (let i = 0; i < 50 && d.status === "pending"; i++) {
      // Straight to the next attempt's time: nothing is sent a moment before it.
      clock.ms = Date.parse(String(d.nextAttemptAt)) - 1;
      assert.equal(await w.runDue(), 0);
      clock.advance(2); // the log shows milliseconds; PostgreSQL keeps microseconds
      assert.equal(await w.runDue(), 1);
      attemptsAt.push(clock.ms - start);
      d = (await deliveries(t, admin.token, webhook.id))[0];
    }
    assert.equal(d.status, "failed");
    assert.equal(d.attempts, attemptsAt.length);
    assert.ok(attemptsAt.at(-1)! >= 24 * 3600_000, "the last attempt is a day later or more");
    assert.ok(
      attemptsAt[1] <= 60_000 && attemptsAt[2] <= 2 * 60_000,
      "the first retries are quick",
    );
    assert.equal(await w.runDue(), 0, "a failed delivery is not tried again");
  } finally {
    await receiver.close();
  }
}, PRIVATE);

dbTest(
  "the worker refuses a name that resolves to a private address at delivery time",
  async (t) => {
    const receiver = startReceiver();
    try {
      const port = new URL(receiver.url).port;
      const url = `http://hooks.example.com:${port}/hook`;
      // Public when saved, repointed at loopback later (DNS rebinding).
      let answer = ["93.184.216.34"];
      t.deps.resolveDns = (_host, type) => Promise.resolve(type === "A" ? answer : []);
      t.deps.config.webhooksAllowPrivate = false;
      const { admin, webhook } = await subscribe(t, url, ["lead.created"]);
      answer = ["127.0.0.1"];
      await enqueueWebhookEvent(t.deps.database.db, {
        organizationId: admin.organizationId,
        type: "lead.created",
        data: { session: {} as never, lead: {} },
      });
      const clock = new TestClock();
      await using w = worker(t, clock, { allowPrivate: false, resolveDns: t.deps.resolveDns });
      assert.equal(await w.runDue(), 1);
      const [d] = await deliveries(t, admin.token, webhook.id);
      assert.equal(d.status, "pending");
      assert.equal(d.lastStatusCode, null);
      assert.match(String(d.lastError), /refused: host name resolves to a private address/);
      assert.equal(receiver.received.length, 0);
      // An IPv6-mapped loopback answer is refused the same way.
      answer = [];
      t.deps.resolveDns = (_h, type) =>
        Promise.resolve(type === "AAAA" ? ["::ffff:127.0.0.1"] : []);
      await using w2 = worker(t, clock, { allowPrivate: false, resolveDns: t.deps.resolveDns });
      clock.advance(3600_000);
      assert.equal(await w2.runDue(), 1);
      assert.equal(receiver.received.length, 0);
    } finally {
      await receiver.close();
    }
  },
);

dbTest(
  "a hostile receiver: redirects are not followed, big bodies not read, slow ones time out",
  async (t) => {
    const other = startReceiver("/elsewhere");
    const receiver = startReceiver();
    let release = () => {};
    const held = new Promise<void>((resolve) => release = resolve);
    receiver.respond = async (req) => {
      const kind = new URL(req.url).searchParams.get("k");
      if (kind === "redirect") {
        return new Response(null, { status: 307, headers: { location: other.url } });
      }
      if (kind === "big") return new Response("x".repeat(5_000_000));
      await held; // slow: never answers within the time-out
      return new Response("late");
    };
    try {
      const admin = await registerAdmin(t);
      const ids: Record<string, string> = {};
      for (const k of ["redirect", "big", "slow"]) {
        const res = await t.post(
          "/api/webhooks",
          { url: `${receiver.url}?k=${k}`, events: ["lead.created"] },
          admin.token,
        );
        ids[k] = (await res.json()).id;
      }
      await enqueueWebhookEvent(t.deps.database.db, {
        organizationId: admin.organizationId,
        type: "lead.created",
        data: { session: {} as never, lead: {} },
      });
      await using w = worker(t, new TestClock(), { timeoutMs: 300 });
      assert.equal(await w.runDue(), 3);
      const [redirect] = await deliveries(t, admin.token, ids.redirect);
      assert.equal(redirect.status, "pending");
      assert.equal(redirect.lastStatusCode, 307);
      assert.equal(redirect.lastError, "redirect not followed");
      assert.equal(other.received.length, 0);
      const [big] = await deliveries(t, admin.token, ids.big);
      assert.equal(big.status, "delivered");
      assert.ok(String(big.lastResponse).length <= 1024);
      const [slow] = await deliveries(t, admin.token, ids.slow);
      assert.equal(slow.status, "pending");
      assert.equal(slow.lastError, "timed out after 300 ms");
    } finally {
      release();
      await receiver.close();
      await other.close();
    }
  },
  PRIVATE,
);

dbTest(
  "a message is answered while its webhook receiver is still busy (delivery is off the request path)",
  async (t) => {
    const receiver = startReceiver();
    let release = () => {};
    const held = new Promise<void>((resolve) => release = resolve);
    let calls = 0;
    receiver.respond = async () => {
      calls++;
      await held;
      return new Response("ok");
    };
    const w = new WebhookWorker({
      database: t.deps.database,
      keys: t.deps.config,
      allowPrivate: true,
      pollMs: 50,
    });
    try {
      const v = await setupVisitor(t);
      const hook = await t.post(
        "/api/webhooks",
        { url: receiver.url, events: ["message.created"] },
        v.admin.token,
      );
      assert.equal(hook.status, 201);
      await w.start();
      const session = await (await t.post("/api/chat/sessions", {}, v.visitorToken)).json();
      // The worker is woken by the queue's NOTIFY and holds a request open at the receiver.
      for (let i = 0; i < 200 && calls === 0; i++) await new Promise((r) => setTimeout(r, 10));
      assert.ok(calls > 0, "the worker started a delivery");
      const res = await t.post(
        `/api/chat/sessions/${session.id}/messages`,
        { content: "hi" },
        v.visitorToken,
      );
      assert.equal(res.status, 201);
      assert.ok((await res.json()).agentMessage, "answered while the receiver still holds");
    } finally {
      release();
      await w.stop();
      await receiver.close();
    }
  },
  PRIVATE,
);

dbTest("handoff.requested and a teammate's reply reach the webhook", async (t) => {
  const receiver = startReceiver();
  try {
    const v = await setupVisitor(t);
    const res = await t.post("/api/webhooks", {
      url: receiver.url,
      events: ["handoff.requested", "message.created"],
    }, v.admin.token);
    assert.equal(res.status, 201);
    const session = await (await t.post("/api/chat/sessions", {}, v.visitorToken)).json();
    const handoff = await t.post(
      `/api/chat/sessions/${session.id}/handoff`,
      { reason: "billing" },
      v.visitorToken,
    );
    assert.equal(handoff.status, 200);
    const reply = await t.post(
      `/api/chat/sessions/${session.id}/messages`,
      { content: "Hi, Sam here" },
      v.admin.token,
    );
    assert.equal(reply.status, 201);
    await using w = worker(t, new TestClock());
    await w.runDue();
    const asked = receiver.received.find((r) => r.json.type === "handoff.requested");
    assert.ok(asked, "handoff.requested sent");
    assert.equal((asked.json.data.session as { id: string }).id, session.id);
    assert.equal(asked.json.data.reason, "billing");
    const human = receiver.received.find((r) =>
      (r.json.data.message as { content?: string } | undefined)?.content === "Hi, Sam here"
    );
    assert.ok(human, "the teammate's message sent");
    const author = (human.json.data.message as { metadata: { author: { kind: string } } })
      .metadata.author;
    assert.equal(author.kind, "human");
  } finally {
    await receiver.close();
  }
}, PRIVATE);
