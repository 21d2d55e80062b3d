/**
 * @module Server benchmark: the message round trip (POST a message, the demo agent answers with no
 * delay, both stored and published) through the real `main.ts` process, at 50 and 200 concurrent
 * visitors on PGlite and on PostgreSQL, beside a bare `Deno.serve` JSON handler driven by the same
 * load generator in the same run. The load runs in a process of its own.
 */
import type { HttpJob, HttpResult } from "./load_http.ts";
import { createTenant, createVisitors, postgresAvailable, startOn } from "./lib/parley.ts";
import { freePort, runJson, spawnDeno, track, waitForHttp } from "./lib/proc.ts";
import { emit, emitBudget, progress, round, skip } from "./lib/report.ts";

/** Options of the server benchmark. */
export interface ServerBenchOptions {
  concurrency: number[];
  durationMs: number;
  warmupMs: number;
  /** One message per visitor per this many ms in the paced run. */
  paceMs: number;
}

/** Round trip p50 on PostgreSQL at a paced load (see BENCHMARKS.md). */
const ROUND_TRIP_P50_MS = 10;

async function load(job: HttpJob): Promise<HttpResult> {
  const file = await Deno.makeTempFile({ prefix: "parley-bench-job-", suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify(job));
    return await runJson<HttpResult>("bench/load_http.ts", [file]);
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

/** The floor: a bare JSON handler in its own process. */
async function floor(options: ServerBenchOptions): Promise<Map<number, HttpResult>> {
  const port = freePort();
  const child = track(spawnDeno("bench/floors.ts", ["http", String(port)]));
  const results = new Map<number, HttpResult>();
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(base, 30_000, child);
    for (const n of options.concurrency) {
      const visitors = Array.from({ length: n }, (_, i) => ({
        token: "floor",
        sessionId: `floor-${i}`,
      }));
      const r = await load({
        base,
        visitors,
        durationMs: options.durationMs,
        warmupMs: options.warmupMs,
        maxRequests: 5_000_000,
        paceMs: 0,
      });
      results.set(n, r);
      emit({
        name: "server.floor.bare_deno_json",
        concurrency: n,
        rps: r.rps,
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
        requests: r.requests,
        errors: r.errors,
      });
    }
  } finally {
    await child.stop();
  }
  return results;
}

/**
 * What the budgets of SPEC v2.1 add to the message round trip (two budget spends and the agent
 * reply's, each an upsert of `rate_limits` on PostgreSQL): the paced round trip at `concurrency`
 * visitors with the budgets on, then with `RATE_LIMITS=off`, on the same kind of database.
 */
export async function runBudgetCostBench(
  kind: "pglite" | "postgres",
  options: ServerBenchOptions & { concurrency: [number] },
): Promise<void> {
  const n = options.concurrency[0];
  const p50: Record<string, number> = {};
  // Visitors from addresses of their own, as on a real site (one proxy hop in front): the
  // organization's agent-reply budget is then the one row they all share.
  const proxied = { TRUST_PROXY_HOPS: "1" };
  for (
    const [label, env] of [
      ["on", proxied],
      ["off", { ...proxied, RATE_LIMITS: "off" }],
    ] as const
  ) {
    progress(`budget cost on ${kind}: budgets ${label}`);
    const { server, close } = await startOn(kind, env);
    try {
      const tenant = await createTenant(server.url);
      const visitors = await createVisitors(server.url, tenant, n);
      const r = await load({
        base: server.url,
        visitors,
        durationMs: options.durationMs,
        warmupMs: options.warmupMs,
        maxRequests: 5_000_000,
        paceMs: options.paceMs,
        ownAddresses: true,
      });
      p50[label] = r.latency.p50;
      emit({
        name: `server.round_trip_paced.budgets_${label}.${kind}`,
        concurrency: n,
        rps: r.rps,
        p50_ms: r.latency.p50,
        p99_ms: r.latency.p99,
        errors: r.errors,
      });
    } finally {
      await close();
    }
  }
  const figure = {
    name: `server.budget_cost.${kind}`,
    concurrency: n,
    p50_on_ms: p50.on,
    p50_off_ms: p50.off,
    cost_p50_ms: round(p50.on - p50.off, 2),
  };
  if (kind === "postgres") {
    emitBudget(figure, p50.on, { limit: ROUND_TRIP_P50_MS, kind: "max", unit: "ms p50" });
  } else emit(figure);
}

/** Runs the server benchmark, printing its figures. */
export async function runServerBench(options: ServerBenchOptions): Promise<void> {
  const floors = await floor(options);
  const kinds: ("pglite" | "postgres")[] = ["pglite"];
  if (await postgresAvailable()) kinds.push("postgres");
  else skip("server.round_trip.postgres", "no PostgreSQL server answers");
  const maxConcurrency = Math.max(...options.concurrency);

  for (const kind of kinds) {
    progress(`server round trip on ${kind}`);
    const { server, close } = await startOn(kind);
    try {
      const tenant = await createTenant(server.url);
      const visitors = await createVisitors(server.url, tenant, maxConcurrency);
      for (const n of options.concurrency) {
        const r = await load({
          base: server.url,
          visitors: visitors.slice(0, n),
          durationMs: options.durationMs,
          warmupMs: options.warmupMs,
          maxRequests: 5_000_000,
          paceMs: 0,
        });
        const bare = floors.get(n);
        emit({
          name: `server.round_trip.${kind}`,
          load: "closed loop (each visitor sends again as soon as answered)",
          concurrency: n,
          rps: r.rps,
          p50_ms: r.latency.p50,
          p99_ms: r.latency.p99,
          requests: r.requests,
          errors: r.errors,
          ...(r.firstError ? { first_error: r.firstError } : {}),
          floor_rps: bare?.rps,
          ratio_to_floor: bare ? round(r.rps / bare.rps, 4) : undefined,
        });
      }
      // Latency when the server is not saturated: every visitor sends one message per `paceMs`,
      // far more than a person types, so queueing does not hide the service time.
      for (const n of options.concurrency) {
        const r = await load({
          base: server.url,
          visitors: visitors.slice(0, n),
          durationMs: options.durationMs,
          warmupMs: options.warmupMs,
          maxRequests: 5_000_000,
          paceMs: options.paceMs,
        });
        const figure = {
          name: `server.round_trip_paced.${kind}`,
          load: `each visitor sends one message per ${options.paceMs} ms`,
          concurrency: n,
          offered_rps: round((n * 1000) / options.paceMs, 0),
          rps: r.rps,
          p50_ms: r.latency.p50,
          p99_ms: r.latency.p99,
          requests: r.requests,
          errors: r.errors,
        };
        if (kind === "postgres") {
          emitBudget(figure, r.latency.p50, {
            limit: ROUND_TRIP_P50_MS,
            kind: "max",
            unit: "ms p50",
          });
        } else emit(figure);
      }
    } finally {
      await close();
    }
  }
}
