/**
 * @module Real-browser tests: the system Chromium driven by playwright-core, host pages served on a
 * different origin (`http://localhost:<port>`) from the Parley server (`http://127.0.0.1:<port>`),
 * and the bundles built once. Without Chromium the tests are skipped with a printed reason, unless
 * `REQUIRE_BROWSER=1` (CI), which makes that a failure.
 */
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { ensureBuilt } from "../../build.ts";

export { ensureBuilt };

/** Where Chromium is. */
export const CHROMIUM_PATH = Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium";
const REQUIRE_BROWSER = Deno.env.get("REQUIRE_BROWSER") === "1";

function missingReason(): string | undefined {
  try {
    Deno.statSync(CHROMIUM_PATH);
    return undefined;
  } catch {
    return `Chromium not found at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`;
  }
}

/** Why browser tests cannot run here, if they cannot. */
export const BROWSER_MISSING = missingReason();
if (BROWSER_MISSING) {
  if (REQUIRE_BROWSER) throw new Error(`REQUIRE_BROWSER=1 but ${BROWSER_MISSING}`);
  // deno-lint-ignore no-console
  console.warn(`${BROWSER_MISSING}: browser tests are skipped`);
}

/** The flags of every launch: quiet, offline apart from our servers, reproducible. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // `localhost` must be the IPv4 loopback our host-page server listens on.
  "--host-resolver-rules=MAP localhost 127.0.0.1",
];

/** A launched browser with one fresh context (empty profile). */
export interface TestBrowser {
  browser: Browser;
  context: BrowserContext;
  /** A new page that fails the test on uncaught page errors and records dialogs. */
  page(options?: { viewport?: { width: number; height: number } }): Promise<TestPage>;
  close(): Promise<void>;
}

/** A page plus what it reported. */
export interface TestPage {
  page: Page;
  errors: string[];
  dialogs: string[];
}

/** Launches Chromium with a fresh, empty profile. */
export async function launchBrowser(
  options: { viewport?: { width: number; height: number }; args?: string[] } = {},
): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS, ...options.args ?? []],
  });
  const context = await browser.newContext({
    viewport: options.viewport ?? { width: 1280, height: 800 },
  });
  // CI runs the whole suite in parallel on two cores: be patient before calling a wait failed.
  context.setDefaultTimeout(60_000);
  return {
    browser,
    context,
    async page(o = {}) {
      const page = await context.newPage();
      if (o.viewport) await page.setViewportSize(o.viewport);
      const errors: string[] = [], dialogs: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      page.on("dialog", (d) => {
        dialogs.push(d.message());
        d.dismiss().catch(() => {});
      });
      return { page, errors, dialogs };
    },
    async close() {
      await context.close().catch(() => {});
      await browser.close();
    },
  };
}

/** A server of host pages: path → HTML (or a function of the request). */
export interface HostPages {
  /** `http://localhost:<port>` */
  url: string;
  set(path: string, html: string): void;
  close(): Promise<void>;
}

/** Serves host pages on `127.0.0.1`, reached by the browser as `http://localhost:<port>`. */
export function serveHostPages(pages: Record<string, string> = {}): Promise<HostPages> {
  const table = new Map(Object.entries(pages));
  const controller = new AbortController();
  return new Promise((resolve) => {
    const server = Deno.serve({
      port: 0,
      hostname: "127.0.0.1",
      signal: controller.signal,
      onListen: ({ port }) =>
        resolve({
          url: `http://localhost:${port}`,
          set: (path, html) => void table.set(path, html),
          async close() {
            controller.abort();
            await server.finished;
          },
        }),
    }, (req) => {
      const html = table.get(new URL(req.url).pathname);
      return html === undefined
        ? new Response("not found", { status: 404 })
        : new Response(html, { headers: { "content-type": "text/html; charset=utf-8" } });
    });
  });
}

/** A plain host page: some content, optionally a pre-set config, and the loader. */
export function hostPage(options: {
  serverUrl: string;
  widgetId?: string;
  /** `window.rtlChatWidget = …` before the script (then the script has no `?id=`). */
  preset?: Record<string, unknown>;
  head?: string;
  body?: string;
  /** Include the loader this many times (to test idempotence). */
  times?: number;
}): string {
  const src = options.preset
    ? `${options.serverUrl}/embed/widget.js`
    : `${options.serverUrl}/embed/widget.js?id=${options.widgetId}`;
  const preset = options.preset
    ? `<script>window.rtlChatWidget = ${JSON.stringify(options.preset)};</script>`
    : "";
  const script = `<script src="${src}" async></script>`.repeat(options.times ?? 1);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host page</title>${options.head ?? ""}</head>
<body><h1>A customer's website</h1>
<p>Some content. <a href="#" id="first-link">A link</a></p>
${options.body ?? ""}${preset}${script}</body></html>`;
}

/**
 * Registers a browser test: skipped (with the printed reason) when Chromium is missing. Sanitizers
 * are off because playwright keeps pipes and timers of its own.
 */
export function browserTest(name: string, fn: () => Promise<void>): void {
  Deno.test({
    name,
    ignore: !!BROWSER_MISSING,
    sanitizeOps: false,
    sanitizeResources: false,
    fn,
  });
}
