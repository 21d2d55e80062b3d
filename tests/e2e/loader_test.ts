/**
 * The loader's v2.5 options in a real Chromium, host pages on `http://localhost:<p>` and Parley on
 * `http://127.0.0.1:<p>`: a page's own button instead of the launcher (`hideLauncher`), the teaser
 * (lazy, accessible, closed for the tab once dismissed, storing nothing before that), two widgets
 * on one page (`window.parley.get`), the `unread`, `callStart` and `callEnd` events, and the
 * launcher's labels in the page's language. `UPDATE_SCREENSHOTS=1` also writes the teaser's
 * pictures to `docs/` (desktop and phone, light and dark, left-to-right and Arabic).
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, hostPage } from "../helpers/browser.ts";
import { axeProblems, describe } from "../helpers/axe.ts";
import { createAgentAndWidget } from "../helpers/test_app.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import { insertMessage } from "../../db/queries/messages.ts";
import { publishMessage } from "../../hub/hub.ts";
import {
  chatReady,
  frameOf,
  frameSettled,
  type HostWindow,
  launcherReady,
  openWidget,
  send,
  setup,
} from "./widget_env.ts";

const UPDATE_SCREENSHOTS = Deno.env.get("UPDATE_SCREENSHOTS") === "1";
const DOCS = new URL("../../docs/", import.meta.url);
const EVENTS = [
  "open",
  "close",
  "message",
  "modeChange",
  "ready",
  "unread",
  "callStart",
  "callEnd",
];

type Api = HostWindow["rtlChatWidget"];
type ParleyWindow = Window & {
  rtlChatWidget: Api;
  parley: { get(id: string): Api | undefined };
  __events: { widget: string; name: string; detail: unknown }[];
};

/** Records every event of every widget of the page (`parley.get(id)`) in `window.__events`. */
async function recordAll(page: Page, ids: string[]) {
  await page.waitForFunction(
    (ids) => ids.every((id) => (window as unknown as ParleyWindow).parley?.get(id)),
    ids,
  );
  await page.evaluate(({ ids, names }) => {
    const w = window as unknown as ParleyWindow;
    w.__events = [];
    for (const id of ids) {
      for (const name of names) {
        w.parley.get(id)!.on(name, (detail) => w.__events.push({ widget: id, name, detail }));
      }
    }
  }, { ids, names: EVENTS });
}

async function events(page: Page, name?: string) {
  const all = await page.evaluate(() => (window as unknown as ParleyWindow).__events);
  return name ? all.filter((e) => e.name === name) : all;
}

/** An agent message in the visitor's conversation, as a teammate or the server would add it. */
async function agentSays(env: Awaited<ReturnType<typeof setup>>, session: string, text: string) {
  const row = await insertMessage(env.server.t.deps.database.db, {
    sessionId: session,
    senderType: "agent",
    messageType: "text",
    content: text,
  });
  await publishMessage(env.server.t.deps.hub, row);
}

const storage = (page: Page) =>
  page.evaluate(() => ({
    local: { ...localStorage },
    session: { ...sessionStorage },
    cookie: document.cookie,
  }));

browserTest(
  "loader: hideLauncher shows no launcher; the page's own button opens the chat, focus comes back to it, unread counts reach the page",
  async () => {
    const env = await setup({ agent: createDemoAgent({ delayMs: 0 }) });
    try {
      env.host.set(
        "/",
        hostPage({
          serverUrl: env.server.url,
          preset: { widgetId: env.widgetId, config: { hideLauncher: true } },
          body: `<button id="help" onclick="rtlChatWidget.open()">Help</button>`,
        }),
      );
      const { page, errors } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await launcherReady(page);
      await recordAll(page, [env.widgetId]);
      assert.equal(await page.locator("parley-widget .l").count(), 0, "no launcher");

      await page.locator("#help").click();
      await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      await chatReady(page);
      await frameSettled(page);
      // Where the launcher would be: the chat takes the corner itself.
      const frame = page.locator("parley-widget iframe");
      const box = (await frame.boundingBox())!;
      assert.equal(Math.round(800 - box.y - box.height), 20);
      await send(page, "hello");
      await frameOf(page).locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
      const session = (await frameOf(page).locator(".pw").getAttribute("data-session"))!;

      // Minimized from inside the chat: focus returns to the button that opened it.
      await frameOf(page).getByRole("button", { name: "Minimize chat" }).click();
      await page.waitForSelector("parley-widget:not([open])", { state: "attached" });
      await page.waitForFunction(() => document.activeElement?.id === "help");

      // Replies while closed: the page hears the count (it has no badge to show).
      await agentSays(env, session, "One more thing");
      await agentSays(env, session, "And another");
      await page.waitForFunction(() =>
        (window as unknown as ParleyWindow).__events.filter((e) => e.name === "unread").length >= 2
      );
      assert.deepEqual((await events(page, "unread")).map((e) => e.detail), [1, 2]);
      await page.evaluate(() => (window as unknown as ParleyWindow).rtlChatWidget.toggle());
      await page.waitForSelector("parley-widget[open]", { state: "attached" });
      assert.deepEqual((await events(page, "unread")).map((e) => e.detail), [1, 2, 0]);
      await frameOf(page).getByText("And another").waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);

browserTest(
  "loader: the teaser comes after its delay, lazily, storing nothing; closed, it stays closed in that tab; clicked, it opens the chat",
  async () => {
    const env = await setup();
    try {
      const text = "Questions about pricing? We answer in seconds.";
      env.host.set(
        "/",
        hostPage({
          serverUrl: env.server.url,
          preset: { widgetId: env.widgetId, config: { teaser: { text, delaySeconds: 2 } } },
        }),
      );
      const { page, errors } = await env.browser.page();
      const asked: string[] = [];
      page.on("request", (r) => asked.push(new URL(r.url()).pathname));
      await page.goto(env.host.url + "/");
      await launcherReady(page);
      const teaser = page.locator("parley-widget [data-teaser]");
      // Nothing of it before the delay: not even its module.
      assert.equal(await teaser.count(), 0);
      assert.ok(!asked.includes("/embed/teaser.js"), asked.join(" "));
      await teaser.waitFor();
      assert.ok(asked.includes("/embed/teaser.js"));
      assert.equal(await teaser.getByRole("button", { name: text }).count(), 1);
      // Beside (above) the launcher, right edges aligned.
      const [t, l] = await Promise.all([
        teaser.boundingBox(),
        page.locator("parley-widget .l").boundingBox(),
      ]);
      assert.ok(t!.y + t!.height <= l!.y, "above the launcher");
      // (within its entrance animation's few pixels of scale)
      assert.ok(Math.abs(t!.x + t!.width - (l!.x + l!.width)) < 5, JSON.stringify([t, l]));

      // Shown, it has stored nothing and authenticated no one (SPEC v2.4).
      assert.deepEqual(await storage(page), { local: {}, session: {}, cookie: "" });
      assert.ok(!asked.includes("/embed/auth"), "no /embed/auth before the chat opens");
      assert.equal(await page.locator("parley-widget iframe").count(), 0);
      const problems = await axeProblems(page);
      assert.equal(problems.length, 0, describe(problems));

      // Closed: gone, focus on the launcher, and only the dismissal is remembered (this tab).
      await teaser.getByRole("button", { name: "Dismiss message" }).focus();
      await page.keyboard.press("Enter");
      await teaser.waitFor({ state: "detached" });
      assert.equal(
        await page.evaluate(() =>
          document.querySelector("parley-widget")?.shadowRoot?.activeElement?.className
        ),
        "l",
      );
      assert.deepEqual(await storage(page), {
        local: {},
        session: { [`parley:${env.widgetId}`]: '{"t":1}' },
        cookie: "",
      });
      assert.ok(!asked.includes("/embed/auth"));

      // The same tab, reloaded: no teaser (its module is not even fetched).
      asked.length = 0;
      await page.reload();
      await launcherReady(page);
      await page.waitForTimeout(3000);
      assert.equal(await teaser.count(), 0);
      assert.ok(!asked.includes("/embed/teaser.js"), asked.join(" "));
      // The keyboard still presses the launcher (the host's Escape handler cancels nothing else).
      await page.locator("parley-widget .l").focus();
      await page.keyboard.press("Enter");
      await page.waitForSelector("parley-widget[open]", { state: "attached" });

      // Another tab: the teaser again; a click on it opens the chat, and it does not come back.
      const other = await env.browser.page();
      await other.page.goto(env.host.url + "/");
      const otherTeaser = other.page.locator("parley-widget [data-teaser]");
      await otherTeaser.getByRole("button", { name: text }).click();
      await other.page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      await chatReady(other.page);
      assert.equal(await otherTeaser.count(), 0);
      await other.page.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.close());
      await other.page.reload();
      await launcherReady(other.page);
      await other.page.waitForTimeout(3000);
      assert.equal(await otherTeaser.count(), 0, "not after the chat was opened in this tab");
      assert.deepEqual([...errors, ...other.errors], []);
    } finally {
      await env.close();
    }
  },
);

browserTest(
  "loader: two script tags with different widget ids make two independent widgets; parley.get(id) returns each, rtlChatWidget is the first",
  async () => {
    const env = await setup({ agent: createDemoAgent({ delayMs: 0 }) });
    try {
      const { widget: billing } = await createAgentAndWidget(env.server.t, env.adminToken, {
        allowedDomains: ["localhost"],
        headerText: "Billing desk",
        welcomeMessage: "Billing here. What can we sort out?",
        position: "bottom-left",
      });
      const a = env.widgetId, b = billing.id;
      // In order (not async), so which one is first is certain.
      env.host.set(
        "/",
        hostPage({ serverUrl: env.server.url, times: 0 }).replace(
          "</body>",
          `<script src="${env.server.url}/embed/widget.js?id=${a}"></script>` +
            `<script src="${env.server.url}/embed/widget.js?id=${b}"></script>` +
            // Included again: still two widgets.
            `<script src="${env.server.url}/embed/widget.js?id=${b}"></script></body>`,
        ),
      );
      const { page, errors } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await recordAll(page, [a, b]);
      await page.waitForFunction(() =>
        document.querySelectorAll("parley-widget[data-pos]").length === 2
      );
      const apis = await page.evaluate(({ a, b }) => {
        const w = window as unknown as ParleyWindow;
        return {
          a: w.parley.get(a)?.widgetId,
          b: w.parley.get(b)?.widgetId,
          none: w.parley.get("nope") ?? null,
          first: w.rtlChatWidget === w.parley.get(a),
        };
      }, { a, b });
      assert.deepEqual(apis, { a, b, none: null, first: true });

      // Each mounts when its own configuration arrives, in either order: B is the one on the left.
      const hostB = page.locator('parley-widget[data-pos="bottom-left"]');
      assert.equal(await page.locator('parley-widget[data-pos="bottom-right"]').count(), 1);
      // Open A and talk there; B stays closed, without a frame.
      await page.evaluate((a) => (window as unknown as ParleyWindow).parley.get(a)!.open(), a);
      await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      const frameA = page.frameLocator('parley-widget[data-pos="bottom-right"] iframe');
      await frameA.locator('.pw[data-status="ready"]').waitFor();
      await send(page, "About my order");
      await frameA.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
      assert.equal(await hostB.locator("iframe").count(), 0);
      assert.equal(await hostB.getAttribute("open"), null);

      // Open B by its launcher: its own header and welcome, none of A's conversation.
      await hostB.locator(".l").click();
      await page.waitForFunction(() =>
        document.querySelectorAll("parley-widget[open][ready]").length === 2
      );
      const frameB = page.frameLocator('parley-widget[data-pos="bottom-left"] iframe');
      await frameB.locator('.pw[data-status="ready"]').waitFor();
      assert.equal(await frameB.locator(".header-title").textContent(), "Billing desk");
      await frameB.getByText("Billing here. What can we sort out?").waitFor();
      assert.equal(await frameB.getByText("About my order").count(), 0);

      // Closing one leaves the other open; each API speaks for its own widget only.
      await page.evaluate((a) => (window as unknown as ParleyWindow).parley.get(a)!.close(), a);
      await page.waitForFunction(() =>
        document.querySelectorAll("parley-widget[open]").length === 1
      );
      assert.notEqual(await hostB.getAttribute("open"), null);
      const opens = (await events(page)).filter((e) => e.name === "open" || e.name === "close")
        .map((e) => `${e.widget === a ? "a" : "b"}:${e.name}`);
      assert.deepEqual(opens, ["a:open", "b:open", "a:close"]);

      // Destroyed, B leaves the registry; A is still the first and still works.
      const after = await page.evaluate(({ a, b }) => {
        const w = window as unknown as ParleyWindow;
        w.parley.get(b)!.destroy();
        w.parley.get(a)!.open();
        return {
          b: w.parley.get(b) ?? null,
          widgets: document.querySelectorAll("parley-widget").length,
          first: w.rtlChatWidget === w.parley.get(a),
        };
      }, { a, b });
      assert.deepEqual(after, { b: null, widgets: 1, first: true });
      await page.waitForSelector("parley-widget[open]", { state: "attached" });
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);

browserTest("loader: a phone call fires callStart then callEnd with the call", async () => {
  const env = await setup({
    agent: createDemoAgent({
      delayMs: 0,
      callTimings: { startedMs: 300, endedMs: 1500, analyzedMs: 1800 },
    }),
    widget: { voiceMode: "phone", phoneCountries: ["US"] },
  });
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    const { page, errors } = await env.browser.page();
    await page.goto(env.host.url + "/");
    await recordAll(page, [env.widgetId]);
    await openWidget(page);
    const f = frameOf(page);
    await f.getByRole("button", { name: "Talk by voice" }).click();
    await f.getByLabel("Your phone number").fill("+1 (415) 555-2671");
    await f.getByRole("button", { name: "Call me" }).click();
    await page.waitForFunction(() =>
      (window as unknown as ParleyWindow).__events.some((e) => e.name === "callEnd")
    );
    const calls = (await events(page)).filter((e) =>
      ["callStart", "callEnd", "modeChange"].includes(e.name)
    );
    assert.deepEqual(calls.map((e) => e.name), [
      "modeChange",
      "callStart",
      "callEnd",
      "modeChange",
    ]);
    const [start, end] = calls.filter((e) => e.name !== "modeChange").map((e) =>
      e.detail as { id: string; kind: string }
    );
    assert.equal(start.kind, "phone");
    assert.match(start.id, /^[0-9a-f-]{36}$/);
    assert.deepEqual(end, start);
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

browserTest(
  "loader: the launcher's labels speak the page's language (French, Arabic)",
  async () => {
    const env = await setup();
    try {
      // French from the browser's language; Arabic from the page's pre-set locale.
      env.host.set("/fr", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      env.host.set(
        "/ar",
        hostPage({
          serverUrl: env.server.url,
          preset: {
            widgetId: env.widgetId,
            config: { locale: "ar", teaser: { text: "هل لديك سؤال؟ نحن هنا.", delaySeconds: 0 } },
          },
        }),
      );
      const context = await env.browser.browser.newContext({ locale: "fr-FR" });
      try {
        const page = await context.newPage();
        await page.goto(env.host.url + "/fr");
        await launcherReady(page);
        const launcher = page.locator("parley-widget .l");
        assert.equal(await launcher.getAttribute("aria-label"), "Ouvrir le chat");
        await openWidget(page);
        assert.equal(await launcher.getAttribute("aria-label"), "Fermer le chat");
      } finally {
        await context.close();
      }
      const { page, errors } = await env.browser.page();
      await page.goto(env.host.url + "/ar");
      await launcherReady(page);
      const launcher = page.locator("parley-widget .l");
      assert.equal(await launcher.getAttribute("aria-label"), "فتح المحادثة");
      const teaser = page.locator("parley-widget [data-teaser]");
      await teaser.getByRole("button", { name: "إغلاق الرسالة" }).waitFor();
      const problems = await axeProblems(page);
      assert.equal(problems.length, 0, describe(problems));
      await openWidget(page);
      assert.equal(await launcher.getAttribute("aria-label"), "إغلاق المحادثة");
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);

browserTest(
  "loader: the teaser in light and dark, desktop and phone, left-to-right and Arabic",
  async () => {
    const env = await setup({ widget: { themeColor: "#4F46E5" } });
    try {
      const cases = [
        {
          name: "en",
          locale: "en",
          text: "Questions about pricing or plans? We reply in seconds.",
        },
        { name: "ar", locale: "ar", text: "هل لديك سؤال عن الأسعار أو الباقات؟ نرد خلال ثوانٍ." },
      ];
      for (const c of cases) {
        for (const scheme of ["light", "dark"]) {
          for (const phone of [false, true]) {
            const path = `/${c.name}-${scheme}-${phone ? "phone" : "desktop"}`;
            env.host.set(
              path,
              hostPage({
                serverUrl: env.server.url,
                preset: {
                  widgetId: env.widgetId,
                  config: {
                    locale: c.locale,
                    colorScheme: scheme,
                    teaser: { text: c.text, delaySeconds: 0 },
                  },
                },
                head: scheme === "dark"
                  ? "<style>body{background:#111827;color:#e5e7eb;font-family:system-ui}a{color:#93c5fd}</style>"
                  : "<style>body{font-family:system-ui}</style>",
              }).replace(
                '<html lang="en">',
                `<html lang="${c.locale}" dir="${c.locale === "ar" ? "rtl" : "ltr"}">`,
              ),
            );
            const { page, errors } = await env.browser.page({
              viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
            });
            await page.goto(env.host.url + path);
            const teaser = page.locator("parley-widget [data-teaser]");
            await teaser.waitFor();
            const problems = await axeProblems(page);
            assert.equal(problems.length, 0, `${path}: ${describe(problems)}`);
            // Inside the viewport, whatever its width.
            const box = (await teaser.boundingBox())!;
            const width = phone ? 390 : 1280;
            assert.ok(box.x >= 0 && box.x + box.width <= width, `${path}: ${JSON.stringify(box)}`);
            if (UPDATE_SCREENSHOTS) {
              await page.screenshot({
                path: new URL(`teaser${path.replaceAll("/", "-")}.png`, DOCS).pathname,
              });
            }
            assert.deepEqual(errors, []);
            await page.close();
          }
        }
      }
    } finally {
      await env.close();
    }
  },
);
