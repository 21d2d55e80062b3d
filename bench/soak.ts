/**
 * @module The soak test (`deno task soak`): N visitors chat for T seconds across TWO Parley
 * processes sharing one PostgreSQL database. Each visitor's sends alternate between the processes
 * and it holds one socket on each, so every message is delivered once in the process that stored
 * it and once through LISTEN/NOTIFY in the other. Afterwards every sent message must be stored
 * exactly once (with exactly one agent reply), and must have reached every socket of its session.
 * Prints the counts as one JSON line; exits 1 when anything was lost or duplicated.
 *
 * Flags (or environment): `--visitors=50` (SOAK_VISITORS), `--seconds=30` (SOAK_SECONDS),
 * `--think-ms=300` (SOAK_THINK_MS, the longest pause between a visitor's messages). PostgreSQL from
 * `TEST_DATABASE_URL`, `DATABASE_URL` or postgres://postgres@127.0.0.1:5432/postgres; a fresh
 * database is created and dropped.
 */
import { parseArgs } from "node:util";
import postgres from "postgres";
import {
  createDatabase,
  createTenant,
  type ParleyServer,
  postgresAvailable,
  startParley,
} from "./lib/parley.ts";
import { emit, latencyStats, progress, round } from "./lib/report.ts";

const { values: flags } = parseArgs({
  args: Deno.args,
  options: {
    visitors: { type: "string", default: Deno.env.get("SOAK_VISITORS") ?? "50" },
    seconds: { type: "string", default: Deno.env.get("SOAK_SECONDS") ?? "30" },
    "think-ms": { type: "string", default: Deno.env.get("SOAK_THINK_MS") ?? "300" },
  },
});
const VISITORS = Math.max(1, Math.min(2000, Number(flags.visitors)));
const SECONDS = Math.max(1, Math.min(3600, Number(flags.seconds)));
const THINK_MS = Math.max(0, Number(flags["think-ms"]));
const SEND_ATTEMPTS = 5;
const SETTLE_MS = 15_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Message {
  id: string;
  sessionId: string;
  senderType: string;
  metadata?: { replyTo?: string };
}

/** One socket of a visitor: what it received, with resume after a lost connection. */
class SoakSocket {
  readonly received = new Map<string, number>();
  reconnects = 0;
  #ws?: WebSocket;
  #lastId?: string;
  #stopped = false;

  constructor(readonly url: string) {}

  /** Opens (or re-opens with `resume`) and waits for the greeting. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = this.#ws = new WebSocket(this.url);
      let greeted = false;
      ws.onmessage = (e) => {
        const event = JSON.parse(e.data as string) as { type: string; message?: Message };
        if (event.type === "connection:established") {
          greeted = true;
          // A reconnect asks for everything after the last message this socket saw.
          if (this.#lastId) {
            ws.send(JSON.stringify({ type: "resume", afterMessageId: this.#lastId }));
          }
          resolve();
        } else if (event.type === "message:received" && event.message) {
          const id = event.message.id;
          this.received.set(id, (this.received.get(id) ?? 0) + 1);
          this.#lastId = id;
        }
      };
      ws.onclose = () => {
        if (!greeted) return reject(new Error(`socket refused: ${this.url.split("?")[0]}`));
        if (this.#stopped) return;
        this.reconnects++;
        const retry = (): Promise<void> =>
          this.#stopped ? Promise.resolve() : this.open().catch(() => sleep(500).then(retry));
        sleep(200).then(retry);
      };
    });
  }

  close(): void {
    this.#stopped = true;
    this.#ws?.close();
  }
}

interface Visitor {
  index: number;
  token: string;
  sessionId: string;
  sockets: SoakSocket[];
  /** Confirmed sends: client message id → the stored message's id and its reply's (or null). */
  sent: Map<string, { user: string; agent: string | null }>;
  /** Sends whose every attempt failed: stored or not, the visitor never learnt. */
  unconfirmed: number;
}

async function post(url: string, body: unknown, token?: string) {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: () => JSON.parse(text), text };
}

async function main(): Promise<number> {
  if (!await postgresAvailable()) {
    emit({ name: "soak", error: "no PostgreSQL server answers (set TEST_DATABASE_URL)" });
    return 2;
  }
  const db = await createDatabase("parley_soak");
  const servers: ParleyServer[] = [];
  const visitors: Visitor[] = [];
  let errors = 0, retries = 0;
  let firstError: string | undefined;
  const latencies: number[] = [];
  try {
    progress(`two Parley processes on ${new URL(db.url).pathname.slice(1)}`);
    // One after the other: the second finds the schema migrated.
    servers.push(await startParley({ databaseUrl: db.url }));
    servers.push(await startParley({ databaseUrl: db.url }));
    const [a, b] = servers;
    const tenant = await createTenant(a.url);

    progress(`${VISITORS} visitors, each with a socket on both processes`);
    for (let i = 0; i < VISITORS; i++) {
      const home = servers[i % 2].url;
      const auth = await post(`${home}/embed/auth`, {
        widgetId: tenant.widgetId,
        domain: "soak.example",
      });
      if (auth.status !== 200) throw new Error(`embed auth: ${auth.status} ${auth.text}`);
      const token = auth.json().token as string;
      const session = await post(`${home}/api/chat/sessions`, {}, token);
      if (session.status !== 201) throw new Error(`session: ${session.status} ${session.text}`);
      const sessionId = session.json().id as string;
      const sockets = [a, b].map((s) =>
        new SoakSocket(`${s.url.replace(/^http/, "ws")}/ws?sessionId=${sessionId}&token=${token}`)
      );
      await Promise.all(sockets.map((s) => s.open()));
      visitors.push({ index: i, token, sessionId, sockets, sent: new Map(), unconfirmed: 0 });
    }

    progress(`chatting for ${SECONDS} s`);
    const started = performance.now();
    const stopAt = started + SECONDS * 1000;
    await Promise.all(visitors.map(async (v) => {
      await sleep(Math.random() * THINK_MS);
      for (let n = 0; performance.now() < stopAt; n++) {
        const clientMessageId = `soak-${v.index}-${n}`;
        let confirmed = false;
        const body = { content: `Message ${n} from visitor ${v.index}`, clientMessageId };
        for (let attempt = 0; attempt < SEND_ATTEMPTS; attempt++) {
          // Round robin over the processes; a retry goes to the other one, as behind a balancer.
          const server = servers[(v.index + n + attempt) % 2];
          const t0 = performance.now();
          try {
            const res = await post(
              `${server.url}/api/chat/sessions/${v.sessionId}/messages`,
              body,
              v.token,
            );
            if (res.status !== 201 && res.status !== 200) {
              throw new Error(`${res.status} ${res.text.slice(0, 200)}`);
            }
            const { userMessage, agentMessage } = res.json();
            v.sent.set(clientMessageId, { user: userMessage.id, agent: agentMessage?.id ?? null });
            latencies.push(performance.now() - t0);
            confirmed = true;
            break;
          } catch (err) {
            errors++;
            firstError ??= String(err);
            if (attempt + 1 < SEND_ATTEMPTS) retries++;
            await sleep(100 * 2 ** attempt);
          }
        }
        if (!confirmed) v.unconfirmed++;
        await sleep(Math.random() * THINK_MS);
      }
    }));
    const elapsed = (performance.now() - started) / 1000;

    // Deliveries still in flight land within a moment; wait until all did, or give up.
    const missing = () => {
      let n = 0;
      for (const v of visitors) {
        for (const { user, agent } of v.sent.values()) {
          for (const s of v.sockets) {
            if (!s.received.has(user)) n++;
            if (agent && !s.received.has(agent)) n++;
          }
        }
      }
      return n;
    };
    for (let waited = 0; waited < SETTLE_MS && missing() > 0; waited += 100) await sleep(100);

    // What the database holds, read directly.
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    const rows = await sql<{ session: string; client: string | null; sender: string; n: number }[]>`
      select chat_session_id::text as session, client_message_id as client, sender_type as sender,
             count(*)::int as n
      from chat_messages
      where sender_type in ('user', 'agent')
      group by 1, 2, 3`;
    await sql.end();
    const stored = new Map<string, number>();
    let storedReplies = 0, replyDuplicates = 0;
    for (const r of rows) {
      if (r.sender === "user") stored.set(`${r.session}/${r.client}`, r.n);
      else if (r.client?.startsWith("reply:")) {
        storedReplies += 1;
        if (r.n > 1) replyDuplicates += r.n - 1;
      }
    }

    let sent = 0, storedOnce = 0, storedDuplicates = 0, notStored = 0, unconfirmed = 0;
    let delivered = 0, expectedDeliveries = 0, duplicateDeliveries = 0, lostDeliveries = 0;
    let answered = 0;
    for (const v of visitors) {
      unconfirmed += v.unconfirmed;
      for (const [clientId, { user, agent }] of v.sent) {
        sent++;
        const n = stored.get(`${v.sessionId}/${clientId}`) ?? 0;
        if (n === 0) notStored++;
        else if (n === 1) storedOnce++;
        else (storedOnce++, storedDuplicates += n - 1);
        if (agent) answered++;
        for (const id of agent ? [user, agent] : [user]) {
          for (const s of v.sockets) {
            expectedDeliveries++;
            const count = s.received.get(id) ?? 0;
            if (count === 0) lostDeliveries++;
            else {
              delivered++;
              if (count > 1) duplicateDeliveries += count - 1;
            }
          }
        }
      }
    }
    const reconnects = visitors.reduce(
      (n, v) => n + v.sockets.reduce((m, s) => m + s.reconnects, 0),
      0,
    );
    const lost = notStored + lostDeliveries;
    const duplicates = storedDuplicates + replyDuplicates + duplicateDeliveries;
    emit({
      name: "soak",
      processes: 2,
      visitors: VISITORS,
      seconds: SECONDS,
      sockets: VISITORS * 2,
      sent,
      stored: storedOnce,
      answered,
      stored_replies: storedReplies,
      delivered,
      expected_deliveries: expectedDeliveries,
      duplicates,
      lost,
      unconfirmed_sends: unconfirmed,
      errors,
      retries,
      ...(firstError ? { first_error: firstError.slice(0, 300) } : {}),
      reconnects,
      messages_per_s: round(sent / elapsed, 1),
      round_trip_ms: latencyStats(latencies),
    });
    return lost > 0 || duplicates > 0 ? 1 : 0;
  } finally {
    for (const v of visitors) for (const s of v.sockets) s.close();
    for (const s of servers) await s.stop();
    await db.drop();
  }
}

Deno.exit(await main());
