/**
 * @module Where the server's time goes under the message round trip: `deno run -A bench/profile.ts
 * [postgres|pglite] [seconds] [visitors]` starts `main.ts` with `--cpu-prof`, drives closed-loop
 * chat load from this process, stops the server (the profile is written on exit) and prints the
 * heaviest functions (self time) and packages (inclusive time) as JSON lines. The `.cpuprofile`
 * file stays for Chrome DevTools' Performance panel.
 */
import { runHttpJob } from "./load_http.ts";
import { createDatabase, createTenant, createVisitors, startParley } from "./lib/parley.ts";
import { emit, progress, round } from "./lib/report.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame comes from: an npm package, one of our files, or the runtime. */
function origin(url: string): string {
  const npm = url.match(/registry\.npmjs\.org\/((?:@[^/]+\/)?[^/]+)\//);
  if (npm) return `npm:${npm[1]}`;
  const ours = url.match(/\/work\/[^/]+\/(.+)$/) ??
    url.match(/^file:\/\/.*?\/((?:routes|lib|db|hub|agents|embed)\/.+)$/);
  if (ours) return ours[1];
  return url ? url.replace(/^ext:/, "runtime:") : "(native)";
}

/** Self time per function and inclusive time per origin, as shares of the samples. */
export function summarize(profile: CpuProfile, top = 25) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + profile.timeDeltas[i]));
  let total = 0;
  const byFunction = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  for (const [id, t] of self) {
    total += t;
    const f = nodes.get(id)!.callFrame;
    const key = `${f.functionName || "(anonymous)"} ${origin(f.url)}:${f.lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + t);
    const seen = new Set<string>();
    for (let x: number | undefined = id; x !== undefined; x = parent.get(x)) {
      const o = origin(nodes.get(x)!.callFrame.url);
      if (!seen.has(o)) (seen.add(o), byOrigin.set(o, (byOrigin.get(o) ?? 0) + t));
    }
  }
  const share = (m: Map<string, number>) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, t]) => ({
      percent: round((t / total) * 100, 1),
      where: k,
    }));
  return {
    totalMs: round(total / 1000, 0),
    functions: share(byFunction),
    origins: share(byOrigin),
  };
}

if (import.meta.main) {
  const kind = Deno.args[0] === "pglite" ? "pglite" : "postgres";
  const seconds = Number(Deno.args[1] ?? 5);
  const concurrency = Number(Deno.args[2] ?? 50);
  const dir = await Deno.makeTempDir({ prefix: "parley-profile-" });
  const db = kind === "postgres" ? await createDatabase() : undefined;
  const server = await startParley({
    databaseUrl: db?.url ?? "memory://",
    flags: ["--cpu-prof", `--cpu-prof-dir=${dir}`],
  });
  try {
    const tenant = await createTenant(server.url);
    const visitors = await createVisitors(server.url, tenant, concurrency);
    progress(`profiling ${seconds} s of round trips at ${concurrency} visitors on ${kind}`);
    const r = await runHttpJob({
      base: server.url,
      visitors,
      durationMs: seconds * 1000,
      warmupMs: 1000,
      maxRequests: 1e9,
      paceMs: 0,
    });
    emit({ name: "profile.load", kind, concurrency, rps: r.rps, p50_ms: r.latency.p50 });
  } finally {
    await server.stop(15_000);
    await db?.drop();
  }
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.name.endsWith(".cpuprofile")) continue;
    const path = `${dir}/${entry.name}`;
    const summary = summarize(JSON.parse(await Deno.readTextFile(path)));
    emit({
      name: "profile.functions",
      file: path,
      total_ms: summary.totalMs,
      top: summary.functions,
    });
    emit({ name: "profile.origins", top: summary.origins });
  }
}
