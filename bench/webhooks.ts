/**
 * @module Webhooks benchmark: how many deliveries per second one process's worker sends from the
 * queue in the database (to a bare receiver in a process of its own), and the message round trip
 * of the real server with and without a webhook subscribed to `message.created` (delivery is off
 * the request path, so the two should match).
 */
import { openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import { organizations } from "../db/schema.ts";
import { createWebhook } from "../webhooks/endpoints.ts";
import { enqueueWebhookEvent } from "../webhooks/enqueue.ts";
import { WebhookWorker } from "../webhooks/worker.ts";
import { setLogLevel } from "../lib/log.ts";
import type { HttpJob, HttpResult } from "./load_http.ts";
import {
  createDatabase,
  createTenant,
  createVisitors,
  postgresAvailable,
  startOn,
} from "./lib/parley.ts";
import { freePort, runJson, spawnDeno, track, waitForHttp } from "./lib/proc.ts";
import { emit, progress, round, skip } from "./lib/report.ts";

const KEYS = { jwtSecret: "bench-secret-bench-secret-bench-secret" };

/** Options of the webhooks benchmark. */
export interface WebhooksBenchOptions {
  /** Events queued (one delivery each) for the deliveries-per-second figure. */
  events: number;
  /** Visitors of the round-trip comparison, each sending one message per `paceMs`. */
  visitors: number;
  paceMs: number;
  durationMs: number;
  warmupMs: number;
}

async function load(job: HttpJob): Promise<HttpResult> {
  const file = await Deno.makeTempFile({ prefix: "parley-bench-job-", suffix: ".json" });
  try {
    await Deno.writeTextFile(file, JSON.stringify(job));
    return await runJson<HttpResult>("bench/load_http.ts", [file]);
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

async function deliveriesPerSecond(
  kind: "pglite" | "postgres",
  receiverUrl: string,
  events: number,
) {
  const pg = kind === "postgres" ? await createDatabase("parley_bench_webhooks") : undefined;
  const database = await openDatabase(pg?.url ?? "memory://");
  try {
    await migrate(database);
    const [org] = await database.db.insert(organizations).values({ name: "Bench" }).returning();
    await createWebhook(database.db, KEYS, {
      organizationId: org.id,
      url: receiverUrl,
      events: ["message.created"],
    });
    const data = {
      session: { id: crypto.randomUUID() } as never,
      message: { id: crypto.randomUUID(), content: "A message of ordinary length." } as never,
    };
    const t0 = performance.now();
    for (let i = 0; i < events; i++) {
      await enqueueWebhookEvent(database.db, {
        organizationId: org.id,
        type: "message.created",
        data,
      });
    }
    const enqueueMs = performance.now() - t0;
    const worker = new WebhookWorker({ database, keys: KEYS, allowPrivate: true });
    const t1 = performance.now();
    const sent = await worker.runDue();
    const sendMs = performance.now() - t1;
    await worker.stop();
    emit({
      name: `webhooks.deliveries_per_second.${kind}`,
      deliveries: sent,
      concurrency: 8,
      per_second: round(sent / (sendMs / 1000), 0),
      enqueue_per_second: round(events / (enqueueMs / 1000), 0),
      note: "one worker (one process), receiver: a bare Deno handler in its own process",
    });
  } finally {
    await database.close();
    await pg?.drop();
  }
}

async function roundTripWithWebhook(
  kind: "pglite" | "postgres",
  receiverUrl: string,
  options: WebhooksBenchOptions,
) {
  const { server, close } = await startOn(kind, { WEBHOOKS_ALLOW_PRIVATE: "1", LOG_LEVEL: "warn" });
  try {
    const tenant = await createTenant(server.url);
    const visitors = await createVisitors(server.url, tenant, options.visitors);
    const job = {
      base: server.url,
      visitors,
      durationMs: options.durationMs,
      warmupMs: options.warmupMs,
      maxRequests: 5_000_000,
      paceMs: options.paceMs,
    };
    const without = await load(job);
    const res = await fetch(`${server.url}/api/webhooks`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${tenant.adminToken}`,
      },
      body: JSON.stringify({ url: receiverUrl, events: ["message.created"] }),
    });
    if (res.status !== 201) throw new Error(`webhook: ${res.status} ${await res.text()}`);
    const withHook = await load(job);
    emit({
      name: `webhooks.round_trip_paced.${kind}`,
      load: `${options.visitors} visitors, each one message per ${options.paceMs} ms`,
      p50_ms_without: without.latency.p50,
      p50_ms_with_webhook: withHook.latency.p50,
      p99_ms_without: without.latency.p99,
      p99_ms_with_webhook: withHook.latency.p99,
      rps_with_webhook: withHook.rps,
      requests_without: without.requests,
      requests_with_webhook: withHook.requests,
      errors: without.errors + withHook.errors,
      note: "webhook subscribed to message.created (two deliveries per round trip)",
    });
  } finally {
    await close();
  }
}

/** Runs the webhooks benchmark, printing its figures. */
export async function runWebhooksBench(options: WebhooksBenchOptions): Promise<void> {
  setLogLevel("warn");
  const port = freePort();
  const receiver = track(spawnDeno("bench/floors.ts", ["http", String(port)]));
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(base, 30_000, receiver);
    const kinds: ("pglite" | "postgres")[] = ["pglite"];
    if (await postgresAvailable()) kinds.push("postgres");
    else skip("webhooks.postgres", "no PostgreSQL server answers");
    for (const kind of kinds) {
      progress(`webhook deliveries on ${kind}`);
      await deliveriesPerSecond(kind, `${base}/hook`, options.events);
      progress(`round trip with a webhook on ${kind}`);
      await roundTripWithWebhook(kind, `${base}/hook`, options);
    }
  } finally {
    await receiver.stop();
  }
}

if (import.meta.main) {
  const quick = Deno.env.get("BENCH_QUICK") === "1";
  await runWebhooksBench({
    events: quick ? 300 : 2000,
    visitors: quick ? 10 : 50,
    paceMs: 1000,
    durationMs: quick ? 3000 : 5000,
    warmupMs: quick ? 500 : 1000,
  });
}
