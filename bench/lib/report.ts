/**
 * @module How benchmarks speak: one JSON line per figure on stdout (the only output `deno task
 * bench` promises), statistics over latency samples, and budgets printed as `ok`/`over` beside the
 * figure they judge. Progress goes to stderr so stdout stays machine-readable.
 */

/** One printed figure. */
export interface Figure {
  /** Dotted name, e.g. `server.round_trip`. */
  name: string;
  [key: string]: unknown;
}

/** Latency summary in milliseconds. */
export interface LatencyStats {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** A budget: the limit and which side of it is good. */
export interface Budget {
  limit: number;
  /** `max`: the figure must stay at or below `limit`; `min`: at or above. */
  kind: "max" | "min";
  unit: string;
}

/** Rounds to `digits` decimals (JSON stays short and readable). */
export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** Nearest-rank percentile of sorted samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Summarises latency samples (ms). */
export function latencyStats(samples: ArrayLike<number>): LatencyStats {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    count: sorted.length,
    p50: round(percentile(sorted, 50), 3),
    p90: round(percentile(sorted, 90), 3),
    p99: round(percentile(sorted, 99), 3),
    max: round(sorted.length ? sorted[sorted.length - 1] : NaN, 3),
    mean: round(sorted.length ? sum / sorted.length : NaN, 3),
  };
}

/** The median of a few samples. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (!sorted.length) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** `ok` or `over` for a figure against its budget. */
export function judge(value: number, budget: Budget): "ok" | "over" {
  if (!Number.isFinite(value)) return "over";
  return (budget.kind === "max" ? value <= budget.limit : value >= budget.limit) ? "ok" : "over";
}

/** Prints a figure as one JSON line (stdout). */
export function emit(figure: Figure): void {
  // deno-lint-ignore no-console -- stdout JSON lines are this program's output
  console.log(JSON.stringify(figure));
}

/** Prints a figure judged against a budget: adds `budget` and `verdict`. */
export function emitBudget(figure: Figure, value: number, budget: Budget): void {
  emit({
    ...figure,
    budget: `${budget.kind === "max" ? "<=" : ">="} ${budget.limit} ${budget.unit}`,
    verdict: judge(value, budget),
  });
}

/** Prints a skipped figure with its reason. */
export function skip(name: string, reason: string): void {
  emit({ name, skipped: reason });
}

/** Progress for humans, on stderr. */
export function progress(message: string): void {
  // deno-lint-ignore no-console -- progress belongs on stderr, away from the JSON lines
  console.error(`[bench] ${message}`);
}
