/**
 * Accessibility of what visitors and owners see, checked by axe-core in a real Chromium: the
 * host page with the launcher, the chat frame closed, open, after an exchange that overflows the
 * message list, and with the voice panel; on a phone, focus stays in the full-screen chat; the
 * admin pages an owner walks through (signed in, with an agent, a widget and a conversation). No serious or critical violation is allowed.
 */
import assert from "node:assert/strict";
import { browserTest, ensureBuilt, hostPage, launchBrowser } from "../helpers/browser.ts";
import { serveApp } from "../helpers/server.ts";
import { createAgentAndWidget, startApp, uniqueEmail } from "../helpers/test_app.ts";
import { axeProblems, describe, widgetFrame } from "../helpers/axe.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import { startFakeRetell } from "../helpers/fake_retell.ts";
import { frameOf, launcherReady, openWidget, send, setup } from "./widget_env.ts";

const UPDATE_SCREENSHOTS = Deno.env.get("UPDATE_SCREENSHOTS") === "1";
const DOCS = new URL("../../docs/", import.meta.url);

browserTest(
  "a11y: the host page and the chat frame in every state have no serious violation",
  async () => {
    const env = await setup({
      agent: createDemoAgent({ delayMs: 0 }),
      widget: { voiceMode: "web" },
    });
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page, errors } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await launcherReady(page);
      const found: string[] = [];
      const check = async (state: string, target: Parameters<typeof axeProblems>[0]) => {
        const problems = await axeProblems(target);
        if (problems.length) found.push(`${state}:\n${describe(problems)}`);
      };
      await check("host page, closed", page);

      await openWidget(page);
      const frame = await widgetFrame(page);
      await check("frame, open", frame);

      // Enough messages that the list scrolls.
      for (let i = 1; i <= 6; i++) {
        await send(page, `Question number ${i}: what are your opening hours on weekdays?`);
        await frameOf(page).locator('.msg-agent[data-status="sent"]').nth(i).waitFor();
      }
      await check("frame, after an exchange", frame);
      await check("host page, open", page);

      await frameOf(page).getByRole("button", { name: "Talk by voice" }).click();
      await frameOf(page).locator(".voice-panel").waitFor();
      await check("frame, voice panel", frame);

      assert.equal(found.length, 0, found.join("\n\n"));
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);

browserTest("a11y: on a phone, Tab stays inside the full-screen chat", async () => {
  const env = await setup({ viewport: { width: 390, height: 844 } });
  try {
    env.host.set(
      "/",
      hostPage({
        serverUrl: env.server.url,
        widgetId: env.widgetId,
        body: Array.from({ length: 8 }, (_, i) => `<a href="#l${i}">Link ${i}</a>`).join(" "),
      }),
    );
    const { page } = await env.browser.page({ viewport: { width: 390, height: 844 } });
    await page.goto(env.host.url + "/");
    await openWidget(page);
    await frameOf(page).locator("textarea").focus();
    const escaped: string[] = [];
    for (let i = 0; i < 24; i++) {
      await page.keyboard.press(i % 3 === 2 ? "Shift+Tab" : "Tab");
      const where = await page.evaluate(() => document.activeElement?.tagName ?? "");
      if (where !== "PARLEY-WIDGET") escaped.push(where);
    }
    assert.deepEqual(escaped, [], "focus left the chat for the page behind it");
  } finally {
    await env.close();
  }
});

browserTest("a11y: the admin pages an owner walks through have no serious violation", async () => {
  await ensureBuilt();
  const server = await serveApp(
    await startApp("pglite", { agent: createDemoAgent({ delayMs: 0 }) }),
  );
  const browser = await launchBrowser();
  try {
    const { page, errors } = await browser.page();
    const found: string[] = [];
    const check = async (path: string) => {
      await page.goto(server.url + path);
      await page.waitForLoadState("load");
      const problems = await axeProblems(page);
      if (problems.length) found.push(`${path}:\n${describe(problems)}`);
    };
    await check("/admin/login");
    await check("/admin/signup");
    const email = uniqueEmail();
    await page.getByLabel("Organization").fill("Acme Inc.");
    await page.getByLabel("Work email").fill(email);
    await page.getByLabel("Password").fill("correct horse battery");
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL(/\/admin\/agents\/new/);

    // The rest of the data through the API, as the same owner.
    const login = await server.t.post("/api/auth/login", {
      email,
      password: "correct horse battery",
    });
    const { token } = await login.json();
    const { agent, widget } = await createAgentAndWidget(server.t, token, { voiceMode: "web" });
    const auth = await (await server.t.post("/embed/auth", {
      widgetId: widget.id,
      domain: "example.com",
    })).json();
    const session = await (await server.t.post("/api/chat/sessions", {}, auth.token)).json();
    await server.t.post(`/api/chat/sessions/${session.id}/messages`, {
      content: "Hello, what are your opening hours?",
    }, auth.token);

    for (
      const path of [
        "/admin/agents",
        "/admin/agents/new",
        `/admin/agents/${agent.id}`,
        "/admin/widgets",
        "/admin/widgets/new",
        `/admin/widgets/${widget.id}`,
        "/admin/conversations",
        `/admin/conversations/${session.id}`,
        "/admin/settings",
      ]
    ) await check(path);

    // The agent form with a connected Retell account: pickers of its agents and numbers.
    const fake = await startFakeRetell("key_a11y_account_0001");
    try {
      fake.chatAgents.add("agent_chat_support");
      fake.phoneNumbers.add("+14155550111");
      server.t.deps.config.retellBaseUrl = fake.url;
      const put = await server.t.put("/api/organization/retell", {
        apiKey: fake.apiKey,
      }, token);
      assert.equal(put.status, 200);
      await check("/admin/agents/new");
      assert.equal(await page.locator("select#f-retellChatAgentId option").count(), 3);
      await check(`/admin/agents/${agent.id}`);
    } finally {
      await fake.close();
    }
    assert.equal(found.length, 0, found.join("\n\n"));
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.t.deps.hub.close();
    await server.close();
  }
});

browserTest("a11y: colorScheme auto follows a dark system, and dark passes axe", async () => {
  const env = await setup({ agent: createDemoAgent({ delayMs: 0 }), widget: { voiceMode: "web" } });
  try {
    env.host.set(
      "/",
      hostPage({
        serverUrl: env.server.url,
        preset: { widgetId: env.widgetId, config: { colorScheme: "auto" } },
      }),
    );
    const context = await env.browser.browser.newContext({ colorScheme: "dark" });
    try {
      const page = await context.newPage();
      await page.goto(env.host.url + "/");
      await openWidget(page);
      const f = frameOf(page);
      const background = await f.locator(".messages").evaluate((el) =>
        getComputedStyle(el).backgroundColor
      );
      assert.equal(background, "rgb(22, 24, 29)");
      await send(page, "Do you ship to Canada?");
      await f.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
      const frame = await widgetFrame(page);
      if (UPDATE_SCREENSHOTS) {
        await page.screenshot({ path: new URL("widget-dark.png", DOCS).pathname });
      }
      const found: string[] = [];
      for (const state of ["after an exchange", "voice panel"]) {
        if (state === "voice panel") {
          await f.getByRole("button", { name: "Talk by voice" }).click();
          await f.locator(".voice-panel").waitFor();
        }
        const problems = await axeProblems(frame);
        if (problems.length) found.push(`${state}:\n${describe(problems)}`);
      }
      assert.equal(found.length, 0, found.join("\n\n"));
    } finally {
      await context.close();
    }
  } finally {
    await env.close();
  }
});

browserTest(
  "a11y: the pre-chat form, the rating, the menu and the delete confirmation in light, dark and Arabic",
  async () => {
    const env = await setup({
      agent: createDemoAgent({ delayMs: 0 }),
      widget: {
        preChatForm: {
          fields: [{ name: "name", required: true }, { name: "email", required: false }],
          consentText: "I agree that Acme may contact me about my request.",
        },
      },
    });
    try {
      const found: string[] = [];
      const variants = {
        light: {},
        dark: { colorScheme: "dark" },
        arabic: { locale: "ar" },
      };
      for (const [variant, config] of Object.entries(variants)) {
        env.host.set(
          `/${variant}`,
          hostPage({ serverUrl: env.server.url, preset: { widgetId: env.widgetId, config } }),
        );
        // A context of its own: a new visitor, asked the form again.
        const context = await env.browser.browser.newContext();
        try {
          const page = await context.newPage();
          await page.goto(`${env.host.url}/${variant}`);
          await openWidget(page);
          const f = frameOf(page);
          const frame = await widgetFrame(page);
          const check = async (state: string) => {
            const problems = await axeProblems(frame);
            if (problems.length) found.push(`${variant}, ${state}:\n${describe(problems)}`);
          };
          await f.locator(".prechat").waitFor();
          // The extras' words come in the chat's language (their own module per locale).
          assert.equal(
            await f.locator("#pc-title").textContent(),
            variant === "arabic" ? "قبل أن نبدأ" : "Before we start",
          );
          await check("pre-chat form");
          await f.locator(".prechat-submit").click();
          await f.locator("#pc-name-error").waitFor();
          await check("pre-chat form with errors");
          if (UPDATE_SCREENSHOTS && variant === "light") {
            await page.screenshot({ path: new URL("widget-prechat.png", DOCS).pathname });
          }
          await f.locator("#pc-name").fill("Ada");
          await f.locator("#pc-consent").check();
          await f.locator(".prechat-submit").click();
          await send(page, "Do you ship to Canada?");
          await f.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();

          await f.locator("#pw-more").click();
          await f.locator('[role="menu"]').waitFor();
          await check("menu open");
          await f.locator(".menu-danger").click();
          await f.locator('[role="alertdialog"]').waitFor();
          await check("delete confirmation");
          await page.keyboard.press("Escape");
          await f.locator('[role="alertdialog"]').waitFor({ state: "detached" });

          await f.locator(".header-actions .icon-btn").last().click();
          await f.locator(".bar-confirm .btn-danger").click();
          await f.locator(".rating .stars").waitFor();
          await check("rating");
          await f.locator(".star").nth(3).click();
          if (UPDATE_SCREENSHOTS && variant === "light") {
            // After the stars' colour transition.
            await page.mouse.move(0, 0);
            await page.waitForTimeout(400);
            await page.screenshot({ path: new URL("widget-rating.png", DOCS).pathname });
          }
          await f.locator(".rating .btn-primary").click();
          await f.locator(".rating-done").waitFor();
          await check("rating thanks");
        } finally {
          await context.close();
        }
      }
      assert.equal(found.length, 0, found.join("\n\n"));
    } finally {
      await env.close();
    }
  },
);

browserTest("a11y: the consent step before a call, in light, dark and Arabic", async () => {
  const env = await setup({
    agent: createDemoAgent({ delayMs: 0 }),
    widget: { voiceMode: "web", voiceConsentText: "This call may be recorded for training." },
  });
  try {
    const found: string[] = [];
    const variants = { light: {}, dark: { colorScheme: "dark" }, arabic: { locale: "ar" } };
    for (const [variant, config] of Object.entries(variants)) {
      env.host.set(
        `/${variant}`,
        hostPage({ serverUrl: env.server.url, preset: { widgetId: env.widgetId, config } }),
      );
      const context = await env.browser.browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(`${env.host.url}/${variant}`);
        await openWidget(page);
        const f = frameOf(page);
        await f.locator(".composer-voice").click();
        await f.locator(".voice-panel").waitFor();
        await f.locator(".voice-panel .btn-wide").click();
        await f.locator(".voice-consent").waitFor();
        const problems = await axeProblems(await widgetFrame(page));
        if (problems.length) found.push(`${variant}:\n${describe(problems)}`);
        if (variant === "arabic") {
          await f.getByRole("button", { name: "موافقة والاتصال" }).waitFor();
        }
      } finally {
        await context.close();
      }
    }
    assert.equal(found.length, 0, found.join("\n\n"));
  } finally {
    await env.close();
  }
});
