/**
 * The README's pictures of the widget, taken from the real server's landing page in Chromium:
 * `docs/widget.png` (desktop, 1280×800) and `docs/widget-phone.png` (390×844). They are written
 * only with `UPDATE_SCREENSHOTS=1`; otherwise this test is skipped.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { BROWSER_MISSING, ensureBuilt, launchBrowser } from "../helpers/browser.ts";
import { startServer } from "../helpers/server.ts";
import { createAgentAndWidget, registerAdmin } from "../helpers/test_app.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import { frameOf, send } from "./widget_env.ts";

const UPDATE = Deno.env.get("UPDATE_SCREENSHOTS") === "1";
const DOCS = new URL("../../docs/", import.meta.url);

async function converse(page: Page) {
  await page.waitForFunction(() => "rtlChatWidget" in window);
  await page.evaluate(() =>
    (window as unknown as { rtlChatWidget: { open(): void } }).rtlChatWidget.open()
  );
  const f = frameOf(page);
  await f.locator('.pw[data-status="ready"]').waitFor();
  await send(page, "Hello!");
  await f.getByText("Hi there! I'm Parley's demo assistant").waitFor();
  await send(page, "Can we talk on the phone instead?");
  await f.getByText("You can move this chat to a voice call").waitFor();
  await f.locator("li[data-typing]").waitFor({ state: "detached" });
  // Let the entrance animations settle and move focus off the input so no ring shows.
  await f.locator("textarea").evaluate((el) => (el as HTMLElement).blur());
  await page.waitForTimeout(600);
}

Deno.test({
  name: "screenshots: docs/widget.png and docs/widget-phone.png",
  ignore: !UPDATE || !!BROWSER_MISSING,
  // Playwright keeps pipes and timers of its own (as in `browserTest`).
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await ensureBuilt();
    const server = await startServer("pglite", { agent: createDemoAgent({ delayMs: 300 }) });
    const browser = await launchBrowser();
    try {
      const admin = await registerAdmin(server.t, "Parley Demo");
      const { widget } = await createAgentAndWidget(server.t, admin.token, {
        headerText: "Chat with Parley",
        welcomeMessage:
          "Hi! I'm Parley's demo assistant. Ask me anything, or press the phone to talk.",
        themeColor: "#4F46E5",
        allowedDomains: ["127.0.0.1", "localhost"],
      });
      await Deno.mkdir(DOCS, { recursive: true });
      const shots = [
        { file: "widget.png", viewport: { width: 1280, height: 800 }, scale: 1 },
        { file: "widget-phone.png", viewport: { width: 390, height: 844 }, scale: 2 },
      ];
      for (const shot of shots) {
        const context = await browser.browser.newContext({
          viewport: shot.viewport,
          deviceScaleFactor: shot.scale,
        });
        const page = await context.newPage();
        await page.goto(`${server.url}/?widget=${widget.id}`);
        await converse(page);
        const path = new URL(shot.file, DOCS);
        await page.screenshot({ path: path.pathname });
        assert.ok((await Deno.stat(path)).size > 10_000);
        await context.close();
      }
    } finally {
      await browser.close();
      await server.t.deps.hub.close();
      await server.close();
    }
  },
});
