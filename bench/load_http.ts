/**
 * @module The HTTP load generator, run in a process of its own: `deno run -A bench/load_http.ts
 * <job.json>`. Each visitor is a loop that POSTs a chat message to its own session and waits for
 * the answer (`{userMessage, agentMessage}`), then sends the next one at once (closed loop:
 * capacity) or after `paceMs` from the previous start (paced: latency under a fixed load). Keep-alive
 * connections through `fetch`'s pool, one per visitor. Prints one JSON line with the figures.
 */
import { type LatencyStats, latencyStats, round } from "./lib/report.ts";

/** What to run. */
export interface HttpJob {
  base: string;
  /** One entry per concurrent visitor. */
  visitors: { token: string; sessionId: string }[];
  durationMs: number;
  warmupMs: number;
  /** Stop after this many measured requests even if time is left. */
  maxRequests: number;
  /** 0: send again as soon as the answer arrives; else one request per visitor per `paceMs`. */
  paceMs: number;
  /**
   * Each visitor from an address of its own (`X-Forwarded-For`, for a server started with
   * `TRUST_PROXY_HOPS=1`), as real visitors are; without it every visitor is 127.0.0.1 and shares
   * one per-address budget row.
   */
  ownAddresses?: boolean;
}

/** What it measured. */
export interface HttpResult {
  requests: number;
  errors: number;
  firstError?: string;
  elapsedMs: number;
  rps: number;
  latency: LatencyStats;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CONTENTS = ["Hello!", "How do I embed the widget?", "Can we talk by voice?", "Thanks, bye"];

/** Runs a job; exported for in-process use by the soak script's warm-up. */
export async function runHttpJob(job: HttpJob): Promise<HttpResult> {
  const samples: number[] = [];
  let errors = 0, firstError: string | undefined, measured = 0;
  const started = performance.now();
  const measureFrom = started + job.warmupMs;
  const stopAt = measureFrom + job.durationMs;
  let measureEnd = stopAt;

  async function visitor(v: HttpJob["visitors"][number], index: number) {
    const url = `${job.base}/api/chat/sessions/${v.sessionId}/messages`;
    const headers: Record<string, string> = {
      "content-type": "application/json",
      authorization: `Bearer ${v.token}`,
    };
    if (job.ownAddresses) {
      headers["x-forwarded-for"] = `10.${(index >> 16) & 255}.${(index >> 8) & 255}.${index & 255}`;
    }
    // Paced visitors start spread over one period so their requests do not arrive in waves.
    if (job.paceMs) await sleep((index / job.visitors.length) * job.paceMs);
    for (let n = 0; performance.now() < stopAt && measured < job.maxRequests; n++) {
      const t0 = performance.now();
      try {
        const res = await fetch(url, {
          method: "POST",
          headers,
          body: JSON.stringify({
            content: CONTENTS[n % CONTENTS.length],
            clientMessageId: `b${index}-${n}-${crypto.randomUUID().slice(0, 8)}`,
          }),
        });
        const text = await res.text();
        if (res.status !== 201 && res.status !== 200) throw new Error(`${res.status} ${text}`);
      } catch (err) {
        errors++;
        firstError ??= String(err).slice(0, 300);
        continue;
      }
      const t1 = performance.now();
      if (t0 >= measureFrom && t1 <= stopAt) {
        samples.push(t1 - t0);
        if (++measured >= job.maxRequests) measureEnd = t1;
      }
      if (job.paceMs) await sleep(Math.max(0, t0 + job.paceMs - performance.now()));
    }
  }

  await Promise.all(job.visitors.map(visitor));
  const elapsedMs = Math.max(1, Math.min(measureEnd, stopAt) - measureFrom);
  return {
    requests: samples.length,
    errors,
    ...(firstError ? { firstError } : {}),
    elapsedMs: round(elapsedMs, 0),
    rps: round((samples.length / elapsedMs) * 1000, 0),
    latency: latencyStats(samples),
  };
}

if (import.meta.main) {
  const job = JSON.parse(await Deno.readTextFile(Deno.args[0])) as HttpJob;
  // deno-lint-ignore no-console -- the parent reads this line
  console.log(JSON.stringify(await runHttpJob(job)));
}
