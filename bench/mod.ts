/**
 * @module `deno task bench`: every benchmark in one run, one JSON line per figure on stdout, each
 * floor measured in the same run. Environment:
 * - `BENCH_ONLY=server,budgets,realtime,memory,widget,webhooks,peers` runs some sections only
 *   (`attack`, the oversized-frame attack, and `lighthouse`, Lighthouse 12 on the demo page with
 *   and without the widget (Node and npm needed), run only when named);
 * - `BENCH_QUICK=1` shortens every run (a smoke test while developing; figures are not comparable);
 * - `BENCH_PEERS=1` also re-measures the other widgets from their npm packages (`bench/peers.ts`).
 */
import { runBudgetCostBench, runServerBench } from "./server.ts";
import { runRealtimeBench } from "./realtime.ts";
import { runMemoryBench } from "./memory.ts";
import { runWidgetBench } from "./widget.ts";
import { runPeersBench } from "./peers.ts";
import { runWebhooksBench } from "./webhooks.ts";
import { runFrameAttackBench } from "./frame_attack.ts";
import { runLighthouseBench } from "./lighthouse.ts";
import { machine } from "./lib/machine.ts";
import { postgresAvailable } from "./lib/parley.ts";
import { emit, progress } from "./lib/report.ts";

const quick = Deno.env.get("BENCH_QUICK") === "1";
const only = new Set(
  (Deno.env.get("BENCH_ONLY") ?? "server,budgets,realtime,memory,widget,webhooks,peers").split(",")
    .map((
      s,
    ) => s.trim()),
);
const peers = Deno.env.get("BENCH_PEERS") === "1";

const sections: [string, () => Promise<void>][] = [
  ["widget", () => runWidgetBench({ runs: quick ? 3 : 10 })],
  ["server", () =>
    runServerBench({
      concurrency: [50, 200],
      durationMs: quick ? 1500 : 6000,
      warmupMs: quick ? 500 : 1500,
      paceMs: 1000,
    })],
  ["budgets", async () => {
    const options = {
      concurrency: [200] as [number],
      durationMs: quick ? 1500 : 6000,
      warmupMs: quick ? 500 : 1500,
      paceMs: 1000,
    };
    if (await postgresAvailable()) await runBudgetCostBench("postgres", options);
    else await runBudgetCostBench("pglite", options);
  }],
  ["realtime", () =>
    runRealtimeBench({
      sockets: quick ? 250 : 1000,
      sessions: quick ? 50 : 200,
      durationMs: quick ? 1500 : 5000,
      warmupMs: quick ? 500 : 1000,
      rate: 10_000,
      messageRate: 100,
    })],
  ["memory", () => runMemoryBench({ counts: quick ? [200, 1000] : [1000, 5000] })],
  ["webhooks", () =>
    runWebhooksBench({
      events: quick ? 300 : 2000,
      visitors: quick ? 10 : 50,
      paceMs: 1000,
      durationMs: quick ? 3000 : 5000,
      warmupMs: quick ? 500 : 1000,
    })],
  // Opt-in (BENCH_ONLY=attack): it makes the server hold about a gigabyte on purpose.
  ["attack", () => runFrameAttackBench(quick ? 4 : 8, 60)],
  // Opt-in (BENCH_ONLY=lighthouse): it needs Node and installs lighthouse from npm into a cache.
  ["lighthouse", () =>
    runLighthouseBench({
      runs: Number(Deno.env.get("LIGHTHOUSE_RUNS") ?? (quick ? 3 : 5)),
    })],
  ["peers", async () => {
    if (peers) await runPeersBench();
    else emit({ name: "peers", skipped: "set BENCH_PEERS=1 to re-measure the other widgets" });
  }],
];

const started = performance.now();
emit({ name: "machine", ...(await machine()), quick });
for (const [name, run] of sections) {
  if (!only.has(name)) continue;
  progress(`${name}…`);
  const t0 = performance.now();
  try {
    await run();
  } catch (err) {
    emit({ name, error: String((err as Error)?.stack ?? err).slice(0, 2000) });
  }
  progress(`${name} took ${Math.round((performance.now() - t0) / 1000)} s`);
}
progress(`all done in ${Math.round((performance.now() - started) / 1000)} s`);
