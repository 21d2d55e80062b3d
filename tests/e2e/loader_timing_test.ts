/**
 * The loader leaves the page's own loading alone (issue #17 item 6): with the embed snippet as
 * SPEC gives it, the loader's requests and its launcher wait for the page's load event and first
 * paint, so nothing of the widget competes with what the page paints first. Real Chromium, host
 * page on another origin, PGlite.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { browserTest, hostPage } from "../helpers/browser.ts";
import { launcherReady, setup } from "./widget_env.ts";

/** A 1×1 transparent PNG. */
const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  "base64",
);

browserTest(
  "loader: no request and no launcher before the page's load event and first paint",
  async () => {
    const env = await setup();
    try {
      env.host.set(
        "/",
        hostPage({
          serverUrl: env.server.url,
          widgetId: env.widgetId,
          // The page's load event waits for this image, which the test holds back.
          body: `<img src="/slow.png" width="1" height="1" alt="">`,
        }),
      );
      const { page, errors } = await env.browser.page();
      let release!: () => void;
      const held = new Promise<void>((resolve) => release = resolve);
      await page.route("**/slow.png", async (route) => {
        await held;
        await route.fulfill({ status: 200, contentType: "image/png", body: PNG });
      });
      const requests: string[] = [];
      page.on("request", (r) => requests.push(new URL(r.url()).pathname));
      await page.goto(env.host.url + "/", { waitUntil: "domcontentloaded" });
      // The loader ran (its script is async) and the page painted, but the page is still loading.
      await page.waitForFunction(() =>
        "open" in ((window as unknown as { rtlChatWidget?: object }).rtlChatWidget ?? {}) &&
        performance.getEntriesByName("first-contentful-paint").length > 0
      );
      await page.waitForTimeout(300); // room for a request the loader should not make
      assert.equal(await page.evaluate(() => document.readyState), "interactive");
      assert.deepEqual(requests.filter((p) => p.startsWith("/embed/")), ["/embed/widget.js"]);
      assert.equal(await page.locator("parley-widget").count(), 0);

      release();
      await launcherReady(page);
      const timing = await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        const config = performance.getEntriesByType("resource")
          .find((r) => r.name.includes("/embed/config/"));
        return {
          load: nav.loadEventEnd,
          paint: performance.getEntriesByName("first-contentful-paint")[0].startTime,
          config: config?.startTime ?? -1,
        };
      });
      assert.ok(timing.config >= timing.load, JSON.stringify(timing));
      assert.ok(timing.config >= timing.paint, JSON.stringify(timing));
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);

browserTest("loader: inserted after the page loaded, the launcher still appears", async () => {
  const env = await setup();
  try {
    env.host.set("/plain", hostPage({ serverUrl: env.server.url, times: 0 }));
    const { page, errors } = await env.browser.page();
    await page.goto(env.host.url + "/plain");
    await page.evaluate((src) => {
      const s = document.createElement("script");
      s.src = src;
      document.body.append(s);
    }, `${env.server.url}/embed/widget.js?id=${env.widgetId}`);
    await launcherReady(page);
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

browserTest(
  "loader: open() called before the launcher exists opens the chat once it does",
  async () => {
    const env = await setup();
    try {
      env.host.set(
        "/",
        hostPage({
          serverUrl: env.server.url,
          widgetId: env.widgetId,
          body: `<script>addEventListener("DOMContentLoaded", () => {
  const go = () => window.rtlChatWidget?.open ? window.rtlChatWidget.open() : setTimeout(go, 5);
  go();
});</script>`,
        }),
      );
      const { page, errors } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);
