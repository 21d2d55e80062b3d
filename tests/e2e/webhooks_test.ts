/**
 * The admin webhooks page in Chromium: an owner adds an endpoint (a local receiver), copies the
 * secret shown once, sends a test event and sees it delivered in the log. With
 * `UPDATE_SCREENSHOTS=1` it writes `docs/admin-webhooks.png` and `docs/admin-webhooks-phone.png`.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { BROWSER_MISSING, ensureBuilt, launchBrowser } from "../helpers/browser.ts";
import { serveApp } from "../helpers/server.ts";
import { startApp } from "../helpers/test_app.ts";
import { startReceiver } from "../helpers/receiver.ts";
import { WebhookWorker } from "../../webhooks/worker.ts";
import { verifySignature } from "../../webhooks/signature.ts";

const UPDATE_SCREENSHOTS = Deno.env.get("UPDATE_SCREENSHOTS") === "1";
const DOCS = new URL("../../docs/", import.meta.url);

async function signUp(page: Page, url: string) {
  await page.goto(`${url}/admin/signup`);
  await page.getByLabel("Organization").fill("Acme Inc.");
  await page.getByLabel("Work email").fill(`owner-${crypto.randomUUID().slice(0, 8)}@acme.test`);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/admin\/agents\/new/);
}

Deno.test({
  name: "admin webhooks: add an endpoint, see its secret once, send a test event, see it delivered",
  ignore: !!BROWSER_MISSING,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await ensureBuilt();
    const t = await startApp("pglite", { config: { webhooksAllowPrivate: true } });
    const server = await serveApp(t);
    const worker = new WebhookWorker({
      database: t.deps.database,
      keys: t.deps.config,
      allowPrivate: true,
      pollMs: 100,
    });
    await worker.start();
    const receiver = startReceiver();
    receiver.respond = (_req, n) =>
      n === 1 ? new Response("upstream busy", { status: 503 }) : new Response("ok");
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await signUp(page, server.url);
      await page.getByRole("link", { name: "Webhooks" }).first().click();
      await page.waitForURL(/\/admin\/webhooks$/);
      await page.getByText("No endpoints yet").waitFor();

      // A private address is refused with a clear message unless allowed; here it is allowed.
      await page.getByLabel("Endpoint URL").fill(receiver.url);
      await page.getByRole("checkbox", { name: /message\.created/ }).check();
      await page.getByRole("button", { name: "Add endpoint" }).click();
      const secret = await page.locator("#webhook-secret").textContent();
      assert.match(secret ?? "", /^whsec_[0-9a-f]{64}$/);
      await page.getByText("shown only this once").waitFor();
      await page.goto(`${server.url}/admin/webhooks`);
      assert.equal(
        await page.locator("#webhook-secret").count(),
        0,
        "the secret is not shown again",
      );

      await page.locator(".endpoint-url").first().click();
      await page.getByRole("button", { name: "Send test event" }).click();
      await page.getByText("Test event queued").waitFor();
      for (let i = 0; i < 100 && receiver.received.length < 1; i++) await page.waitForTimeout(50);
      await page.reload();
      await page.getByText("HTTP 503 · upstream busy").waitFor();
      await page.getByText("Pending", { exact: true }).waitFor();
      const first = receiver.received[0];
      assert.equal(first.json.type, "webhook.test");
      assert.ok(
        await verifySignature(secret!, first.body, first.headers.get("x-parley-signature")!),
      );

      if (UPDATE_SCREENSHOTS) {
        await page.getByRole("button", { name: "Send test event" }).click();
        await page.getByText("Test event queued").waitFor();
        for (let i = 0; i < 100 && receiver.received.length < 2; i++) await page.waitForTimeout(50);
        await page.goto(page.url().replace(/\?.*$/, ""));
        await page.getByText("Delivered", { exact: true }).first().waitFor();
        await page.setViewportSize({ width: 1280, height: 800 });
        await page.screenshot({ path: new URL("admin-webhooks.png", DOCS).pathname });
        await page.goto(`${server.url}/admin/webhooks`);
        await page.setViewportSize({ width: 390, height: 844 });
        await page.screenshot({ path: new URL("admin-webhooks-phone.png", DOCS).pathname });
      }
    } finally {
      await browser.close();
      await worker.stop();
      await receiver.close();
      await server.close();
    }
  },
});
