/**
 * The owner's whole path in a real Chromium against the real server: sign up, create an agent
 * and a widget in the admin pages, copy the embed snippet with the copy button, paste it into a
 * host page on another origin (`http://localhost:<p>`; Parley is `http://127.0.0.1:<p>`), chat as
 * a visitor, and watch the conversation arrive live in the inbox. With `UPDATE_SCREENSHOTS=1` a
 * second test writes `docs/admin-*.png`. PGlite only, to keep the run short.
 */
import assert from "node:assert/strict";
import type { FrameLocator, Page } from "playwright-core";
import {
  BROWSER_MISSING,
  ensureBuilt,
  launchBrowser,
  serveHostPages,
  type TestBrowser,
} from "../helpers/browser.ts";
import { serveApp, type TestServer } from "../helpers/server.ts";
import { startApp } from "../helpers/test_app.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import { calls } from "../../db/schema.ts";
import { insertMessage } from "../../db/queries/messages.ts";

const UPDATE_SCREENSHOTS = Deno.env.get("UPDATE_SCREENSHOTS") === "1";
const DOCS = new URL("../../docs/", import.meta.url);

async function start(): Promise<{ server: TestServer; browser: TestBrowser }> {
  await ensureBuilt();
  const server = await serveApp(
    await startApp("pglite", {
      agent: createDemoAgent({
        delayMs: 300,
        callTimings: { startedMs: 300, endedMs: 1500, analyzedMs: 1800 },
      }),
    }),
  );
  const browser = await launchBrowser();
  await browser.context.grantPermissions(["clipboard-read", "clipboard-write"], {
    origin: server.url,
  });
  return { server, browser };
}

/** Waits until the admin bundle has hydrated the page's islands. */
async function hydrated(page: Page) {
  await page.waitForSelector("html[data-hydrated]", { state: "attached" });
}

/** Signs up, creates an agent and a widget for `localhost`; returns the widget id. */
async function ownerSetsUp(page: Page, serverUrl: string): Promise<string> {
  await page.goto(`${serverUrl}/admin/signup`);
  await page.getByLabel("Organization").fill("Acme Inc.");
  await page.getByLabel("Work email").fill(`owner-${crypto.randomUUID().slice(0, 8)}@acme.test`);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(/\/admin\/agents\/new\?notice=welcome$/);

  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Acme assistant");
  await page.getByRole("button", { name: "Create agent" }).click();
  await page.waitForURL(/\/admin\/agents\?notice=created$/);
  await page.getByText("Acme assistant").waitFor();

  await page.getByRole("link", { name: "Widgets" }).click();
  await page.getByRole("link", { name: "Create a widget" }).click();
  await page.getByRole("textbox", { name: "Name", exact: true }).fill("Acme website");
  await page.getByLabel("Header text").fill("Chat with Acme");
  await page.getByLabel("Welcome message").fill("Welcome to Acme! How can we help?");
  await page.getByLabel("Allowed domains").fill("localhost");
  // Phone calls are opt-in per widget, to the countries the owner picks (SPEC v2.1).
  await page.getByLabel("Voice calls").selectOption("both");
  await page.waitForSelector("html[data-hydrated]", { state: "attached" });
  await page.getByLabel("Search countries").fill("United States");
  await page.getByLabel(/United States/).first().check();
  await page.getByRole("button", { name: "Create widget" }).click();
  await page.waitForURL(/\/admin\/widgets\/[0-9a-f-]{36}\?notice=created$/);
  return /\/admin\/widgets\/([0-9a-f-]{36})/.exec(page.url())![1];
}

const widgetFrame = (page: Page): FrameLocator => page.frameLocator("parley-widget iframe");

/** The admin conversation view's messages as `sender: text`, in page order. */
async function adminTranscript(page: Page): Promise<string[]> {
  return await page.locator(".timeline .msg").evaluateAll((els) =>
    els.map((el) =>
      `${el.getAttribute("data-sender")}: ${el.querySelector(".bubble")?.textContent?.trim()}`
    )
  );
}

async function visitorSends(page: Page, text: string) {
  const input = widgetFrame(page).locator("textarea");
  await input.fill(text);
  await input.press("Enter");
}

Deno.test({
  name:
    "admin: sign up, create an agent and a widget, embed the copied snippet, watch the chat live",
  ignore: !!BROWSER_MISSING,
  // Playwright keeps pipes and timers of its own (as in `browserTest`).
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { server, browser } = await start();
    const host = await serveHostPages();
    try {
      const { page: admin, errors: adminErrors } = await browser.page();
      const widgetId = await ownerSetsUp(admin, server.url);

      // The live preview runs the widget on Parley's own origin (127.0.0.1), which its allowlist
      // (localhost) does not name: the preview page's pass lets it in, and no script can read it.
      await hydrated(admin);
      const preview = admin.frameLocator(".preview-frame");
      await preview.frameLocator("parley-widget iframe").locator('.pw[data-status="ready"]')
        .waitFor();
      const previewPage = admin.frames().find((f) => f.url().endsWith(`${widgetId}/preview`))!;
      assert.doesNotMatch(await previewPage.evaluate(() => document.cookie), /parley_preview/);

      // The preview follows unsaved edits: language and colour scheme switch the chat itself.
      const chat = preview.frameLocator("parley-widget iframe");
      await admin.getByLabel("Language").selectOption("fr");
      await admin.getByLabel("Colour scheme").selectOption("dark");
      await chat.locator('html[lang="fr"] link[href^="/embed/widget-dark.css"]').waitFor({
        state: "attached",
      });
      await chat.getByPlaceholder("Écrivez un message…").waitFor();
      await admin.getByLabel("Language").selectOption("ar");
      await chat.locator('html[lang="ar"][dir="rtl"]').waitFor({ state: "attached" });
      // While the teaser is edited the preview shows it, as a visitor first sees the page.
      await admin.locator("#f-teaserText").fill("Questions? Ask us.");
      await preview.locator("parley-widget").getByText("Questions? Ask us.").waitFor();
      // Back to the saved options for the rest of the walk.
      await admin.getByRole("link", { name: "Discard" }).click();
      await hydrated(admin);
      await preview.frameLocator("parley-widget iframe").locator('.pw[data-status="ready"]')
        .waitFor();
      // Anywhere else on Parley's origin (the landing page shows this organization's widget),
      // a browser without the pass gets the allowlist: the widget stays hidden.
      const strangerContext = await browser.browser.newContext();
      const stranger = await strangerContext.newPage();
      await stranger.goto(`${server.url}/`);
      await stranger.locator("parley-widget .l").click();
      await stranger.waitForSelector('parley-widget[data-state="unavailable"]', {
        state: "attached",
      });
      await strangerContext.close();

      // The copy button puts exactly the shown snippet on the clipboard.
      await hydrated(admin);
      const shown = (await admin.locator("#snippet-plain").textContent())!;
      assert.equal(
        shown,
        `<script src="${server.url}/embed/widget.js?id=${widgetId}" async></script>`,
      );
      const copy = admin.locator(".snippet:has(#snippet-plain) .copy-button");
      assert.equal(await copy.textContent(), "Copy code");
      await copy.click();
      await copy.getByText("Copied").waitFor();
      const snippet = await admin.evaluate(() => navigator.clipboard.readText());
      assert.equal(snippet, shown);

      // The owner opens the inbox and waits; it is empty.
      await admin.getByRole("link", { name: "Inbox" }).click();
      await admin.getByText("No conversations here yet").waitFor();
      await hydrated(admin);

      // A visitor on the customer's site (another origin), in a browser profile of their own.
      host.set(
        "/",
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title></head>` +
          `<body><h1>Acme</h1>${snippet}</body></html>`,
      );
      const visitorContext = await browser.browser.newContext();
      const visitor = await visitorContext.newPage();
      const visitorErrors: string[] = [];
      visitor.on("pageerror", (e) => visitorErrors.push(e.message));
      await visitor.goto(`${host.url}/`);
      await visitor.locator("parley-widget .l").click();
      await visitor.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      await visitorSends(visitor, "Hi, do you ship to Canada?");
      await widgetFrame(visitor).locator('.msg-agent[data-status="sent"]').nth(1).waitFor();

      // The conversation appears in the inbox without a reload (the list is live).
      const row = admin.locator(".inbox-row").first();
      await row.waitFor({ timeout: 10_000 });
      await row.getByText(/Agent: /).waitFor();
      assert.match((await row.textContent())!, /Acme website/);
      await row.click();
      await admin.waitForURL(/\/admin\/conversations\/[0-9a-f-]{36}$/);
      await hydrated(admin);
      await admin.locator(".live-dot.live-live").waitFor();
      const first = await adminTranscript(admin);
      assert.equal(first.length, 3, first.join("\n"));
      assert.equal(first[0], "agent: Welcome to Acme! How can we help?");
      assert.equal(first[1], "user: Hi, do you ship to Canada?");
      assert.match(first[2], /^agent: /);

      // Live: the visitor writes again; it shows up in order over the admin's WebSocket.
      await visitorSends(visitor, "Great, and how long does it take?");
      await admin.locator(".timeline .msg").nth(4).waitFor({ timeout: 10_000 });
      const live = await adminTranscript(admin);
      assert.deepEqual(live.slice(0, 3), first);
      assert.equal(live[3], "user: Great, and how long does it take?");
      assert.match(live[4], /^agent: /);
      const visitorView = await widgetFrame(visitor).locator('.msg[data-status="sent"]')
        .evaluateAll((els) =>
          els.map((el) =>
            `${el.getAttribute("data-sender")}: ${el.querySelector(".bubble")?.textContent?.trim()}`
          )
        );
      assert.deepEqual(live, visitorView, "the owner sees what the visitor saw, in the same order");

      // The conversation moves to a (simulated) phone call: the mode, the call and its transcript
      // arrive live, in one timeline with the chat.
      const sessionId = /\/admin\/conversations\/([0-9a-f-]{36})/.exec(admin.url())![1];
      const token = await admin.evaluate(async () => {
        const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')!.content;
        const res = await fetch("/admin/token", {
          method: "POST",
          headers: { "x-csrf-token": csrf },
        });
        return (await res.json()).token as string;
      });
      const voice = await fetch(`${server.url}/api/chat/sessions/${sessionId}/voice`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ phoneNumber: "+14155550123" }),
      });
      assert.equal(voice.status, 201, await voice.text());
      await admin.locator(".conv-status .tag-voice").waitFor();
      await admin.locator(".call-card").waitFor();
      await admin.locator(".marker-voice").waitFor();
      await admin.locator(".call-card.call-ended").waitFor({ timeout: 10_000 });
      await admin.locator(".call-summary").waitFor({ timeout: 10_000 });
      await admin.locator(".conv-status .tag-voice").waitFor({ state: "detached" });
      const withCall = await adminTranscript(admin);
      assert.deepEqual(withCall.slice(0, 5), live, "the chat before the call is unchanged");
      assert.ok(withCall.length > 5, "the call's turns are in the timeline");
      const voiceTurns = await admin.locator(".timeline .msg .msg-tag").count();
      assert.ok(voiceTurns > 0, "voice turns are marked as such");
      assert.match((await admin.locator(".call-card").textContent())!, /Phone call.*Ended/);

      // Ending the conversation from the inbox.
      await admin.getByRole("button", { name: "End conversation" }).click();
      await admin.locator(".conversation[data-status='ended']").waitFor();
      await admin.getByText(/Conversation ended/).waitFor();

      assert.deepEqual(adminErrors, []);
      assert.deepEqual(visitorErrors, []);
      await visitorContext.close();
    } finally {
      await browser.close();
      await host.close();
      await server.close();
    }
  },
});

/** Adds a few realistic conversations, one of them with a phone call, for the inbox picture. */
async function sampleConversations(server: TestServer, widgetId: string) {
  const t = server.t;
  const chats: string[][] = [
    ["Do you have the blue one in size 42?", "Perfect, I'll order it today."],
    ["Can someone call me about a bulk order?"],
    ["What are your opening hours on Sunday?"],
  ];
  const ids: string[] = [];
  for (const texts of chats) {
    const auth = await (await t.post("/embed/auth", { widgetId, domain: "localhost" })).json();
    const session = await (await t.post("/api/chat/sessions", {}, auth.token)).json();
    for (const content of texts) {
      await t.post(`/api/chat/sessions/${session.id}/messages`, { content }, auth.token);
    }
    ids.push(session.id);
  }
  const db = t.deps.database.db;
  const callSession = ids[1];
  await insertMessage(db, {
    sessionId: callSession,
    senderType: "system",
    messageType: "system",
    content: "Calling +1 415 555 0123…",
  });
  for (
    const [senderType, content] of [
      ["agent", "Hi, this is the Acme assistant. You asked about a bulk order?"],
      ["user", "Yes, about two hundred units for our offices."],
      ["agent", "I can set that up and send a quote by email today."],
    ] as const
  ) {
    await insertMessage(db, { sessionId: callSession, senderType, messageType: "voice", content });
  }
  await insertMessage(db, {
    sessionId: callSession,
    senderType: "user",
    messageType: "text",
    content: "Thanks! The quote arrived.",
  });
  await db.insert(calls).values({
    chatSessionId: callSession,
    retellCallId: "call_demo_1",
    kind: "phone",
    phoneNumber: "+14155550123",
    status: "ended",
    startedAt: new Date(Date.now() - 185_000),
    endedAt: new Date(Date.now() - 60_000),
    recordingUrl: "https://recordings.example/call_demo_1.wav",
    summary: "Bulk order of about 200 units; a quote was promised by email.",
    disconnectionReason: "user_hangup",
  });
  return callSession;
}

Deno.test({
  name: "admin: screenshots of the widget editor and the inbox (UPDATE_SCREENSHOTS=1)",
  ignore: !!BROWSER_MISSING || !UPDATE_SCREENSHOTS,
  // Playwright keeps pipes and timers of its own (as in `browserTest`).
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const { server, browser } = await start();
    try {
      await Deno.mkdir(DOCS, { recursive: true });
      const { page } = await browser.page();
      const widgetId = await ownerSetsUp(page, server.url);
      const callSession = await sampleConversations(server, widgetId);
      const sizes = [
        ["", { width: 1280, height: 800 }],
        ["-phone", { width: 390, height: 844 }],
      ] as const;
      for (const [suffix, viewport] of sizes) {
        await page.setViewportSize(viewport);
        await page.goto(`${server.url}/admin/widgets/${widgetId}`);
        await hydrated(page);
        const preview = page.frameLocator(".preview-frame");
        await preview.locator("body").waitFor();
        await page.frameLocator(".preview-frame").frameLocator("parley-widget iframe")
          .locator('.pw[data-status="ready"]').waitFor();
        // The window's opening transitions (the preview page's, its shadow root's and the chat
        // frame's own) have ended.
        for (const frame of page.frames()) {
          await frame.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished)));
        }
        await page.screenshot({ path: new URL(`admin-widget-editor${suffix}.png`, DOCS).pathname });

        await page.goto(`${server.url}/admin/conversations/${callSession}`);
        await hydrated(page);
        await page.locator(".live-dot.live-live").waitFor();
        await page.screenshot({ path: new URL(`admin-inbox${suffix}.png`, DOCS).pathname });
      }
    } finally {
      await browser.close();
      await server.close();
    }
  },
});
