/**
 * Voice from the widget in a real Chromium: a phone callback (the offline demo agent simulates the
 * call through the real call lifecycle), a call in the browser with the client chunk replaced by a
 * fake emitter (Retell's client can only reach Retell's cloud), and a refused microphone.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, hostPage } from "../helpers/browser.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import { frameOf, openWidget, recordEvents, records, send, setup } from "./widget_env.ts";
import { listCallsOf } from "../../db/queries/calls.ts";

const FAST_CALL = { startedMs: 300, endedMs: 1500, analyzedMs: 1800 };
const FAKE_MIC = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"];

/** A stand-in for `/embed/voice-web.js` with the same export, driven by the test. */
const FAKE_CLIENT = `
export function createWebCallClient() {
  const handlers = {};
  const emit = (name, ...args) => (handlers[name] || []).forEach((fn) => fn(...args));
  const state = (globalThis.fakeCall = { token: null, stopped: false, muted: false, emit });
  return {
    on(name, fn) { (handlers[name] ||= []).push(fn); },
    async startCall({ accessToken }) {
      state.token = accessToken;
      setTimeout(() => {
        emit("call_started");
        emit("update", { transcript: [
          { role: "agent", content: "Hello from the browser call" },
          { role: "user", content: "Hi, can you hear me?" },
        ] });
      }, 50);
    },
    stopCall() { if (!state.stopped) { state.stopped = true; emit("call_ended"); } },
    mute() { state.muted = true; },
    unmute() { state.muted = false; },
  };
}`;

async function openVoicePanel(page: Page) {
  await frameOf(page).getByRole("button", { name: "Talk by voice" }).click();
  await frameOf(page).locator(".voice-panel").waitFor();
}

browserTest(
  "voice: a phone callback moves the chat to a call and the transcript comes back",
  async () => {
    const env = await setup({
      agent: createDemoAgent({ delayMs: 0, callTimings: FAST_CALL }),
      widget: { voiceMode: "phone", phoneCountries: ["US"] },
    });
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page, errors } = await env.browser.page();
      const voiceChunks: string[] = [];
      page.on("request", (r) => {
        if (/\/embed\/voice_chunk-/.test(r.url())) voiceChunks.push(r.url());
      });
      await page.goto(env.host.url + "/");
      await recordEvents(page);
      await openWidget(page);
      await send(page, "I'd rather talk about pricing");
      const f = frameOf(page);
      await f.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
      assert.deepEqual(voiceChunks, [], "the voice screens are not loaded with the chat");
      await openVoicePanel(page);
      assert.equal(voiceChunks.length, 1);
      // Phone only: no browser-call button.
      assert.equal(await f.getByRole("button", { name: /Call in the browser/ }).count(), 0);

      // A number that cannot be one is refused before anything is sent.
      await f.getByLabel("Your phone number").fill("12345");
      await f.getByRole("button", { name: "Call me" }).click();
      await f.getByRole("alert").filter({ hasText: "country code" }).waitFor();
      assert.equal(await f.getByLabel("Your phone number").getAttribute("aria-invalid"), "true");

      await f.getByLabel("Your phone number").fill("+1 (415) 555-2671");
      await f.getByRole("button", { name: "Call me" }).click();
      await f.locator('.call[data-call-kind="phone"]').waitFor();
      await f.getByText("Calling +14155552671").waitFor();
      await f.locator('.call[data-call-status="ongoing"]').waitFor();
      await f.locator(".pw[data-mode='voice']").waitFor();
      // The call ends by itself (simulated); the chat returns with the transcript as voice turns.
      await f.locator('.pw[data-mode="chat"][data-view="chat"]').waitFor({ timeout: 15_000 });
      await f.locator('.msg[data-sender="agent"] .msg-tag').first().waitFor();
      const voiceTurns = await f.locator(".msg .msg-tag").count();
      assert.ok(voiceTurns >= 3, `${voiceTurns} voice turns`);
      await f.getByText(`You wrote "I'd rather talk about pricing"`).waitFor();

      const modes = (await records(page)).filter((e) => e.name === "modeChange").map((e) =>
        e.detail
      );
      assert.deepEqual(modes, ["voice", "chat"]);
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);

browserTest(
  "voice: a call in the browser loads the call client only then, with live captions",
  async () => {
    // Not the demo kind: the server answers with an access token as Retell would, and the frame
    // runs the (fake) browser client.
    const agent = {
      ...createDemoAgent({
        delayMs: 0,
        callTimings: { ...FAST_CALL, endedMs: 60_000, analyzedMs: 61_000 },
      }),
      kind: "retell" as const,
    };
    const env = await setup({
      agent,
      widget: { voiceMode: "both", phoneCountries: ["US"] },
      args: FAKE_MIC,
    });
    // The agent stands in for the deployment's Retell account, which serves organizations
    // without a key of their own only while sign-up is closed (SPEC v2.2).
    env.server.t.deps.config.signup = "closed";
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page, errors } = await env.browser.page();
      const chunks: string[] = [];
      page.on("request", (r) => {
        if (r.url().includes("/embed/voice-web.js")) chunks.push(r.url());
      });
      await page.route(
        "**/embed/voice-web.js*",
        (route) => route.fulfill({ contentType: "text/javascript", body: FAKE_CLIENT }),
      );
      await page.goto(env.host.url + "/");
      await openWidget(page);
      await send(page, "hello");
      const f = frameOf(page);
      await f.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
      assert.deepEqual(chunks, [], "the call client is not loaded with the chat");

      await openVoicePanel(page);
      await f.getByRole("button", { name: /Call in the browser/ }).click();
      await f.locator('.call[data-call-kind="web"][data-call-status="ongoing"]').waitFor();
      assert.equal(chunks.length, 1);
      assert.match(chunks[0], /\/embed\/voice-web\.js\?v=[0-9a-f]+$/);
      const captions = f.locator('.captions[aria-live="polite"]');
      await captions.getByText("Hello from the browser call").waitFor();
      await captions.getByText("Hi, can you hear me?").waitFor();
      const frame = page.frames().find((fr) => fr.url().includes("widget-frame.html"))!;
      assert.match(
        await frame.evaluate(() =>
          (globalThis as unknown as { fakeCall: { token: string } }).fakeCall.token
        ),
        /^demo_web_/,
      );

      await f.getByRole("button", { name: "Mute microphone" }).click();
      await f.getByRole("button", { name: "Unmute microphone", pressed: true }).waitFor();
      assert.equal(
        await frame.evaluate(() =>
          (globalThis as unknown as { fakeCall: { muted: boolean } }).fakeCall.muted
        ),
        true,
      );

      // "Back to chat" keeps the call; the bar returns to it; "End call" ends it on the server too.
      await f.getByRole("button", { name: "Back to chat" }).click();
      await f.locator(".bar-call").waitFor();
      await f.getByRole("button", { name: "Return to call" }).click();
      await f.getByRole("button", { name: "End call" }).click();
      await f.locator('.pw[data-mode="chat"]').waitFor({ timeout: 10_000 });
      assert.equal(
        await frame.evaluate(() =>
          (globalThis as unknown as { fakeCall: { stopped: boolean } }).fakeCall.stopped
        ),
        true,
      );
      await f.locator('.pw[data-view="chat"]').waitFor({ timeout: 10_000 });
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);

browserTest("voice: a refused microphone is explained and no call is made", async () => {
  const env = await setup({
    agent: createDemoAgent({ delayMs: 0, callTimings: FAST_CALL }),
    widget: { voiceMode: "web" },
    args: ["--use-fake-device-for-media-stream", "--deny-permission-prompts"],
  });
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    const { page } = await env.browser.page();
    const voiceCalls: string[] = [];
    page.on("request", (r) => {
      if (/\/voice$/.test(new URL(r.url()).pathname)) voiceCalls.push(r.url());
    });
    await page.goto(env.host.url + "/");
    await openWidget(page);
    await openVoicePanel(page);
    const f = frameOf(page);
    // Web only: no phone form.
    assert.equal(await f.getByLabel("Your phone number").count(), 0);
    await f.getByRole("button", { name: /Call in the browser/ }).click();
    await f.getByRole("alert").filter({ hasText: "blocked the microphone" }).waitFor();
    assert.deepEqual(voiceCalls, []);
    assert.equal(await f.locator(".call").count(), 0);
  } finally {
    await env.close();
  }
});

browserTest(
  "voice: with the owner's consent notice, the visitor agrees before any call; cancelling calls no one",
  async () => {
    const notice = "This call may be recorded to improve our service.";
    const env = await setup({
      agent: createDemoAgent({ delayMs: 0, callTimings: FAST_CALL }),
      widget: { voiceMode: "phone", phoneCountries: ["US"], voiceConsentText: notice },
    });
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page, errors } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await openWidget(page);
      await send(page, "Can you call me?");
      const f = frameOf(page);
      await f.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
      await openVoicePanel(page);
      await f.getByLabel("Your phone number").fill("+1 (415) 555-2671");
      await f.getByRole("button", { name: "Call me" }).click();

      // The notice, with the agreement focused; cancelling goes back and places no call.
      await f.getByRole("heading", { name: "Before we call" }).waitFor();
      await f.getByText(notice).waitFor();
      const agree = f.getByRole("button", { name: "Agree and call" });
      assert.ok(await agree.evaluate((b) => b === document.activeElement));
      await f.getByRole("button", { name: "Cancel" }).click();
      await f.getByLabel("Your phone number").waitFor();
      assert.equal(await f.locator(".call").count(), 0);
      const sessionId = await f.locator(".pw").getAttribute("data-session");
      assert.ok(sessionId);
      const db = env.server.t.deps.database.db;
      assert.equal((await listCallsOf(db, sessionId, 10)).length, 0);

      // Agreeing places the call, and the call records when consent was given.
      await f.getByRole("button", { name: "Call me" }).click();
      await f.getByRole("button", { name: "Agree and call" }).click();
      await f.locator('.call[data-call-kind="phone"]').waitFor();
      const [call] = await listCallsOf(db, sessionId, 10);
      assert.ok(call?.consentAt, "the call stores when consent was given");
      await f.locator('.pw[data-mode="chat"][data-view="chat"]').waitFor({ timeout: 15_000 });
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);
