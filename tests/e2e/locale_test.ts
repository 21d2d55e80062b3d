/**
 * The widget in the visitor's language, in a real Chromium with the host page on another origin:
 * a page's pre-set `locale` (Arabic: right to left, mirrored) and, without one, the browser's own
 * language (French). Both pass axe-core; the voice screens follow the chat's language.
 */
import assert from "node:assert/strict";
import { browserTest, hostPage } from "../helpers/browser.ts";
import { axeProblems, describe, widgetFrame } from "../helpers/axe.ts";
import { frameOf, openWidget, send, setup } from "./widget_env.ts";
import { createDemoAgent } from "../../agents/demo.ts";

const UPDATE_SCREENSHOTS = Deno.env.get("UPDATE_SCREENSHOTS") === "1";
const DOCS = new URL("../../docs/", import.meta.url);

browserTest("locale: a page pre-set to Arabic gets a right-to-left chat in Arabic", async () => {
  const env = await setup({ agent: createDemoAgent({ delayMs: 0 }), widget: { voiceMode: "web" } });
  try {
    env.host.set(
      "/",
      hostPage({
        serverUrl: env.server.url,
        preset: { widgetId: env.widgetId, config: { locale: "ar" } },
      }),
    );
    const { page, errors } = await env.browser.page();
    await page.goto(env.host.url + "/");
    await openWidget(page);
    const f = frameOf(page);
    assert.equal(await f.locator("html").getAttribute("lang"), "ar");
    assert.equal(await f.locator("html").getAttribute("dir"), "rtl");
    assert.equal(await f.locator("textarea").getAttribute("placeholder"), "اكتب رسالة…");
    await send(page, "مرحبا");
    await f.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
    // Mirrored: the visitor's bubble sits on the left, the assistant's on the right.
    const [user, agent] = await Promise.all(
      [".msg-user .bubble", ".msg-agent .bubble"].map((s) =>
        f.locator(s).last().evaluate((el) => el.getBoundingClientRect().left)
      ),
    );
    assert.ok(user < agent, `user bubble at ${user}, agent bubble at ${agent}`);
    const frame = await widgetFrame(page);
    if (UPDATE_SCREENSHOTS) {
      await page.screenshot({ path: new URL("widget-ar.png", DOCS).pathname });
    }
    const problems = await axeProblems(frame);
    assert.equal(problems.length, 0, describe(problems));

    await f.getByRole("button", { name: "التحدث صوتيًا" }).click();
    await f.getByRole("heading", { name: "المتابعة صوتيًا" }).waitFor();
    const voiceProblems = await axeProblems(frame);
    assert.equal(voiceProblems.length, 0, describe(voiceProblems));
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

browserTest("locale: without a pre-set locale the chat speaks the browser's language", async () => {
  const env = await setup();
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    const context = await env.browser.browser.newContext({ locale: "fr-FR" });
    try {
      const page = await context.newPage();
      await page.goto(env.host.url + "/");
      await openWidget(page);
      const f = frameOf(page);
      assert.equal(await f.locator("html").getAttribute("lang"), "fr");
      assert.equal(await f.locator("html").getAttribute("dir"), "ltr");
      assert.equal(await f.locator("textarea").getAttribute("placeholder"), "Écrivez un message…");
      await f.getByRole("button", { name: "Envoyer le message" }).waitFor();
      if (UPDATE_SCREENSHOTS) {
        await page.screenshot({ path: new URL("widget-fr.png", DOCS).pathname });
      }
    } finally {
      await context.close();
    }
  } finally {
    await env.close();
  }
});
