import assert from "node:assert/strict";
import postgres from "postgres";
import { eachDatabase } from "../helpers/db.ts";
import { serveApp, startServer, type TestServer } from "../helpers/server.ts";
import { setupVisitor, startApp } from "../helpers/test_app.ts";
import { WsClient } from "../helpers/ws.ts";
import { type PgFanout, startPgFanout } from "../../hub/pg_fanout.ts";
import { getMessagesByIds, insertMessage } from "../../db/queries/messages.ts";
import { publishMessage } from "../../hub/hub.ts";
import type { Message } from "../../contract/wire.ts";
import { FanoutBatchSchema } from "../../contract/events.ts";

/** Two app instances (two hubs, two fan-outs) on one PostgreSQL database. */
async function twoProcesses() {
  const a = await startServer("postgres");
  const tb = await startApp("postgres", { database: a.t.testDb });
  const b = await serveApp(tb);
  const fanoutA = await startPgFanout(a.t.deps.hub, a.t.deps.database);
  const fanoutB = await startPgFanout(b.t.deps.hub, b.t.deps.database);
  return { a, b, fanoutA, fanoutB };
}

/** A test of two processes on one PostgreSQL database (LISTEN/NOTIFY exists only there). */
function pgTest(
  name: string,
  fn: (
    p: { a: TestServer; b: TestServer; fanoutA: PgFanout; fanoutB: PgFanout },
    sockets: WsClient[],
  ) => Promise<void>,
) {
  eachDatabase(name, async () => {
    const p = await twoProcesses();
    const sockets: WsClient[] = [];
    try {
      await fn(p, sockets);
    } finally {
      await Promise.all(sockets.map((s) => s.close()));
      await p.b.close(); // shares a's database, so it goes first
      await p.a.close();
    }
  }, { kinds: ["postgres"] });
}

const isMessage = (id: string) => (e: { type: string }) =>
  e.type === "message:received" && (e as unknown as { message: Message }).message.id === id;

pgTest(
  "PgFanout delivers a message posted on one instance to a socket on the other",
  async ({ a, b }, sockets) => {
    const v = await setupVisitor(a.t);
    const sessionId = (await (await a.t.post("/api/chat/sessions", {}, v.visitorToken)).json()).id;
    const onB = await WsClient.connect(b.url, { sessionId, token: v.visitorToken });
    const onA = await WsClient.connect(a.url, { sessionId, token: v.admin.token });
    sockets.push(onB, onA);
    await onB.waitForType("connection:established");
    await onA.waitForType("connection:established");

    const res = await a.t.post(
      `/api/chat/sessions/${sessionId}/messages`,
      { content: "from A" },
      v.visitorToken,
    );
    assert.equal(res.status, 201);
    const { userMessage, agentMessage } = await res.json();
    for (const ws of [onB, onA]) {
      const stop = await ws.waitForType("typing:stop");
      const events = ws.events.slice(1, stop.index + 1);
      assert.deepEqual(events.map((e) => e.type), [
        "message:received",
        "typing:start",
        "message:received",
        "typing:stop",
      ]);
      assert.deepEqual((events[0] as { message: Message }).message, userMessage);
      assert.deepEqual((events[2] as { message: Message }).message, agentMessage);
    }
    // Each socket got each message once: the sender's own NOTIFY is skipped. A process handles
    // notifications one at a time in commit order, so a later event from the other process is
    // the barrier (no sleep): once it has arrived, a duplicate would have arrived before it.
    onA.send({ type: "typing:start" });
    await onB.waitForType("typing:start", { from: onB.events.length });
    assert.equal(onB.events.filter((e) => e.type === "message:received").length, 2);

    // Typing on B reaches A (and is A's barrier); a session update on B reaches A.
    onB.send({ type: "typing:start" });
    assert.equal(
      (await onA.waitForType("typing:start", { from: onA.events.length - 1 })).senderId,
      "user",
    );
    assert.equal(onA.events.filter((e) => e.type === "message:received").length, 2);
    await b.t.put(`/api/chat/sessions/${sessionId}`, { metadata: { tag: "vip" } }, v.admin.token);
    const updated = await onA.waitForType("session:updated");
    assert.deepEqual(updated.session.metadata, { tag: "vip" });
  },
);

pgTest(
  "PgFanout re-syncs local sockets after the listener reconnects",
  async ({ a, b, fanoutB }, sockets) => {
    const v = await setupVisitor(a.t);
    const sessionId = (await (await a.t.post("/api/chat/sessions", {}, v.visitorToken)).json()).id;
    const onB = await WsClient.connect(b.url, { sessionId, token: v.visitorToken });
    sockets.push(onB);
    await onB.waitForType("connection:established");
    assert.equal(fanoutB.listens, 1);

    // A message whose NOTIFY was lost (stored while B's listener was down, as far as B knows).
    const missed = await insertMessage(a.t.deps.database.db, {
      sessionId,
      senderType: "agent",
      messageType: "text",
      content: "sent while you were away",
    });
    const sql = postgres(a.t.testDb.url, { max: 1, onnotice: () => {} });
    try {
      const killed = await sql`
      select pg_terminate_backend(pid) as ok from pg_stat_activity
      where datname = current_database() and pid <> pg_backend_pid() and query ilike 'listen%'`;
      assert.ok(killed.length >= 1, "a listener connection was found");
    } finally {
      await sql.end();
    }
    const got = await onB.waitFor(isMessage(missed.id), {
      timeoutMs: 10_000,
      what: "the missed message",
    });
    assert.ok(fanoutB.listens >= 2);
    assert.equal(
      (got as unknown as { message: Message }).message.content,
      "sent while you were away",
    );
    // The welcome message (before the socket connected) is not replayed by a re-sync.
    const contents = onB.events.flatMap((e) =>
      e.type === "message:received" ? [e.message.content] : []
    );
    assert.deepEqual(contents, ["sent while you were away"]);

    // And live delivery works again afterwards.
    const res = await a.t.post(
      `/api/chat/sessions/${sessionId}/messages`,
      { content: "after" },
      v.visitorToken,
    );
    const { agentMessage } = await res.json();
    await onB.waitFor(isMessage(agentMessage.id), { what: "the reply after the reconnect" });
  },
);

pgTest(
  "PgFanout sends ids, not message bodies, in small NOTIFY payloads",
  async ({ a, fanoutA }) => {
    const v = await setupVisitor(a.t);
    const sessionId = (await (await a.t.post("/api/chat/sessions", {}, v.visitorToken)).json()).id;
    const payloads: string[] = [];
    const sql = postgres(a.t.testDb.url, { max: 1, onnotice: () => {} });
    try {
      await sql.listen("parley_events", (p) => payloads.push(p));
      const big = "x".repeat(4000);
      const res = await a.t.post(
        `/api/chat/sessions/${sessionId}/messages`,
        { content: big },
        v.visitorToken,
      );
      assert.equal(res.status, 201);
      // Four events (user message, typing start, agent message, typing stop), batched into as
      // few NOTIFYs as were in flight: `<processId>\n[event, …]`.
      const events = () =>
        payloads.flatMap((p) => FanoutBatchSchema.parse(JSON.parse(p.slice(p.indexOf("\n") + 1))));
      const deadline = Date.now() + 5000;
      while (events().length < 4 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual(events().map((w) => w.type), [
        "message:received",
        "typing:start",
        "message:received",
        "typing:stop",
      ]);
      for (const p of payloads) {
        assert.ok(p.length < 1000, "ids travel, not message bodies");
        assert.ok(p.startsWith(fanoutA.processId + "\n"));
      }
      assert.ok(!payloads.some((p) => p.includes(big)));
    } finally {
      await sql.end();
    }
  },
);

pgTest(
  "PgFanout batches events published while a NOTIFY is in flight and keeps their order",
  async ({ a, b }, sockets) => {
    const v = await setupVisitor(a.t);
    const sessionId = (await (await a.t.post("/api/chat/sessions", {}, v.visitorToken)).json()).id;
    const onB = await WsClient.connect(b.url, { sessionId, token: v.visitorToken });
    sockets.push(onB);
    await onB.waitForType("connection:established");
    const payloads: string[] = [];
    const sql = postgres(a.t.testDb.url, { max: 1, onnotice: () => {} });
    try {
      await sql.listen("parley_events", (p) => payloads.push(p));
      const db = a.t.deps.database.db;
      const ids: string[] = [];
      for (let i = 0; i < 60; i++) {
        const row = await insertMessage(db, {
          sessionId,
          senderType: "agent",
          messageType: "text",
          content: `burst ${i}`,
        });
        ids.push(row.id);
      }
      // Published together, as a busy process would: they share NOTIFYs.
      const rows = await getMessagesByIds(db, ids);
      await Promise.all(rows.map((row) => publishMessage(a.t.deps.hub, row)));
      await onB.waitFor(isMessage(ids.at(-1)!), { what: "the last message of the burst" });
      const received = onB.events.flatMap((e) =>
        e.type === "message:received" ? [e.message.id] : []
      );
      assert.deepEqual(received.filter((id) => ids.includes(id)), ids, "all, once, in order");
      assert.ok(
        payloads.length < ids.length,
        `${payloads.length} NOTIFYs for ${ids.length} events`,
      );
    } finally {
      await sql.end();
    }
  },
);
