/**
 * The README's pictures of the widget, taken from the real server's landing page in Chromium:
 * `docs/widget.png` (desktop, 1280×800) and `docs/widget-phone.png` (390×844). They are written
 * only with `UPDATE_SCREENSHOTS=1`; otherwise this test is skipped.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { BROWSER_MISSING, ensureBuilt, launchBrowser } from "../helpers/browser.ts";
import { startServer } from "../helpers/server.ts";
import { createAgentAndWidget, registerAdmin, type TestApp } from "../helpers/test_app.ts";
import { addTeammate } from "../helpers/team.ts";
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

/** A visitor's conversation through the API: messages in order, as the widget would send them. */
async function visitorChat(t: TestApp, widgetId: string, texts: string[]) {
  const auth = await (await t.post("/embed/auth", { widgetId, domain: "localhost" })).json();
  const session = await (await t.post("/api/chat/sessions", {}, auth.token)).json();
  for (const content of texts) {
    await t.post(`/api/chat/sessions/${session.id}/messages`, { content }, auth.token);
  }
  return { id: session.id as string, token: auth.token as string };
}

Deno.test({
  name: "screenshots: docs/inbox-human.png, docs/team.png (desktop and phone)",
  ignore: !UPDATE || !!BROWSER_MISSING,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await ensureBuilt();
    const server = await startServer("pglite", { agent: createDemoAgent({ delayMs: 0 }) });
    const browser = await launchBrowser();
    try {
      const t = server.t;
      const email = "olivia@acme.test";
      const owner = await (await t.post("/api/auth/register", {
        email,
        password: "correct horse battery",
        organizationName: "Acme Inc.",
        name: "Olivia Martin",
      })).json();
      const { widget } = await createAgentAndWidget(t, owner.token, {
        name: "Acme website",
        headerText: "Chat with Acme",
        themeColor: "#4F46E5",
        allowedDomains: ["localhost"],
      }, { name: "Acme assistant" });
      await addTeammate(t, owner.token, "admin", "Priya Shah", "priya@acme.test");
      const sam = await addTeammate(t, owner.token, "member", "Sam Rivera", "sam@acme.test");
      await t.post("/api/organization/invites", {
        email: "jordan@acme.test",
        role: "member",
      }, owner.token);

      await visitorChat(t, widget.id, ["What are your opening hours on Sunday?"]);
      const waiting = await visitorChat(t, widget.id, ["Can I speak to someone about a refund?"]);
      await t.post(`/api/chat/sessions/${waiting.id}/handoff`, {}, waiting.token);
      const main = await visitorChat(t, widget.id, [
        "Hi! My order #4521 hasn't arrived yet",
        "Can I talk to a person please?",
      ]);
      await t.post(`/api/chat/sessions/${main.id}/handoff`, { reason: "late order" }, main.token);
      await t.put(`/api/chat/sessions/${main.id}`, { handler: "human" }, sam.token);
      await t.post(`/api/chat/sessions/${main.id}/messages`, {
        content:
          "Hi, I'm Sam from Acme. I checked order #4521: it left our warehouse this morning and arrives tomorrow before noon.",
      }, sam.token);
      await t.post(`/api/chat/sessions/${main.id}/messages`, {
        content: "Perfect, thank you Sam!",
      }, main.token);

      await Deno.mkdir(DOCS, { recursive: true });
      const shots = [
        { suffix: "", viewport: { width: 1280, height: 800 }, scale: 1 },
        { suffix: "-phone", viewport: { width: 390, height: 844 }, scale: 2 },
      ];
      for (const shot of shots) {
        const context = await browser.browser.newContext({
          viewport: shot.viewport,
          deviceScaleFactor: shot.scale,
        });
        const page = await context.newPage();
        await page.goto(`${server.url}/admin/login`);
        await page.getByLabel("Email").fill(email);
        await page.getByLabel("Password").fill("correct horse battery");
        await page.getByRole("button", { name: "Sign in" }).click();
        await page.waitForURL(/\/admin\/conversations$/);

        await page.goto(`${server.url}/admin/conversations/${main.id}`);
        await page.waitForSelector("html[data-hydrated]", { state: "attached" });
        await page.locator(".live-dot.live-live").waitFor();
        await page.locator(".timeline .msg-human").waitFor();
        await page.waitForTimeout(300);
        const inbox = new URL(`inbox-human${shot.suffix}.png`, DOCS);
        await page.screenshot({ path: inbox.pathname });
        assert.ok((await Deno.stat(inbox)).size > 10_000);

        await page.goto(`${server.url}/admin/team`);
        await page.locator(".member-row").first().waitFor();
        const team = new URL(`team${shot.suffix}.png`, DOCS);
        await page.screenshot({ path: team.pathname, fullPage: shot.scale > 1 });
        assert.ok((await Deno.stat(team)).size > 10_000);
        await context.close();
      }
    } finally {
      await browser.close();
      await server.t.deps.hub.close();
      await server.close();
    }
  },
});
