/**
 * @module Memory benchmark: resident memory per idle WebSocket. The server's RSS (`VmRSS` of
 * /proc/<pid>/status) is read before and after a separate process opens N sockets (5 per chat
 * session) and leaves them idle; the difference over N is the cost of one socket. A fresh server
 * per N, on PostgreSQL (PGlite's WASM heap grows with queries and would blur the figure), and the
 * bare Deno WebSocket server measured the same way as the floor.
 */
import type { HoldJob } from "./load_ws.ts";
import {
  createDatabase,
  createSessions,
  createTenant,
  createVisitors,
  postgresAvailable,
  startParley,
} from "./lib/parley.ts";
import {
  childOpenFileLimit,
  freePort,
  rssBytes,
  spawnDeno,
  track,
  waitForHttp,
} from "./lib/proc.ts";
import { connectInspector } from "./lib/inspector.ts";
import { emit, emitBudget, progress, round, skip } from "./lib/report.ts";

/** Options of the memory benchmark. */
export interface MemoryBenchOptions {
  counts: number[];
}

const SOCKET_BUDGET_KB = 50;
const PER_SESSION = 5;
const SETTLE_MS = 2000;
/**
 * Then the sockets stay idle this long before RSS is read again, still without a forced
 * collection: what an idle server keeps once V8 has had a quiet moment (its memory reducer runs
 * collections when allocation stops).
 */
const IDLE_MS = Number(Deno.env.get("BENCH_IDLE_MS") ?? 30_000);
/** Extra `deno run` flags for the server (e.g. V8 heap flags while looking into a figure). */
const SERVER_FLAGS = Deno.env.get("BENCH_SERVER_FLAGS")?.split(" ").filter(Boolean) ?? [];
const inspect = (port: number) => [`--inspect=127.0.0.1:${port}`];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens `urls` from a child process; resolves once all are open, with a `close()`. */
async function hold(urls: string[]): Promise<{ connectMs: number; close(): Promise<void> }> {
  const file = await Deno.makeTempFile({ prefix: "parley-bench-hold-", suffix: ".json" });
  const job: HoldJob = { kind: "hold", urls, connectConcurrency: 50 };
  await Deno.writeTextFile(file, JSON.stringify(job));
  const process = spawnDeno("bench/load_ws.ts", [file], { stdout: "piped" });
  const child = track(process);
  const reader = process.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("the socket holder exited before opening every socket");
      buffered += value;
      const line = buffered.split("\n").find((l) => l.includes('"ready"'));
      if (line) {
        const { connectMs } = JSON.parse(line) as { connectMs: number };
        return {
          connectMs,
          async close() {
            reader.releaseLock();
            await process.stdout.cancel().catch(() => {});
            await child.stop(2000);
            await Deno.remove(file).catch(() => {});
          },
        };
      }
    }
  } catch (err) {
    await child.stop(1000);
    await Deno.remove(file).catch(() => {});
    throw err;
  }
}

/**
 * RSS before and after `urls.length` idle sockets on the server of `pid` (2 s after they opened,
 * and after `IDLE_MS` more of idling, never forcing a collection); through its inspector, also
 * the JS heap after a forced collection, which tells what sockets keep from garbage.
 */
async function perSocket(pid: number, inspectPort: number, urls: string[], warmup: string[]) {
  const inspector = await connectInspector(inspectPort);
  try {
    // One round of opening and closing first, so code loading and JIT are not counted per socket.
    const w = await hold(warmup);
    await w.close();
    await sleep(SETTLE_MS);
    // A clean start: what set-up left behind (sessions, warm-up) is collected first. The "after"
    // RSS is read before any forced collection, so it includes what opening the sockets left as
    // garbage; the after-GC figures show what the sockets themselves keep.
    const gcBefore = await inspector.gcAndMeasure();
    const before = await rssBytes(pid);
    const h = await hold(urls);
    await sleep(SETTLE_MS);
    const after = await rssBytes(pid);
    await sleep(IDLE_MS);
    const idle = await rssBytes(pid);
    const gcAfter = await inspector.gcAndMeasure();
    await h.close();
    const perSocketKb = (bytes: number) => round(bytes / urls.length / 1024, 1);
    return {
      rss_before_mb: round(before / 2 ** 20, 1),
      rss_after_mb: round(after / 2 ** 20, 1),
      kb_per_socket: perSocketKb(after - before),
      idle_s: IDLE_MS / 1000,
      kb_per_socket_idle: perSocketKb(idle - before),
      kb_per_socket_after_gc: perSocketKb(gcAfter.rss - gcBefore.rss),
      js_heap_kb_per_socket_after_gc: perSocketKb(gcAfter.heapUsed - gcBefore.heapUsed),
      connect_ms: h.connectMs,
    };
  } finally {
    inspector.close();
  }
}

/** Runs the memory benchmark, printing its figures. */
export async function runMemoryBench(options: MemoryBenchOptions): Promise<void> {
  const limit = await childOpenFileLimit();
  const largest = Math.max(...options.counts);
  if (limit < largest + 100) {
    skip("memory", `open-file limit ${limit} is below ${largest + 100} and cannot be raised`);
    return;
  }

  for (const n of options.counts) {
    progress(`bare WebSocket memory at ${n} sockets`);
    const port = freePort(), inspectPort = freePort();
    const child = track(
      spawnDeno("bench/floors.ts", ["ws", String(port)], { flags: inspect(inspectPort) }),
    );
    try {
      await waitForHttp(`http://127.0.0.1:${port}`, 30_000, child);
      const url = (i: number) => `ws://127.0.0.1:${port}/?room=${Math.floor(i / PER_SESSION)}`;
      const r = await perSocket(
        child.pid,
        inspectPort,
        Array.from({ length: n }, (_, i) => url(i)),
        Array.from({ length: 100 }, (_, i) => url(i)),
      );
      emit({ name: "memory.floor.bare_deno_websocket", sockets: n, ...r });
    } finally {
      await child.stop();
    }
  }

  if (!await postgresAvailable()) {
    skip("memory.idle_socket", "no PostgreSQL server answers");
    return;
  }
  for (const n of options.counts) {
    progress(`Parley memory at ${n} idle sockets`);
    const db = await createDatabase();
    const inspectPort = freePort();
    const server = await startParley({
      databaseUrl: db.url,
      flags: [...inspect(inspectPort), ...SERVER_FLAGS],
    });
    try {
      const tenant = await createTenant(server.url);
      const [visitor] = await createVisitors(server.url, tenant, 1);
      const sessions = await createSessions(server.url, visitor.token, Math.ceil(n / PER_SESSION));
      const ws = server.url.replace(/^http/, "ws");
      const url = (i: number) =>
        `${ws}/ws?sessionId=${sessions[Math.floor(i / PER_SESSION)]}&token=${visitor.token}`;
      const r = await perSocket(
        server.pid,
        inspectPort,
        Array.from({ length: n }, (_, i) => url(i)),
        Array.from({ length: 100 }, (_, i) => url(i)),
      );
      // The budget is what an idle socket costs once the server is idle too: the 2 s figure also
      // holds the garbage of the upgrades themselves, which V8 collects by itself within seconds.
      emitBudget({ name: "memory.idle_socket.postgres", sockets: n, ...r }, r.kb_per_socket_idle, {
        limit: SOCKET_BUDGET_KB,
        kind: "max",
        unit: "KB per socket",
      });
    } finally {
      await server.stop();
      await db.drop();
    }
  }
}
