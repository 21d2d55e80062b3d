/**
 * @module Real-time benchmark: 1000 sockets in 200 chat sessions. In every session one socket
 * sends typing frames and the server relays each to the session's other sockets (the hub's
 * publish path, with the PostgreSQL fan-out's NOTIFY), in one Parley process and across two
 * processes on one PostgreSQL database (publisher on one, receivers on the other: every delivery
 * goes through LISTEN/NOTIFY). Beside it, in the same run and with the same generator, a bare Deno
 * WebSocket server that relays frames to a room. Figures: deliveries per second (as fast as the
 * window allows) and delivery latency at a fixed offered rate. Then the path every chat message
 * takes: POSTed through the API (stored, answered by the demo agent), timed to its arrival at each
 * of the session's sockets, in one process and across two.
 */
import type { MessagesJob, MessagesResult, RelayJob, RelayResult, Room } from "./load_ws.ts";
import {
  createDatabase,
  createTenant,
  createVisitors,
  type ParleyServer,
  postgresAvailable,
  startParley,
} from "./lib/parley.ts";
import { freePort, runJson, spawnDeno, track, waitForHttp } from "./lib/proc.ts";
import { emit, emitBudget, progress, round, skip } from "./lib/report.ts";

/** Options of the real-time benchmark. */
export interface RealtimeBenchOptions {
  sockets: number;
  sessions: number;
  durationMs: number;
  warmupMs: number;
  /** Deliveries per second offered in the latency run. */
  rate: number;
  /** Chat messages per second POSTed in the message-delivery run. */
  messageRate: number;
}

/** Fan-out must reach at least this share of the bare broadcast floor's deliveries per second. */
const FANOUT_SHARE = 0.5;
const TYPING = ['{"type":"typing:start"}', '{"type":"typing:stop"}'];

async function relay(job: Omit<RelayJob, "kind" | "frames" | "match">): Promise<RelayResult> {
  const file = await Deno.makeTempFile({ prefix: "parley-bench-ws-", suffix: ".json" });
  try {
    await Deno.writeTextFile(
      file,
      JSON.stringify({ kind: "relay", frames: TYPING, match: '"typing:', ...job }),
    );
    return await runJson<RelayResult>("bench/load_ws.ts", [file]);
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

/** Chat messages through the API, timed to every socket of their session. */
async function messages(
  postBase: string,
  socketBase: string,
  visitors: { token: string; sessionId: string }[],
  perSession: number,
  options: RealtimeBenchOptions,
): Promise<MessagesResult> {
  const ws = socketBase.replace(/^http/, "ws");
  const job: MessagesJob = {
    kind: "messages",
    rooms: visitors.map((v) => ({
      post: `${postBase}/api/chat/sessions/${v.sessionId}/messages`,
      token: v.token,
      receivers: Array.from(
        { length: perSession },
        () => `${ws}/ws?sessionId=${v.sessionId}&token=${v.token}`,
      ),
    })),
    rate: options.messageRate,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    connectConcurrency: 50,
  };
  const file = await Deno.makeTempFile({ prefix: "parley-bench-msg-", suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify(job));
    return await runJson<MessagesResult>("bench/load_ws.ts", [file]);
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

function messageFigure(name: string, r: MessagesResult, rate: number) {
  return {
    name,
    sockets: r.sockets,
    sessions: r.rooms,
    messages_per_s: rate,
    deliveries_per_s: r.deliveriesPerSecond,
    p50_ms: r.latency.p50,
    p99_ms: r.latency.p99,
    post_p50_ms: r.roundTrip.p50,
    sent: r.sent,
    failed: r.failed,
    missing: r.missing,
    closed_early: r.closedEarly,
  };
}

/** Throughput (window) and latency (fixed rate) runs over the same rooms. */
async function measure(rooms: Room[], options: RealtimeBenchOptions) {
  const common = {
    rooms,
    durationMs: options.durationMs,
    warmupMs: options.warmupMs,
    connectConcurrency: 50,
  };
  const throughput = await relay({ ...common, rate: 0, window: 4 });
  const latency = await relay({ ...common, rate: options.rate, window: 0 });
  return { throughput, latency };
}

function figure(name: string, r: { throughput: RelayResult; latency: RelayResult }) {
  return {
    name,
    sockets: r.throughput.sockets,
    sessions: r.throughput.rooms,
    deliveries_per_s: r.throughput.deliveriesPerSecond,
    max_load_p50_ms: r.throughput.latency.p50,
    max_load_p99_ms: r.throughput.latency.p99,
    at_rate_per_s: r.latency.offeredPerSecond,
    delivered_per_s: r.latency.deliveriesPerSecond,
    p50_ms: r.latency.latency.p50,
    p99_ms: r.latency.latency.p99,
    missing: r.throughput.missing + r.latency.missing,
    closed_early: r.throughput.closedEarly + r.latency.closedEarly,
  };
}

function parleyRooms(
  publisherBase: string,
  receiverBase: string,
  visitors: { token: string; sessionId: string }[],
  perSession: number,
): Room[] {
  const url = (base: string, v: { token: string; sessionId: string }) =>
    `${base.replace(/^http/, "ws")}/ws?sessionId=${v.sessionId}&token=${v.token}`;
  return visitors.map((v) => ({
    publisher: url(publisherBase, v),
    receivers: Array.from({ length: perSession - 1 }, () => url(receiverBase, v)),
  }));
}

/** Runs the real-time benchmark, printing its figures. */
export async function runRealtimeBench(options: RealtimeBenchOptions): Promise<void> {
  const perSession = Math.round(options.sockets / options.sessions);

  progress("bare WebSocket broadcast floor");
  const port = freePort();
  const floorChild = track(spawnDeno("bench/floors.ts", ["ws", String(port)]));
  let floor: { throughput: RelayResult; latency: RelayResult };
  try {
    await waitForHttp(`http://127.0.0.1:${port}`, 30_000, floorChild);
    const rooms = Array.from({ length: options.sessions }, (_, i) => {
      const url = `ws://127.0.0.1:${port}/?room=${i}`;
      return { publisher: url, receivers: Array.from({ length: perSession - 1 }, () => url) };
    });
    floor = await measure(rooms, options);
  } finally {
    await floorChild.stop();
  }
  emit(figure("realtime.floor.bare_deno_broadcast", floor));

  const judgeAgainstFloor = (name: string, r: typeof floor, budget: boolean) => {
    const f = {
      ...figure(name, r),
      floor_deliveries_per_s: floor.throughput.deliveriesPerSecond,
      ratio_to_floor: round(
        r.throughput.deliveriesPerSecond / floor.throughput.deliveriesPerSecond,
        3,
      ),
    };
    if (budget) {
      emitBudget(f, f.ratio_to_floor, { limit: FANOUT_SHARE, kind: "min", unit: "of the floor" });
    } else emit(f);
  };

  progress("Parley, one process on PGlite");
  {
    const server = await startParley({ databaseUrl: "memory://" });
    try {
      const tenant = await createTenant(server.url);
      const visitors = await createVisitors(server.url, tenant, options.sessions);
      const r = await measure(parleyRooms(server.url, server.url, visitors, perSession), options);
      judgeAgainstFloor("realtime.fanout.one_process.pglite", r, false);
    } finally {
      await server.stop();
    }
  }

  if (!await postgresAvailable()) {
    skip("realtime.fanout.postgres", "no PostgreSQL server answers");
    return;
  }
  const db = await createDatabase();
  const servers: ParleyServer[] = [];
  try {
    progress("Parley, one process on PostgreSQL");
    servers.push(await startParley({ databaseUrl: db.url }));
    const tenant = await createTenant(servers[0].url);
    const visitors = await createVisitors(servers[0].url, tenant, options.sessions);
    const one = await measure(
      parleyRooms(servers[0].url, servers[0].url, visitors, perSession),
      options,
    );
    judgeAgainstFloor("realtime.fanout.one_process.postgres", one, true);
    const oneMessages = await messages(
      servers[0].url,
      servers[0].url,
      visitors,
      perSession,
      options,
    );
    emit(messageFigure("realtime.messages.one_process.postgres", oneMessages, options.messageRate));

    progress("Parley, two processes on PostgreSQL (LISTEN/NOTIFY)");
    servers.push(await startParley({ databaseUrl: db.url }));
    const two = await measure(
      parleyRooms(servers[0].url, servers[1].url, visitors, perSession),
      options,
    );
    judgeAgainstFloor("realtime.fanout.two_processes.postgres", two, false);
    const twoMessages = await messages(
      servers[0].url,
      servers[1].url,
      visitors,
      perSession,
      options,
    );
    emit(
      messageFigure("realtime.messages.two_processes.postgres", twoMessages, options.messageRate),
    );
  } finally {
    for (const s of servers) await s.stop();
    await db.drop();
  }
}
