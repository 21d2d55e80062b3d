/**
 * @module Lighthouse benchmark (`BENCH_ONLY=lighthouse`, opt-in): what the widget costs the page
 * that embeds it, as Lighthouse 12 scores it. The landing page `/` (which embeds the demo widget)
 * is copied to a host server on another 127.0.0.1 port — the widget is cross-origin, as on a
 * customer's site — and served three times: as is (SPEC's `async` tag), with that tag replaced by
 * the editor's after-load snippet, and with the tag removed (nothing else differs). Lighthouse
 * (npm `lighthouse@12.2.3`, run by Node, installed into a cache directory outside the repository)
 * scores each with the desktop preset and with the default mobile settings, simulated throttling
 * (Lantern) in both, N runs each in a fresh Chromium profile, interleaved so a busy machine slows
 * every page alike. Prints the medians and the spread (min–max) of LCP, FCP, TBT and CLS, the LCP
 * element (as Chromium reports it), and each snippet's cost (median with minus median without)
 * beside the spread that judges it.
 *
 * Environment: `LIGHTHOUSE_RUNS` (default 5; 3 with BENCH_QUICK), `LIGHTHOUSE_DIR` (the npm cache
 * directory, default `~/.cache/parley-bench/lighthouse`), `CHROMIUM_PATH`, `LIGHTHOUSE_KEEP=dir`
 * (keeps every report there, to read the trace-derived audits).
 */
import { chromium } from "playwright-core";
import { createTenant, startParley } from "./lib/parley.ts";
import { emit, median, progress, round, skip } from "./lib/report.ts";
import { afterLoadSnippet } from "../components/admin/EmbedCode.tsx";

const VERSION = "12.2.3";
const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
/** The loader's tag, whatever its attributes (`async`, `defer`, a preset before it stays). */
const LOADER_TAG = /<script\b[^>]*\/embed\/widget\.js[^>]*><\/script>/g;

/** The audits run: the metrics, and where the time went (kept with LIGHTHOUSE_KEEP). */
const AUDITS = [
  "metrics",
  "largest-contentful-paint",
  "first-contentful-paint",
  "total-blocking-time",
  "cumulative-layout-shift",
  "network-requests",
  "main-thread-tasks",
  "bootup-time",
  "render-blocking-resources",
];

/** Options of the Lighthouse benchmark. */
export interface LighthouseBenchOptions {
  runs: number;
}

type Preset = "desktop" | "mobile";
/** The page as served (SPEC's `async` tag), with the editor's after-load snippet instead, or bare. */
type Variant = "with_widget" | "after_load" | "without_widget";
const VARIANTS: Variant[] = ["with_widget", "after_load", "without_widget"];

/** One Lighthouse run's figures. */
interface Run {
  lcp: number;
  fcp: number;
  tbt: number;
  cls: number;
  /** The unthrottled load Lantern simulated from, for the record. */
  observedLcp: number;
}

function cacheDir(): string {
  return Deno.env.get("LIGHTHOUSE_DIR") ??
    `${Deno.env.get("HOME") ?? "/tmp"}/.cache/parley-bench/lighthouse`;
}

async function run(cmd: string, args: string[], cwd?: string) {
  const out = await new Deno.Command(cmd, { args, cwd, stdin: "null", stdout: "piped" })
    .output().catch((err) => ({ success: false, stdout: new Uint8Array(), err }));
  return { ok: out.success, stdout: new TextDecoder().decode(out.stdout) };
}

/** The Lighthouse CLI's path, installed once into the cache directory; undefined without Node. */
async function lighthouseCli(): Promise<string | undefined> {
  const node = await run("node", ["--version"]);
  if (!node.ok) return undefined;
  const dir = cacheDir();
  const cli = `${dir}/node_modules/lighthouse/cli/index.js`;
  const pkg = await Deno.readTextFile(`${dir}/node_modules/lighthouse/package.json`)
    .then((t) => JSON.parse(t).version as string).catch(() => "");
  if (pkg !== VERSION) {
    progress(`installing lighthouse@${VERSION} into ${dir}…`);
    await Deno.mkdir(dir, { recursive: true });
    const npm = await run("npm", [
      "install",
      "--prefix",
      dir,
      "--no-audit",
      "--no-fund",
      "--silent",
      `lighthouse@${VERSION}`,
    ]);
    if (!npm.ok) return undefined;
  }
  return cli;
}

/** The host site: each variant's page at `/<variant>`. */
function hostSite(pages: Record<Variant, string>) {
  const controller = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: controller.signal, onListen: () => {} },
    (req) => {
      const html = pages[new URL(req.url).pathname.slice(1) as Variant];
      if (!html) return new Response("not found", { status: 404 });
      return new Response(html, {
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      });
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}`;
  return {
    url: (v: Variant) => `${base}/${v}`,
    async close() {
      controller.abort();
      await server.finished;
    },
  };
}

/** The LCP element of each page as Chromium reports it (its opening tag), one cold load each. */
async function lcpElements(urls: string[]): Promise<string[]> {
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
  try {
    const out: string[] = [];
    for (const url of urls) {
      const page = await (await browser.newContext()).newPage();
      await page.goto(url, { waitUntil: "load" });
      out.push(
        await page.evaluate(() =>
          new Promise<string>((resolve) =>
            new PerformanceObserver((list) => {
              const el = (list.getEntries().at(-1) as unknown as { element?: Element })?.element;
              resolve(el?.outerHTML.match(/^<[^>]*>/)?.[0] ?? "(none)");
            }).observe({ type: "largest-contentful-paint", buffered: true })
          )
        ),
      );
      await page.context().close();
    }
    return out;
  } finally {
    await browser.close();
  }
}

async function lighthouse(
  cli: string,
  url: string,
  preset: Preset,
  keep: string | undefined,
  label: string,
): Promise<Run> {
  const profile = await Deno.makeTempDir({ prefix: "parley_lh_profile_" });
  const out = await Deno.makeTempDir({ prefix: "parley_lh_out_" });
  try {
    const file = `${out}/report.json`;
    const args = [
      cli,
      url,
      "--quiet",
      "--output=json",
      `--output-path=${file}`,
      // Only what the figures need: the run is twice as quick, and TraceElements (the LCP
      // element audit) fails on current Chromium ("frame_sequence"), so the element is read
      // from Chromium itself (`lcpElements`).
      `--only-audits=${AUDITS.join(",")}`,
      "--throttling-method=simulate",
      `--chrome-flags=${[...CHROMIUM_FLAGS, `--user-data-dir=${profile}`].join(" ")}`,
      ...(preset === "desktop" ? ["--preset=desktop"] : []),
    ];
    const status = await new Deno.Command("node", {
      args,
      env: { CHROME_PATH: CHROMIUM_PATH },
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).output();
    if (!status.success) {
      throw new Error(`lighthouse failed: ${new TextDecoder().decode(status.stderr).slice(-800)}`);
    }
    const text = await Deno.readTextFile(file);
    if (keep) {
      await Deno.mkdir(keep, { recursive: true });
      await Deno.writeTextFile(`${keep}/${label}.json`, text);
    }
    const report = JSON.parse(text);
    const audit = (id: string) => report.audits?.[id]?.numericValue as number;
    if (report.runtimeError) throw new Error(`lighthouse: ${report.runtimeError.message}`);
    const metrics = report.audits?.metrics?.details?.items?.[0] ?? {};
    return {
      lcp: audit("largest-contentful-paint"),
      fcp: audit("first-contentful-paint"),
      tbt: audit("total-blocking-time"),
      cls: audit("cumulative-layout-shift"),
      observedLcp: metrics.observedLargestContentfulPaint ?? NaN,
    };
  } finally {
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
}

const spread = (values: number[], digits = 0) => ({
  median: round(median(values), digits),
  min: round(Math.min(...values), digits),
  max: round(Math.max(...values), digits),
});

/** Runs the benchmark and prints one figure per preset and page, and the widget's cost. */
export async function runLighthouseBench(options: LighthouseBenchOptions): Promise<void> {
  const cli = await lighthouseCli();
  if (!cli) {
    skip("lighthouse", `needs Node (>= 18.20) and npm to install lighthouse@${VERSION}`);
    return;
  }
  const keep = Deno.env.get("LIGHTHOUSE_KEEP") || undefined;
  const parley = await startParley({ databaseUrl: "memory://" });
  try {
    const tenant = await createTenant(parley.url);
    const page = await (await fetch(`${parley.url}/`)).text();
    const tags = page.match(LOADER_TAG) ?? [];
    if (tags.length !== 1) throw new Error(`expected one loader tag on /, found ${tags.length}`);
    const src = new URL(tags[0].match(/src="([^"]+)"/)![1]);
    const site = hostSite({
      with_widget: page,
      after_load: page.replace(
        LOADER_TAG,
        afterLoadSnippet(src.origin, src.searchParams.get("id") ?? tenant.widgetId),
      ),
      without_widget: page.replace(LOADER_TAG, ""),
    });
    try {
      const found = await lcpElements(VARIANTS.map((v) => site.url(v)));
      const elements = Object.fromEntries(VARIANTS.map((v, i) => [v, found[i]]));
      for (const preset of ["desktop", "mobile"] as Preset[]) {
        const runs: Record<Variant, Run[]> = {
          with_widget: [],
          after_load: [],
          without_widget: [],
        };
        for (let i = 0; i < options.runs; i++) {
          // Interleaved (and the order alternated) so machine load falls on every page alike.
          const order = i % 2 ? [...VARIANTS].reverse() : VARIANTS;
          for (const variant of order) {
            progress(`lighthouse ${preset} ${variant} ${i + 1}/${options.runs}`);
            runs[variant].push(
              await lighthouse(cli, site.url(variant), preset, keep, `${preset}-${variant}-${i}`),
            );
          }
        }
        for (const variant of VARIANTS) {
          const r = runs[variant];
          emit({
            name: `lighthouse.${preset}.${variant}`,
            lighthouse: VERSION,
            throttling: "simulate",
            runs: r.length,
            lcp_ms: spread(r.map((x) => x.lcp)),
            fcp_ms: spread(r.map((x) => x.fcp)),
            tbt_ms: spread(r.map((x) => x.tbt)),
            cls: spread(r.map((x) => x.cls), 3),
            observed_lcp_ms: spread(r.map((x) => x.observedLcp)),
            lcp_element: elements[variant],
          });
        }
        // The cost against the noise: how far the medians differ, and how far runs of one page
        // spread (the larger of the two pages' max − min).
        const lcp = (v: Variant) => runs[v].map((x) => x.lcp);
        const range = (v: number[]) => Math.max(...v) - Math.min(...v);
        for (
          const [variant, name] of [["with_widget", ""], ["after_load", "_after_load"]] as const
        ) {
          const cost = median(lcp(variant)) - median(lcp("without_widget"));
          const noise = Math.max(range(lcp(variant)), range(lcp("without_widget")));
          emit({
            name: `lighthouse.${preset}.widget_cost${name}`,
            snippet: variant === "with_widget"
              ? "SPEC's async tag"
              : "the editor's after-load form",
            lcp_ms: round(cost, 0),
            noise_ms: round(noise, 0),
            within_noise: Math.abs(cost) <= noise,
          });
        }
      }
    } finally {
      await site.close();
    }
  } finally {
    await parley.stop();
  }
}
