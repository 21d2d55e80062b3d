/**
 * @module Shared set-up of the widget's browser tests: the real server on its own PGlite database
 * (so a test can restart it), a widget allowed on `localhost`, host pages on
 * `http://localhost:<port>` and Chromium; plus page helpers that wait on markers, never on time.
 */
import type { FrameLocator, Page } from "playwright-core";
import {
  ensureBuilt,
  type HostPages,
  launchBrowser,
  serveHostPages,
  type TestBrowser,
} from "../helpers/browser.ts";
import { serveApp, type TestServer } from "../helpers/server.ts";
import { createAgentAndWidget, registerAdmin, startApp } from "../helpers/test_app.ts";
import { openTestDatabase, type TestDatabase } from "../helpers/db.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import type { Agent } from "../../agents/agent.ts";

/** The host page's window as the tests see it. */
export type HostWindow = Window & {
  rtlChatWidget: {
    widgetId: string;
    open(): void;
    close(): void;
    toggle(): void;
    destroy(): void;
    on(name: string, fn: (detail: unknown) => void): unknown;
  };
  __events: { name: string; detail: unknown }[];
};

/** Everything a widget browser test runs against. */
export interface Env {
  server: TestServer;
  db: TestDatabase;
  widgetId: string;
  adminToken: string;
  host: HostPages;
  browser: TestBrowser;
  agent: Agent;
  close(): Promise<void>;
}

/** Server (own database so it can be restarted), a widget for `localhost`, host pages, Chromium. */
export async function setup(
  options: {
    widget?: Record<string, unknown>;
    agent?: Agent;
    viewport?: { width: number; height: number };
    /** Extra Chromium flags (fake microphone, denied prompts). */
    args?: string[];
  } = {},
): Promise<Env> {
  await ensureBuilt();
  const db = await openTestDatabase("pglite");
  const agent = options.agent ?? createDemoAgent({ delayMs: 400 });
  const server = await serveApp(await startApp("pglite", { database: db, agent }));
  const admin = await registerAdmin(server.t);
  const { widget } = await createAgentAndWidget(server.t, admin.token, {
    allowedDomains: ["localhost"],
    headerText: "Chat with Acme",
    welcomeMessage: "Welcome to Acme! How can we help?",
    ...options.widget,
  });
  const host = await serveHostPages();
  const browser = await launchBrowser({ viewport: options.viewport, args: options.args });
  const env: Env = {
    server,
    db,
    widgetId: widget.id,
    adminToken: admin.token,
    host,
    browser,
    agent,
    async close() {
      await browser.close();
      await host.close();
      await env.server.t.deps.hub.close();
      await env.server.close();
      await db.dispose();
    },
  };
  return env;
}

/** The chat frame of the page. */
export const frameOf = (page: Page): FrameLocator => page.frameLocator("parley-widget iframe");

/** Waits until the loader has mounted its launcher. */
export async function launcherReady(page: Page) {
  await page.waitForSelector("parley-widget[data-pos]", { state: "attached" });
}

/**
 * Waits until the opening transition has finished: clicks inside a frame that is still scaling
 * can land beside their target.
 */
export async function frameSettled(page: Page) {
  await page.waitForFunction(() => {
    const frame = document.querySelector("parley-widget")?.shadowRoot?.querySelector("iframe");
    if (!frame) return false;
    const style = getComputedStyle(frame);
    return style.transform === "none" && style.opacity === "1";
  });
}

/** Opens through the API and waits for the frame to be ready and loaded. */
export async function openWidget(page: Page) {
  await page.waitForFunction(() =>
    typeof (window as unknown as HostWindow).rtlChatWidget?.open === "function"
  );
  await page.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.open());
  await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
  await chatReady(page);
  await frameSettled(page);
}

/** Waits for the chat to be ready; on a timeout, says what the frame showed instead. */
export async function chatReady(page: Page, timeout = 30_000) {
  try {
    await frameOf(page).locator('.pw[data-status="ready"]').waitFor({ timeout });
  } catch (err) {
    const shown = await frameOf(page).locator("body").evaluate(
      (b) => b.innerHTML.slice(0, 600),
      undefined,
      { timeout: 2000 },
    ).catch(() => "(no frame)");
    throw new Error(`The chat did not become ready: ${shown}`, { cause: err });
  }
}

/** Types a message in the frame and presses Enter. */
export async function send(page: Page, text: string) {
  const input = frameOf(page).locator("textarea");
  await input.fill(text);
  await input.press("Enter");
}

/** The frame's messages as `sender: text`, confirmed ones only. */
export async function transcript(page: Page): Promise<string[]> {
  return await frameOf(page).locator('.msg[data-status="sent"], .msg-system').evaluateAll((els) =>
    els.map((el) =>
      `${el.getAttribute("data-sender")}: ${el.querySelector(".bubble, p")?.textContent}`
    )
  );
}

/** The API events recorded by `recordEvents`. */
export async function records(page: Page): Promise<{ name: string; detail: unknown }[]> {
  return await page.evaluate(() => (window as unknown as HostWindow).__events ?? []);
}

/** Records the API's events in `window.__events`. */
export async function recordEvents(page: Page) {
  await page.waitForFunction(() =>
    typeof (window as unknown as HostWindow).rtlChatWidget?.on === "function"
  );
  await page.evaluate(() => {
    const w = window as unknown as HostWindow;
    w.__events = [];
    for (const name of ["open", "close", "message", "modeChange", "ready"]) {
      w.rtlChatWidget.on(name, (detail: unknown) => w.__events.push({ name, detail }));
    }
  });
}
