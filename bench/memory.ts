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
import {
  connectInspector,
  type SamplingHeapProfile,
  type SamplingHeapProfileNode,
} from "./lib/inspector.ts";
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
/**
 * RSS is also read at these seconds after the sockets opened, while they idle: with the 2 s and
 * the idle readings, `kb_per_socket_by_s` shows when V8 gives the upgrades' garbage back.
 */
const IDLE_MARKS_S = [10, 20];
/**
 * A directory: Parley's upgrades are then recorded by V8's sampling heap profiler (what they
 * allocate, collected or not) into `upgrades_postgres_<n>.heapprofile` there, and the largest allocation
 * sites are printed. The profiler slows the upgrades, so the figures of such a run are not the
 * budgeted ones.
 */
const HEAP_PROFILE_DIR = Deno.env.get("BENCH_HEAP_PROFILE");
/** Extra `deno run` flags for the server (e.g. V8 heap flags while looking into a figure). */
const SERVER_FLAGS = Deno.env.get("BENCH_SERVER_FLAGS")?.split(" ").filter(Boolean) ?? [];
const inspect = (port: number) => [`--inspect=127.0.0.1:${port}`];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
const ROOT = new URL("..", import.meta.url).href;

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
async function perSocket(
  pid: number,
  inspectPort: number,
  urls: string[],
  warmup: string[],
  profile?: string,
) {
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
    if (profile) await inspector.startSampling();
    const h = await hold(urls);
    const open = Date.now();
    if (profile) await writeUpgradeProfile(await inspector.stopSampling(), profile, urls.length);
    const perSocketKb = (bytes: number) => round(bytes / urls.length / 1024, 1);
    await sleep(open + SETTLE_MS - Date.now());
    const after = await rssBytes(pid);
    // The same reading as the sockets idle on, nothing forced: when V8 gives the garbage back.
    const bySeconds: Record<string, number> = { [SETTLE_MS / 1000]: perSocketKb(after - before) };
    for (const s of IDLE_MARKS_S.filter((s) => s * 1000 < SETTLE_MS + IDLE_MS)) {
      await sleep(open + s * 1000 - Date.now());
      bySeconds[s] = perSocketKb(await rssBytes(pid) - before);
    }
    await sleep(open + SETTLE_MS + IDLE_MS - Date.now());
    const idle = await rssBytes(pid);
    bySeconds[(SETTLE_MS + IDLE_MS) / 1000] = perSocketKb(idle - before);
    const gcAfter = await inspector.gcAndMeasure();
    await h.close();
    return {
      rss_before_mb: round(before / 2 ** 20, 1),
      rss_after_mb: round(after / 2 ** 20, 1),
      kb_per_socket: perSocketKb(after - before),
      idle_s: IDLE_MS / 1000,
      kb_per_socket_idle: perSocketKb(idle - before),
      kb_per_socket_by_s: bySeconds,
      kb_per_socket_after_gc: perSocketKb(gcAfter.rss - gcBefore.rss),
      js_heap_kb_per_socket_after_gc: perSocketKb(gcAfter.heapUsed - gcBefore.heapUsed),
      connect_ms: h.connectMs,
      // The profiler's own bookkeeping and its slower upgrades count in such a run's figures.
      ...(profile ? { heap_profiled: true } : {}),
    };
  } finally {
    inspector.close();
  }
}

/**
 * Saves the sampling heap profile of `n` upgrades under `name` in `HEAP_PROFILE_DIR` and prints
 * its largest allocation sites (bytes allocated there, by the function itself, per upgrade).
 */
async function writeUpgradeProfile(profile: SamplingHeapProfile, name: string, n: number) {
  await Deno.mkdir(HEAP_PROFILE_DIR!, { recursive: true });
  await Deno.writeTextFile(`${HEAP_PROFILE_DIR}/${name}.heapprofile`, JSON.stringify(profile));
  const bySite = new Map<string, number>();
  let total = 0;
  const walk = (node: SamplingHeapProfileNode) => {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*registry\.npmjs\.org\//, "npm:").replace(ROOT, "");
    const site = `${functionName || "(anonymous)"} ${file || "(builtin)"}:${lineNumber + 1}`;
    bySite.set(site, (bySite.get(site) ?? 0) + node.selfSize);
    total += node.selfSize;
    node.children.forEach(walk);
  };
  walk(profile.head);
  const kb = (bytes: number) => round(bytes / n / 1024, 1);
  emit({
    name: "memory.upgrade_allocations",
    profile: name,
    kb_per_upgrade: kb(total),
    top_sites_kb_per_upgrade: Object.fromEntries(
      [...bySite].sort((a, b) => b[1] - a[1]).slice(0, 10).map(([site, b]) => [site, kb(b)]),
    ),
  });
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
        HEAP_PROFILE_DIR && `upgrades_postgres_${n}`,
      );
      // The budget is what an idle socket costs once the server is idle too: the 2 s figure also
      // holds the garbage of the upgrades themselves, which V8's memory reducer collects by itself
      // about 20 s after allocation stops (never within 20 s, by 24 s in every run so far).
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
