/**
 * @module The oversized-frame attack, measured (#13): Deno reads a whole WebSocket frame, up to
 * 64 MiB, into memory before the app can look at its size (denoland/deno#15809). N sockets from
 * one address each send one `frameMb` MiB frame at the same moment; the server's RSS is sampled
 * and `/healthz` is timed while they arrive, then a second wave from the same address shows the
 * cool-off refusing it. `deno run -A bench/frame_attack.ts [N] [frameMb]`, or
 * `BENCH_ONLY=attack deno task bench`.
 */
import { createSessions, createTenant, createVisitors, startParley } from "./lib/parley.ts";
import { rssBytes } from "./lib/proc.ts";
import { emit, progress, round } from "./lib/report.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function open(url: string): Promise<WebSocket | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    ws.onopen = () => resolve(ws);
    ws.onerror = () => resolve(undefined);
  });
}

/** Runs the attack against a fresh server (PGlite in memory), printing its figures. */
export async function runFrameAttackBench(sockets: number, frameMb: number): Promise<void> {
  const server = await startParley({
    databaseUrl: "memory://",
    // The production per-address cap, not the benchmarks' huge one.
    env: { LIMIT_SOCKETS_PER_ADDRESS: "20" },
  });
  try {
    const tenant = await createTenant(server.url);
    const [visitor] = await createVisitors(server.url, tenant, 1);
    const sessions = await createSessions(server.url, visitor.token, Math.ceil(sockets / 10));
    const ws = server.url.replace(/^http/, "ws");
    const urls = Array.from(
      { length: sockets },
      (_, i) => `${ws}/ws?sessionId=${sessions[i % sessions.length]}&token=${visitor.token}`,
    );
    const opened = (await Promise.all(urls.map(open))).filter((w): w is WebSocket => !!w);
    await sleep(500);
    const before = await rssBytes(server.pid);
    let peak = before, healthMax = 0, healthFailures = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await rssBytes(server.pid));
        const t0 = performance.now();
        try {
          const res = await fetch(`${server.url}/healthz`, { signal: AbortSignal.timeout(5000) });
          await res.body?.cancel();
          if (!res.ok) healthFailures++;
        } catch {
          healthFailures++;
        }
        healthMax = Math.max(healthMax, performance.now() - t0);
        await sleep(20);
      }
    })();
    progress(`${opened.length} sockets send ${frameMb} MiB each`);
    const frame = new Uint8Array(frameMb * 2 ** 20);
    const closed = opened.map((w) => new Promise<number>((r) => w.onclose = (e) => r(e.code)));
    for (const w of opened) w.send(frame);
    const codes = await Promise.race([
      Promise.all(closed),
      sleep(60_000).then(() => [] as number[]),
    ]);
    await sleep(1000);
    sampling = false;
    await sampler;
    const after = await rssBytes(server.pid);
    const again = await open(urls[0]);
    again?.close();
    emit({
      name: "ws.oversized_frame_attack",
      sockets: opened.length,
      frame_mib: frameMb,
      rss_before_mb: round(before / 2 ** 20, 1),
      rss_peak_mb: round(peak / 2 ** 20, 1),
      rss_growth_per_socket_mb: round((peak - before) / 2 ** 20 / opened.length, 1),
      rss_after_mb: round(after / 2 ** 20, 1),
      healthz_max_ms: round(healthMax, 1),
      healthz_failures: healthFailures,
      close_codes: [...new Set(codes)],
      second_wave_refused: !again,
    });
  } finally {
    await server.stop();
  }
}

if (import.meta.main) {
  await runFrameAttackBench(Number(Deno.args[0] ?? 8), Number(Deno.args[1] ?? 60));
}
