/**
 * @module Widget benchmark: what the host page and the chat frame download (gzip -9 and brotli of
 * each file the server serves), and, in Chromium, the time from inserting the `<script>` tag to the
 * launcher on screen and to the chat ready to type in (median of N cold loads, each in a fresh
 * browser context). The host page is on `http://localhost:<port>`, Parley on `127.0.0.1`: the
 * widget runs cross-site, as on a customer's site.
 */
import { chromium } from "playwright-core";
import { createTenant, startParley } from "./lib/parley.ts";
import { sizes } from "./lib/sizes.ts";
import { fetchBytes, total, weigh, WEIGHT_BUDGET, widgetWeights } from "./lib/weights.ts";
import { emit, emitBudget, median, progress, round, skip } from "./lib/report.ts";

/** Options of the widget benchmark. */
export interface WidgetBenchOptions {
  runs: number;
}

const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--host-resolver-rules=MAP localhost 127.0.0.1",
];

const BUDGET = {
  loaderGzip: { limit: WEIGHT_BUDGET.loaderGzip, kind: "max", unit: "bytes gzip" },
  frameGzip: { limit: WEIGHT_BUDGET.frameGzip, kind: "max", unit: "bytes gzip" },
  launcherMs: { limit: 100, kind: "max", unit: "ms median" },
  chatReadyMs: { limit: 400, kind: "max", unit: "ms median" },
} as const;

/** Weights of the loader, the frame (HTML + JS + CSS) and the browser-call chunk. */
async function weights(base: string, widgetId: string): Promise<boolean> {
  const measured = await widgetWeights(base, widgetId);
  if (!measured) {
    skip("widget.weight", "the server has no /embed/widget.js or widget-frame.html yet");
    return false;
  }
  const { loader: l, frame: parts, frameHtml: text } = measured;
  emitBudget({ name: "widget.weight.loader", file: "widget.js", ...l }, l.gzip, BUDGET.loaderGzip);
  const sum = total(parts);
  const js = Object.entries(parts).filter(([f]) => f.endsWith(".js"))
    .reduce((n, [, p]) => n + p.gzip, 0);
  emitBudget(
    { name: "widget.weight.frame", files: parts, ...sum, js_gzip: js },
    sum.gzip,
    BUDGET.frameGzip,
  );

  // The voice screens: a chunk and a stylesheet fetched when the visitor opens them.
  const frameJs = await fetchBytes(`${base}/embed/widget-frame.js`);
  const voiceUi = frameJs &&
    new TextDecoder().decode(frameJs).match(/voice_chunk-[A-Za-z0-9]+\.js/)?.[0];
  const voiceCss = text.match(/name="parley-voice-css" content="([^"]+)"/)?.[1];
  if (voiceUi) {
    const files: Record<string, { raw: number; gzip: number; brotli: number }> = {};
    for (const ref of [`/embed/${voiceUi}`, voiceCss].filter((r): r is string => !!r)) {
      const weight = await weigh(`${base}${ref}`);
      if (weight) files[new URL(ref, base).pathname.split("/").pop()!] = weight;
    }
    emit({
      name: "widget.weight.voice_ui_chunk",
      loaded: "when the visitor opens the voice screens",
      files,
      gzip: Object.values(files).reduce((n, f) => n + f.gzip, 0),
      brotli: Object.values(files).reduce((n, f) => n + f.brotli, 0),
      raw: Object.values(files).reduce((n, f) => n + f.raw, 0),
    });
  }

  const voiceRef = text.match(/name="parley-voice" content="([^"]+)"/)?.[1];
  const voice = await fetchBytes(`${base}${voiceRef ?? "/embed/voice-web.js"}`);
  if (voice) {
    emit({
      name: "widget.weight.voice_web_chunk",
      file: "voice-web.js",
      loaded: "only when a browser call starts",
      ...(await sizes(voice)),
    });
  } else skip("widget.weight.voice_web_chunk", "the server has no voice-web.js yet");
  return true;
}

/** Serves the host page on `http://localhost:<port>`. */
function hostPage(): { url: string; close(): Promise<void> } {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>Host</title></head>` +
    `<body><h1>A customer's page</h1></body></html>`;
  const controller = new AbortController();
  const server = Deno.serve(
    { port: 0, hostname: "127.0.0.1", signal: controller.signal, onListen: () => {} },
    () => new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } }),
  );
  return {
    url: `http://localhost:${server.addr.port}/`,
    async close() {
      controller.abort();
      await server.finished;
    },
  };
}

/** Times inside the frame, recorded as epoch milliseconds (the page uses the same clock). */
const FRAME_PROBE = `(() => {
  if (!location.pathname.endsWith("/embed/widget-frame.html")) return;
  const now = () => performance.timeOrigin + performance.now();
  const check = () => {
    const el = document.querySelector("[data-status]");
    if (el && el.getAttribute("data-status") === "ready" && !window.__parleyChatReadyAt) {
      window.__parleyChatReadyAt = now();
      // Where the time went: when each response had fully arrived, on the same epoch clock.
      const at = (t) => t ? performance.timeOrigin + t : 0;
      const nav = performance.getEntriesByType("navigation")[0];
      const marks = { frame_navigation_start: performance.timeOrigin, frame_html: at(nav?.responseEnd) };
      for (const r of performance.getEntriesByType("resource")) {
        const file = new URL(r.name).pathname.split("/").pop();
        marks["frame_" + file.replace(/[^a-z]+/gi, "_")] = at(r.responseEnd);
      }
      window.__parleyMarks = marks;
    }
  };
  // A returning visitor: the stored session restored and its socket open.
  const checkSocket = () => {
    const el = document.querySelector("[data-status]");
    if (el && el.getAttribute("data-status") === "ready" && el.getAttribute("data-session") &&
      el.getAttribute("data-connection") === "open" && !window.__parleySocketReadyAt) {
      window.__parleySocketReadyAt = now();
    }
  };
  new MutationObserver(() => (check(), checkSocket())).observe(document, {
    subtree: true, childList: true, attributes: true,
    attributeFilter: ["data-status", "data-connection", "data-session"],
  });
})();`;

interface LoadTimes {
  launcher: number;
  readyEvent: number;
  chatReady: number;
  /** A returning visitor (same browser, page reloaded): stored session restored, socket open. */
  returningReady: number;
  /** Milestones (ms after insertion): responses received, in the page and in the frame. */
  marks: Record<string, number>;
}

/** What the host page saw, as epoch milliseconds. */
interface HostTimes {
  t0: number;
  launcher: number;
  readyEvent: number;
  marks: Record<string, number>;
}

/**
 * Runs in the host page: inserts the loader's `<script>` and resolves once the launcher is painted
 * and the frame said `ready`. Self-contained: Playwright sends its source to the page.
 */
function insertWidget({ src, locale }: { src: string; locale?: string }): Promise<HostTimes> {
  return new Promise<HostTimes>(
    (resolve, reject) => {
      const now = () => performance.timeOrigin + performance.now();
      const times = {
        t0: 0,
        launcher: 0,
        readyEvent: 0,
        marks: {} as Record<string, number>,
      };
      const done = () => {
        if (!times.launcher || !times.readyEvent) return;
        for (const r of performance.getEntriesByType("resource")) {
          const res = r as PerformanceResourceTiming;
          const path = new URL(res.name).pathname;
          // The loader's own requests; the frame reports its own from inside.
          const key = path.startsWith("/embed/config/")
            ? "config"
            : path === "/embed/widget.js"
            ? "widget.js"
            : undefined;
          if (key) times.marks[key] = performance.timeOrigin + res.responseEnd;
        }
        resolve(times);
      };
      new MutationObserver((records, observer) => {
        for (const r of records) {
          for (const n of r.addedNodes) {
            if ((n as Element).localName !== "parley-widget") continue;
            observer.disconnect();
            // Painted in the next frame.
            requestAnimationFrame(() => {
              times.launcher = now();
              done();
            });
          }
        }
      }).observe(document.body, { childList: true });
      // The visitor opens the chat as soon as it can (autoOpen does exactly that).
      (window as unknown as Record<string, unknown>).rtlChatWidget = {
        config: locale ? { autoOpen: true, locale } : { autoOpen: true },
      };
      const script = document.createElement("script");
      script.src = src;
      script.async = true;
      script.onload = () => {
        const api = (window as unknown as {
          rtlChatWidget: { on(e: string, f: () => void): void };
        }).rtlChatWidget;
        api.on("ready", () => {
          times.readyEvent = now();
          done();
        });
      };
      script.onerror = () => reject(new Error("widget.js did not load"));
      times.t0 = now();
      document.head.append(script);
      setTimeout(() => reject(new Error("the widget did not start in 15 s")), 15_000);
    },
  );
}

/** Runs the timing loads; returns the per-run times from script insertion. */
async function timings(
  base: string,
  widgetId: string,
  runs: number,
  locale?: string,
): Promise<LoadTimes[]> {
  const host = hostPage();
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  const results: LoadTimes[] = [];
  let lastError = "";
  try {
    // A run that fails (e.g. the bundles being rebuilt under the server) is retried, a few times.
    for (let i = 0, failures = 0; results.length < runs; i++) {
      if (failures > 3) throw new Error(`${failures} widget loads failed; last: ${lastError}`);
      // A fresh context per run: empty cache and storage, as for a first visit.
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        await context.addInitScript(FRAME_PROBE);
        const page = await context.newPage();
        await page.goto(host.url);
        const src = `${base}/embed/widget.js?id=${widgetId}`;
        const hostTimes = await page.evaluate(insertWidget, { src, locale });
        const frame = page.frames().find((f) => f.url().includes("/embed/widget-frame.html"));
        if (!frame) throw new Error("no chat frame");
        const chatReadyAt = await frame.waitForFunction(
          () => (window as unknown as { __parleyChatReadyAt?: number }).__parleyChatReadyAt,
          undefined,
          { timeout: 15_000 },
        ).then((h) => h.jsonValue() as Promise<number>);
        const frameMarks = await frame.evaluate(() =>
          (window as unknown as { __parleyMarks: Record<string, number> }).__parleyMarks
        );
        const marks: Record<string, number> = {};
        for (const [k, v] of Object.entries({ ...hostTimes.marks, ...frameMarks })) {
          if (v) marks[k] = v - hostTimes.t0;
        }

        // The same visitor sends a message (which starts the session and its socket), then
        // comes back: the page reloads, and the frame restores the session and reconnects.
        await frame.locator("textarea").fill("Hello!");
        await frame.locator("textarea").press("Enter");
        await frame.waitForSelector(
          '[data-connection="open"][data-session]:not([data-session=""])',
          {
            timeout: 15_000,
          },
        );
        await page.reload();
        const again = await page.evaluate(insertWidget, { src, locale });
        const frame2 = page.frames().find((f) =>
          f.url().includes("/embed/widget-frame.html") && !f.isDetached()
        );
        if (!frame2) throw new Error("no chat frame after the reload");
        const socketReadyAt = await frame2.waitForFunction(
          () => (window as unknown as { __parleySocketReadyAt?: number }).__parleySocketReadyAt,
          undefined,
          { timeout: 15_000 },
        ).then((h) => h.jsonValue() as Promise<number>);

        results.push({
          launcher: hostTimes.launcher - hostTimes.t0,
          readyEvent: hostTimes.readyEvent - hostTimes.t0,
          chatReady: chatReadyAt - hostTimes.t0,
          returningReady: socketReadyAt - again.t0,
          marks,
        });
      } catch (err) {
        failures++;
        lastError = String(err).slice(0, 300);
        progress(`widget load ${i + 1} failed, retrying: ${lastError}`);
      } finally {
        await context.close();
      }
    }
  } finally {
    await browser.close();
    await host.close();
  }
  return results;
}

/** Runs the widget benchmark, printing its figures. */
export async function runWidgetBench(options: WidgetBenchOptions): Promise<void> {
  const server = await startParley({ databaseUrl: "memory://" });
  try {
    const tenant = await createTenant(server.url);
    if (!await weights(server.url, tenant.widgetId)) return;
    try {
      await Deno.stat(CHROMIUM_PATH);
    } catch {
      skip("widget.timing", `no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
      return;
    }
    progress(`widget load in Chromium, ${options.runs} cold runs`);
    const runs = await timings(server.url, tenant.widgetId, options.runs);
    const series = (k: "launcher" | "readyEvent" | "chatReady" | "returningReady") =>
      runs.map((r) => round(r[k], 1));
    const common = { runs: runs.length, load: "cold (fresh browser context), autoOpen" };
    emitBudget(
      {
        name: "widget.launcher_shown",
        ...common,
        median_ms: round(median(series("launcher")), 1),
        all_ms: series("launcher"),
      },
      median(series("launcher")),
      BUDGET.launcherMs,
    );
    emit({
      name: "widget.frame_ready_event",
      ...common,
      median_ms: round(median(series("readyEvent")), 1),
      all_ms: series("readyEvent"),
    });
    emitBudget(
      {
        name: "widget.chat_ready",
        ...common,
        median_ms: round(median(series("chatReady")), 1),
        all_ms: series("chatReady"),
      },
      median(series("chatReady")),
      BUDGET.chatReadyMs,
    );
    emit({
      name: "widget.returning_visitor_ready",
      runs: runs.length,
      load: "same browser, page reloaded: session restored, history loaded, socket open",
      median_ms: round(median(series("returningReady")), 1),
      all_ms: series("returningReady"),
    });
    // The medians of each milestone, in time order: where the time to "ready" goes.
    const names = [...new Set(runs.flatMap((r) => Object.keys(r.marks)))];
    const breakdown = Object.fromEntries(
      names.map((k) => [k, round(median(runs.map((r) => r.marks[k]).filter((v) => v > 0)), 1)])
        .sort((a, b) => (a[1] as number) - (b[1] as number)),
    );
    emit({ name: "widget.load_breakdown", ...common, median_ms_after_insertion: breakdown });

    // A visitor in another language: the page's locale adds its strings module to the first
    // load (preloaded with the frame page, so no extra round trip should show).
    const french = await widgetWeights(server.url, `${tenant.widgetId}&locale=fr`);
    if (french) {
      emit({ name: "widget.weight.frame.fr", files: french.frame, ...total(french.frame) });
    }
    const fr = await timings(server.url, tenant.widgetId, options.runs, "fr");
    const frReady = fr.map((r) => round(r.chatReady, 1));
    emit({
      name: "widget.chat_ready.fr",
      ...common,
      locale: "fr",
      median_ms: round(median(frReady), 1),
      all_ms: frReady,
    });
  } finally {
    await server.stop();
  }
}
