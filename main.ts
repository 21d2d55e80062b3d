/**
 * @module Composition root: config → database → migrations → demo data → app → server, and a
 * graceful stop on SIGTERM/SIGINT.
 */
import { type Config, ConfigError, loadConfig } from "./config.ts";
import { openDatabase } from "./db/client.ts";
import { migrate } from "./db/migrate.ts";
import { seedDemo } from "./db/seed.ts";
import { pruneDeliveries } from "./db/queries/retell_deliveries.ts";
import { createApp } from "./app.ts";
import { Hub } from "./hub/hub.ts";
import { startPgFanout } from "./hub/pg_fanout.ts";
import { selectAgent } from "./agents/select.ts";
import { TenantAgents } from "./agents/tenancy.ts";
import { log, setLogLevel } from "./lib/log.ts";
import { RateLimits } from "./limits/rate_limit.ts";
import { WebhookWorker } from "./webhooks/worker.ts";
import { startRetentionJob } from "./conversations/retention.ts";
import { privateUmask, restrictTree } from "./lib/private_files.ts";

let config: Config;
try {
  config = loadConfig();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  // deno-lint-ignore no-console
  console.error(`Parley cannot start:\n${err.problems.map((p) => `  ${p}`).join("\n")}`);
  Deno.exit(1);
}
setLogLevel(config.logLevel);

// The browser bundles are built here when missing or stale, so a fresh clone needs no other step.
// A failed build is logged and the API still serves; the widget files answer 503 until fixed.
await buildIfStale().catch((err) =>
  log.error("building the browser bundles failed", { error: String(err) })
);

// The embedded database lives in DATA_DIR, which is owner-only (0700): nobody else can reach the
// files inside, whatever their modes. PGlite sets its files' modes itself (0666, ignoring the
// umask), so they are narrowed to 0600 after it opened them, and again when it stops.
const embedded = config.databaseUrl.startsWith("pglite:");
if (embedded) {
  privateUmask();
  restrictTree(config.dataDir);
}
const database = await openDatabase(config.databaseUrl, { prepare: config.databasePrepare });
const applied = await migrate(database);
if (embedded) restrictTree(config.dataDir);
if (applied.length) log.info("migrated", { applied });
const demo = config.seedDemo ? await seedDemo(database.db) : undefined;

const hub = new Hub();
// Several processes on one PostgreSQL server reach each other's sockets through LISTEN/NOTIFY.
if (database.kind === "postgres") await startPgFanout(hub, database);
const agent = selectAgent(config);
log.info("agent", { kind: agent.kind });
const rateLimits = new RateLimits(config, database);
// Conversations older than their organization's retentionDays go, at start and every 15 minutes.
const retention = startRetentionJob(database.db);
retention.runOnce().catch((err) => log.warn("retention purge failed", { error: String(err) }));
if (!config.rateLimits) {
  // Printed whatever LOG_LEVEL says: nobody should run this way without knowing.
  // deno-lint-ignore no-console
  console.warn(
    "WARNING: RATE_LIMITS=off: every rate limit and budget is off, so anyone can spend this " +
      "server's Retell budget. Use it for load tests only.",
  );
}
// Rows of ended windows in PostgreSQL would otherwise stay forever (one per address, number...),
// and so would the Retell deliveries seen (one per webhook, useless once too old to verify).
const pruneTimer = setInterval(() => {
  rateLimits.prune().catch((err) => log.warn("pruning rate limits failed", { error: String(err) }));
  pruneDeliveries(database.db).catch((err) =>
    log.warn("pruning Retell deliveries failed", { error: String(err) })
  );
}, 5 * 60_000);
Deno.unrefTimer(pruneTimer);
const tenants = new TenantAgents(config);
const app = createApp({ config, database, hub, agent, rateLimits, tenants });
// Outbound webhooks are sent from the queue in the database, off the request path; every process
// runs a worker and the queue divides the work.
const webhooks = new WebhookWorker({
  database,
  keys: config,
  allowPrivate: config.webhooksAllowPrivate,
});
await webhooks.start();
if (config.webhooksAllowPrivate) {
  log.warn("WEBHOOKS_ALLOW_PRIVATE=1: webhooks may reach loopback and private addresses");
}

const server = Deno.serve({
  port: config.port,
  onListen: ({ port }) => {
    const base = config.publicUrl ?? `http://localhost:${port}`;
    log.info("listening", { url: base, database: database.kind });
    if (demo) {
      // deno-lint-ignore no-console
      console.log(
        `\n  Parley is running at ${base}\n  Demo page:  ${base}/\n  Admin:      ${base}/admin  (${demo.email} / ${demo.password})\n  Widget id:  ${demo.widgetId}\n`,
      );
    }
  },
}, app.fetch);

/**
 * Runs `build.ts --if-stale` as a child process: the builder (and `deno bundle`) stays out of the
 * server's module graph and memory; it exits once the bundles are current.
 */
async function buildIfStale(): Promise<void> {
  const { success, code } = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-env",
      new URL("./build.ts", import.meta.url).pathname,
      "--if-stale",
    ],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (!success) throw new Error(`build.ts exited with code ${code}`);
}

/** How long in-flight requests may take to finish once a stop is asked for. */
const DRAIN_MS = 10_000;
let stopping = false;

/** Drains: stop accepting, close sockets (clients reconnect elsewhere), finish requests, exit. */
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info("shutting down", { signal });
  // Sockets first, with our close code (Deno's shutdown would send 1001); then shutdown() stops
  // accepting and lets pending requests finish (an aborted signal would not wait for them).
  retention.stop();
  clearInterval(pruneTimer);
  await hub.close();
  const finished = server.shutdown();
  const drained = await Promise.race([
    finished.then(() => true),
    new Promise<false>((resolve) => setTimeout(() => resolve(false), DRAIN_MS)),
  ]);
  if (!drained) log.warn("requests still running after the drain period", { ms: DRAIN_MS });
  await webhooks.stop();
  await database.close();
  if (embedded) restrictTree(config.dataDir);
  Deno.exit(0);
}
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  Deno.addSignalListener(signal, () => shutdown(signal));
}
