/**
 * The widget in a real Chromium against the real server: host pages on `http://localhost:<p>`,
 * Parley on `http://127.0.0.1:<p>`, so every call crosses origins as on a customer's site.
 * Markers (`parley-widget[ready]`, `.pw[data-status="ready"]`, `data-status` on bubbles) replace
 * sleeps. PGlite only, to keep the run short.
 */
import assert from "node:assert/strict";
import { browserTest, hostPage } from "../helpers/browser.ts";
import { serveApp } from "../helpers/server.ts";
import { startApp } from "../helpers/test_app.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import type { Agent } from "../../agents/agent.ts";
import {
  frameOf,
  frameSettled,
  type HostWindow,
  launcherReady,
  openWidget,
  recordEvents,
  records,
  send,
  setup,
  transcript,
} from "./widget_env.ts";
import { insertMessage } from "../../db/queries/messages.ts";
import { publishMessage } from "../../hub/hub.ts";

browserTest("widget: the launcher appears, open/close/toggle work and fire events", async () => {
  const env = await setup();
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    env.host.set("/plain", hostPage({ serverUrl: env.server.url, times: 0 }));
    const { page, errors } = await env.browser.page();
    await page.goto(env.host.url + "/plain");
    const before = await page.evaluate(() => Object.keys(window));
    await page.goto(env.host.url + "/");
    await launcherReady(page);
    await recordEvents(page);

    // The API object keeps widgetId and config; the only globals added are it and the registry.
    const api = await page.evaluate(() => {
      const w = (window as unknown as HostWindow).rtlChatWidget;
      return { widgetId: w.widgetId, keys: Object.keys(w).sort() };
    });
    assert.equal(api.widgetId, env.widgetId);
    assert.deepEqual(api.keys, [
      "close",
      "config",
      "destroy",
      "identify",
      "off",
      "on",
      "open",
      "setContext",
      "toggle",
      "widgetId",
    ]);
    const added = (await page.evaluate(() => Object.keys(window)))
      .filter((k) => !before.includes(k) && k !== "__events");
    assert.deepEqual(added.sort(), ["parley", "rtlChatWidget"]);

    // Nothing of the chat is loaded before the visitor opens it.
    assert.equal(await page.locator("parley-widget iframe").count(), 0);
    const launcher = page.locator("parley-widget .l");
    assert.equal(await launcher.getAttribute("aria-expanded"), "false");

    await launcher.click();
    await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
    await frameOf(page).locator('.pw[data-status="ready"]').waitFor();
    assert.equal(await launcher.getAttribute("aria-expanded"), "true");
    const frame = page.locator("parley-widget iframe");
    assert.equal(await frame.getAttribute("allow"), "microphone; autoplay");
    const src = new URL((await frame.getAttribute("src"))!);
    assert.equal(src.origin, env.server.url);
    // Only the widget id: who embeds the frame reaches it by postMessage, never in the URL.
    assert.deepEqual([...src.searchParams.keys()], ["id"]);
    assert.equal(src.hash, "");
    // The welcome is shown before any session exists.
    await frameOf(page).getByText("Welcome to Acme! How can we help?").waitFor();
    assert.equal(await frameOf(page).locator(".header-title").textContent(), "Chat with Acme");

    await page.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.close());
    await page.waitForSelector("parley-widget:not([open])", { state: "attached" });
    await frame.waitFor({ state: "hidden" }); // after the closing transition
    await page.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.toggle());
    await page.waitForSelector("parley-widget[open]", { state: "attached" });
    await frame.waitFor({ state: "visible" });
    await page.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.toggle());
    await page.waitForSelector("parley-widget:not([open])", { state: "attached" });

    const names = (await records(page)).map((e) => e.name);
    assert.deepEqual(names, ["open", "ready", "close", "open", "close"]);

    // Misuse throws clearly, synchronously.
    const misuse = await page.evaluate(() => {
      try {
        (window as unknown as HostWindow).rtlChatWidget.on("nope", () => {});
        return "no error";
      } catch (err) {
        return String(err);
      }
    });
    assert.match(
      misuse,
      /TypeError: Parley: on\(open,close,message,modeChange,ready,unread,callStart,callEnd\)/,
    );

    await page.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.destroy());
    assert.equal(await page.locator("parley-widget").count(), 0);
    assert.equal(await page.evaluate(() => "rtlChatWidget" in window), false);
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

browserTest(
  "widget: a message is sent and the agent's reply arrives, with typing shown",
  async () => {
    const env = await setup({ agent: createDemoAgent({ delayMs: 800 }) });
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page, errors } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await recordEvents(page);
      await openWidget(page);
      await send(page, "How do I embed the widget on my site?");
      const f = frameOf(page);
      await f.locator('li[data-typing="true"]').waitFor();
      await f.getByText("Embedding takes one line").waitFor();
      await f.locator('li[data-typing="true"]').waitFor({ state: "detached" });
      assert.deepEqual(await transcript(page), [
        "agent: Welcome to Acme! How can we help?",
        "user: How do I embed the widget on my site?",
        `agent: Embedding takes one line: paste the <script> tag from the admin's widget page before </body>. The loader is under 3 KB and the chat loads only when a visitor opens it.`,
      ]);
      // Formatting is real elements built from the text, not HTML.
      assert.equal(await f.locator(".msg-agent code").first().textContent(), "<script>");
      // The host page heard both new messages once each (not the welcome, which is history).
      const messages = (await records(page)).filter((e) => e.name === "message")
        .map((e) => (e.detail as { senderType: string }).senderType);
      assert.deepEqual(messages, ["user", "agent"]);
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);

browserTest("widget: a reload keeps the conversation and the open state", async () => {
  const env = await setup();
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    env.host.set("/other", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    const { page } = await env.browser.page();
    await page.goto(env.host.url + "/");
    await openWidget(page);
    await send(page, "hello there");
    await frameOf(page).getByText("Hi there! I'm Parley's demo assistant").waitFor();
    const first = await transcript(page);
    const session = await frameOf(page).locator(".pw").getAttribute("data-session");
    assert.ok(session);

    // Another page of the same site: the widget opens by itself (it was open) with the history.
    await page.goto(env.host.url + "/other");
    await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
    await frameOf(page).locator('.pw[data-status="ready"]').waitFor();
    await frameOf(page).locator(`.pw[data-status="ready"][data-session="${session}"]`).waitFor();
    assert.deepEqual(await transcript(page), first);

    // Closed, then reloaded: stays closed, history intact on open.
    await page.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.close());
    await page.reload();
    await launcherReady(page);
    assert.equal(await page.locator("parley-widget[open]").count(), 0);
    await openWidget(page);
    await frameOf(page).locator(`.pw[data-session="${session}"]`).waitFor();
    assert.deepEqual(await transcript(page), first);
    await send(page, "thanks!");
    await frameOf(page).getByText("You're welcome!").waitFor();
    assert.equal((await transcript(page)).length, first.length + 2);
  } finally {
    await env.close();
  }
});

browserTest(
  "widget: the page's pre-set configuration wins (bottom-left, colour, header, autoOpen)",
  async () => {
    const env = await setup({ widget: { themeColor: "#0088FF", position: "bottom-right" } });
    try {
      env.host.set(
        "/",
        hostPage({
          serverUrl: env.server.url,
          preset: {
            widgetId: env.widgetId,
            config: {
              position: "bottom-left",
              themeColor: "#FF5500",
              headerText: "Ask our AI Assistant",
              welcomeMessage: "Hi there! I'm your AI assistant. How can I help you today?",
              autoOpen: true,
            },
          },
        }),
      );
      const { page } = await env.browser.page();
      await page.goto(env.host.url + "/");
      // autoOpen: no click needed.
      await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      const f = frameOf(page);
      await f.locator('.pw[data-status="ready"]').waitFor();
      assert.equal(await f.locator(".header-title").textContent(), "Ask our AI Assistant");
      await f.getByText("Hi there! I'm your AI assistant. How can I help you today?").waitFor();

      const launcher = await page.locator("parley-widget .l").boundingBox();
      const frame = await page.locator("parley-widget iframe").boundingBox();
      assert.ok(launcher && frame);
      assert.ok(launcher.x < 100 && launcher.y > 700, `launcher at ${launcher.x},${launcher.y}`);
      assert.ok(frame.x < 100, `frame at ${frame.x}`);
      assert.equal(
        await page.locator("parley-widget .l").evaluate((el) =>
          getComputedStyle(el).backgroundColor
        ),
        "rgb(255, 85, 0)",
      );
      // The header keeps the brand's hue, darkened until white text passes WCAG AA (#cc4400).
      const header = await f.locator(".header").evaluate((el) => {
        const s = getComputedStyle(el);
        return { image: s.backgroundImage, color: s.color };
      });
      assert.match(header.image, /^linear-gradient\(135deg, rgb\(204, 68, 0\)/);
      assert.equal(header.color, "rgb(255, 255, 255)");
      // The page's welcome is shown, never stored as the agent's words (SPEC v2.2): once a
      // session exists, its first agent turn is the widget's stored welcome.
      await send(page, "hello");
      await f.getByText("Hi there! I'm Parley's demo assistant").waitFor();
      const first = (await transcript(page))[0];
      assert.equal(first, "agent: Welcome to Acme! How can we help?");
    } finally {
      await env.close();
    }
  },
);

browserTest("widget: a domain that is not allowed gets no chat", async () => {
  const env = await setup({ widget: { allowedDomains: ["example.com"] } });
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    const { page } = await env.browser.page();
    const config = page.waitForResponse((r) => r.url().includes("/embed/config/"));
    await page.goto(env.host.url + "/");
    // The configuration is refused to this page's origin, so no launcher is ever shown.
    assert.equal((await config).status(), 403);
    await page.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.open());
    await page.waitForLoadState("networkidle");
    assert.equal(await page.locator("parley-widget").count(), 0);
    assert.ok(!page.frames().some((f) => f.url().includes("widget-frame.html")));
    // The frame itself refuses to be framed here (CSP frame-ancestors from the allowlist).
    const frame = await fetch(`${env.server.url}/embed/widget-frame.html?id=${env.widgetId}`);
    assert.match(
      frame.headers.get("content-security-policy") ?? "",
      /frame-ancestors [^;]*example\.com/,
    );
    await frame.body?.cancel();
    // And no visitor got in through the API either.
    const res = await env.server.t.post("/embed/auth", {
      widgetId: env.widgetId,
      domain: "localhost",
    });
    assert.equal(res.status, 403);
    await res.body?.cancel();
  } finally {
    await env.close();
  }
});

browserTest("widget: scripts and markup in messages stay text", async () => {
  const payload = `<img src=x onerror="alert('img')"><script>alert('script')</script>`;
  const echo: Agent = {
    ...createDemoAgent({ delayMs: 0 }),
    reply: ({ content }) =>
      Promise.resolve({
        content: `You wrote: ${content}\n**bold** [bad](javascript:alert('link')) ` +
          `[good](https://example.com/docs) <b onclick="alert('b')">b</b>`,
      }),
  };
  const env = await setup({ agent: echo });
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    const { page, dialogs, errors } = await env.browser.page();
    await page.goto(env.host.url + "/");
    await openWidget(page);
    await send(page, payload);
    const f = frameOf(page);
    await f.getByText("You wrote:").waitFor();
    const list = f.locator(".message-list");
    assert.equal(await list.locator("img, script, b").count(), 0);
    assert.equal(await f.locator('.msg-user[data-status="sent"] .bubble').textContent(), payload);
    const agentText = await f.locator('.msg-agent[data-status="sent"]').last().textContent();
    assert.ok(agentText?.includes(`<script>alert('script')</script>`));
    assert.equal(await list.locator("strong").last().textContent(), "bold");
    // Only the http(s) link became a link, and it cannot reach back into the page.
    const links = await list.locator("a").evaluateAll((as) =>
      as.map((a) => ({ href: a.getAttribute("href"), rel: a.getAttribute("rel") }))
    );
    assert.deepEqual(links, [{
      href: "https://example.com/docs",
      rel: "noopener noreferrer nofollow",
    }]);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

browserTest("widget: on a phone the chat is full screen with 16px inputs", async () => {
  const env = await setup({ viewport: { width: 390, height: 844 } });
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    const { page } = await env.browser.page();
    await page.goto(env.host.url + "/");
    await openWidget(page);
    // Once the opening transition settles, the frame covers the whole screen.
    await page.waitForFunction(() => {
      const frame = document.querySelector("parley-widget")?.shadowRoot?.querySelector("iframe");
      const r = frame?.getBoundingClientRect();
      return r && [r.x, r.y, r.width, r.height].join() === "0,0,390,844";
    });
    // The launcher makes way; the frame's own minimize button closes.
    assert.equal(await page.locator("parley-widget .l").isVisible(), false);
    const f = frameOf(page);
    const size = await f.locator("textarea").evaluate((el) =>
      parseFloat(getComputedStyle(el).fontSize)
    );
    assert.ok(size >= 16, `input font-size ${size}px would zoom iOS`);
    await f.getByRole("button", { name: "Minimize chat" }).click();
    await page.waitForSelector("parley-widget:not([open])", { state: "attached" });
    assert.equal(await page.locator("parley-widget .l").isVisible(), true);
  } finally {
    await env.close();
  }
});

browserTest(
  "widget: usable by keyboard alone (focus in on open, Escape closes, focus back)",
  async () => {
    const env = await setup();
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await launcherReady(page);
      const launcherFocused = () =>
        page.evaluate(() => {
          const host = document.querySelector("parley-widget");
          return document.activeElement === host &&
            host?.shadowRoot?.activeElement?.className === "l";
        });
      // Tab from the page's own link to the launcher.
      await page.locator("#first-link").focus();
      for (let i = 0; i < 5 && !(await launcherFocused()); i++) await page.keyboard.press("Tab");
      assert.ok(await launcherFocused(), "Tab reaches the launcher");
      await page.keyboard.press("Enter");
      await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      const f = frameOf(page);
      await f.locator('.pw[data-status="ready"]').waitFor();
      await f.locator("textarea:focus").waitFor();
      await page.keyboard.type("hello from the keyboard");
      await page.keyboard.press("Enter");
      await f.getByText("Hi there! I'm Parley's demo assistant").waitFor();
      // Shift+Enter makes a new line instead of sending.
      await page.keyboard.type("line one");
      await page.keyboard.press("Shift+Enter");
      await page.keyboard.type("line two");
      assert.equal(await f.locator("textarea").inputValue(), "line one\nline two");
      await page.keyboard.press("Escape");
      await page.waitForSelector("parley-widget:not([open])", { state: "attached" });
      assert.ok(await launcherFocused(), "focus returns to the launcher");
      await page.keyboard.press("Enter");
      await page.waitForSelector("parley-widget[open]", { state: "attached" });
      await f.locator("textarea:focus").waitFor();
    } finally {
      await env.close();
    }
  },
);

browserTest(
  "widget: survives a server restart mid-conversation without losing a message",
  async () => {
    const env = await setup();
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await openWidget(page);
      const f = frameOf(page);
      await send(page, "hello");
      await f.getByText("Hi there! I'm Parley's demo assistant").waitFor();
      await f.locator('.pw[data-connection="open"]').waitFor();
      const session = await f.locator(".pw").getAttribute("data-session");

      // Stop the server; the frame notices and says it is reconnecting.
      const port = env.server.port;
      await env.server.t.deps.hub.close();
      await env.server.close();
      await f.locator('.pw[data-connection="reconnecting"]').waitFor();
      // Written while the server is down: kept as "sending" and retried.
      await send(page, "are you still there? let's talk by phone");
      await f.locator('.msg-user[data-status="pending"]').waitFor();

      // The same database, a new process on the same port.
      env.server = await serveApp(
        await startApp("pglite", { database: env.db, agent: env.agent }),
        port,
      );
      await f.getByText("You can move this chat to a voice call").waitFor({ timeout: 20_000 });
      await f.locator('.pw[data-connection="open"]').waitFor({ timeout: 20_000 });
      assert.equal(
        await f.locator('.msg[data-status="pending"], .msg[data-status="failed"]').count(),
        0,
      );

      // Stored exactly once, in order, in the same session.
      const res = await env.server.t.get(`/api/chat/sessions/${session}/messages`, env.adminToken);
      const { messages } = await res.json();
      assert.deepEqual(
        messages.map((m: { senderType: string; content: string }) =>
          `${m.senderType}: ${m.content.slice(0, 20)}`
        ),
        [
          "agent: Welcome to Acme! How",
          "user: hello",
          "agent: Hi there! I'm Parley",
          "user: are you still there?",
          "agent: You can move this ch",
        ],
      );
    } finally {
      await env.close();
    }
  },
);

browserTest(
  "widget: included twice makes one widget; host CSS cannot break it; unread badge",
  async () => {
    const env = await setup();
    try {
      const hostile = `<style>
      button { width: 10px !important; background: red !important; }
      iframe { display: none !important; }
      div, parley-widget { display: none !important; }
      * { font-size: 40px !important; }
    </style>`;
      env.host.set(
        "/",
        hostPage({ serverUrl: env.server.url, widgetId: env.widgetId, head: hostile, times: 2 }),
      );
      const { page } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await launcherReady(page);
      await page.waitForLoadState("load");
      assert.equal(await page.locator("parley-widget").count(), 1);
      const box = await page.locator("parley-widget .l").boundingBox();
      assert.deepEqual(box && [box.width, box.height], [56, 56]);
      await openWidget(page);
      assert.equal(await page.locator("parley-widget iframe").isVisible(), true);
      await send(page, "hello");
      await frameOf(page).getByText("Hi there! I'm Parley's demo assistant").waitFor();
      const session = await frameOf(page).locator(".pw").getAttribute("data-session");
      await page.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.close());
      await page.waitForSelector("parley-widget:not([open])", { state: "attached" });

      // An agent message while closed raises the badge; opening clears it.
      const row = await insertMessage(env.server.t.deps.database.db, {
        sessionId: session!,
        senderType: "agent",
        messageType: "text",
        content: "Still there? I found the answer.",
      });
      await publishMessage(env.server.t.deps.hub, row);
      const badge = page.locator("parley-widget .n");
      await page.waitForFunction(() =>
        document.querySelector("parley-widget")?.shadowRoot?.querySelector(".n")?.textContent ===
          "1"
      );
      assert.match(
        (await page.locator("parley-widget .l").getAttribute("aria-label"))!,
        /1 unread/,
      );
      await page.locator("parley-widget .l").click();
      await page.waitForSelector("parley-widget[open]", { state: "attached" });
      assert.equal(await badge.textContent(), "");
      await frameOf(page).getByText("Still there? I found the answer.").waitFor();
    } finally {
      await env.close();
    }
  },
);

browserTest(
  "widget: an ended conversation restarts when the visitor writes; a bad token is renewed for the same visitor",
  async () => {
    const env = await setup();
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await openWidget(page);
      const f = frameOf(page);
      await send(page, "hello");
      await f.getByText("Hi there! I'm Parley's demo assistant").waitFor();
      const first = await f.locator(".pw").getAttribute("data-session");

      // The visitor's token goes bad (expired, or a rotated secret): the next load renews it
      // silently with the same visitor id, so the same conversation comes back.
      await page.evaluate((key) => {
        const kept = JSON.parse(localStorage.getItem(key)!);
        localStorage.setItem(key, JSON.stringify({ ...kept, token: "not-a-valid-token" }));
      }, `parley:${env.widgetId}`);
      await page.reload();
      await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      await f.locator(`.pw[data-status="ready"][data-session="${first}"]`).waitFor();
      await frameSettled(page);
      assert.equal(await f.locator('.msg-user[data-status="sent"]').count(), 1);

      // End it from the header (with a confirmation), then write again: a new session begins.
      await f.getByRole("button", { name: "End conversation" }).click();
      await page.waitForSelector("parley-widget[open]", { state: "attached" });
      await f.locator(".bar-confirm").waitFor();
      await f.getByRole("button", { name: "End chat" }).click();
      await f.locator(".ended-note").waitFor();
      // The end-of-conversation rating takes the composer's place until it is sent or skipped.
      await f.getByRole("radiogroup", { name: "Your rating" }).waitFor();
      assert.equal(await f.locator(".composer").count(), 0);
      await f.getByRole("button", { name: "Skip" }).click();
      await send(page, "thanks, one more question");
      await f.getByText("You're welcome!").waitFor();
      const second = await f.locator(".pw").getAttribute("data-session");
      assert.ok(second && second !== first);
      await f.getByText("New conversation").waitFor();
      const res = await env.server.t.get(`/api/chat/sessions/${first}`, env.adminToken);
      const old = await res.json();
      assert.equal(old.status, "ended");
      const fresh = await (await env.server.t.get(`/api/chat/sessions/${second}`, env.adminToken))
        .json();
      assert.equal(fresh.visitorId, old.visitorId);
    } finally {
      await env.close();
    }
  },
);

browserTest("widget: works on a page with a strict Content-Security-Policy", async () => {
  const env = await setup();
  try {
    const csp =
      `default-src 'none'; script-src ${env.server.url}; connect-src ${env.server.url}; ` +
      `frame-src ${env.server.url}; style-src 'self'`;
    env.host.set(
      "/",
      hostPage({
        serverUrl: env.server.url,
        widgetId: env.widgetId,
        head: `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
      }),
    );
    const { page, errors } = await env.browser.page();
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    await page.goto(env.host.url + "/");
    await launcherReady(page);
    // Styled although the page allows no inline styles: 56px, in the theme colour.
    const launcher = page.locator("parley-widget .l");
    const box = await launcher.boundingBox();
    assert.deepEqual(box && [box.width, box.height], [56, 56]);
    await openWidget(page);
    await send(page, "hello");
    await frameOf(page).getByText("Hi there! I'm Parley's demo assistant").waitFor();
    assert.deepEqual(violations, []);
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});
