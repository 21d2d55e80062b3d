/**
 * Phone calls opt-in, in a real Chromium (SPEC v2.1, #13): the owner picks the countries in the
 * widget editor (a searchable list, the likely country first, saving phone calls without one is
 * refused), and the visitor's phone field offers only those and says why a number is refused.
 * `SCREENSHOTS_DIR=/tmp/x` also writes pictures of both for a person to look at.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, ensureBuilt, hostPage, launchBrowser } from "../helpers/browser.ts";
import { serveApp } from "../helpers/server.ts";
import { startApp } from "../helpers/test_app.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import { getWidgetById } from "../../db/queries/widgets.ts";
import { frameOf, openWidget, setup } from "./widget_env.ts";

const SHOTS = Deno.env.get("SCREENSHOTS_DIR");

async function shot(page: Page, name: string) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
}

browserTest(
  "admin: the widget editor's phone countries, searchable, likely country first",
  async () => {
    await ensureBuilt();
    const server = await serveApp(await startApp("pglite"));
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.setExtraHTTPHeaders({ "accept-language": "fr-FR,fr;q=0.9" });
      await page.goto(`${server.url}/admin/signup`);
      await page.getByLabel("Organization").fill("Acme");
      await page.getByLabel("Work email").fill(`o-${crypto.randomUUID().slice(0, 8)}@acme.test`);
      await page.getByLabel("Password").fill("correct horse battery");
      await page.getByRole("button", { name: "Create account" }).click();
      await page.waitForURL(/\/admin\/agents\/new/);
      await page.getByRole("textbox", { name: "Name", exact: true }).fill("Acme assistant");
      await page.getByRole("button", { name: "Create agent" }).click();
      await page.waitForURL(/\/admin\/agents\?notice=created$/);
      await page.goto(`${server.url}/admin/widgets/new`);
      await page.waitForSelector("html[data-hydrated]", { state: "attached" });
      await page.getByRole("textbox", { name: "Name", exact: true }).fill("Acme website");

      // The likely country (from the browser's language here) comes first, marked.
      const first = page.locator(".country-list li").first();
      assert.match(await first.innerText(), /France/);
      assert.match(await first.innerText(), /Your country/);
      assert.match(await page.locator("#f-phoneCountries-hint").innerText(), /bills you/);

      // Phone calls without a country are refused, with the reason next to the list.
      await page.getByLabel("Voice calls").selectOption("both");
      await page.getByRole("button", { name: "Create widget" }).click();
      await page.locator(".error-text", { hasText: "Choose at least one country" }).waitFor();

      // Searching filters by name, code or calling code; ticking keeps the choice.
      await page.waitForSelector("html[data-hydrated]", { state: "attached" });
      await page.getByLabel("Search countries").fill("canad");
      assert.equal(await page.locator(".country-list li:not([hidden])").count(), 1);
      await page.getByLabel(/Canada/).check();
      await page.getByLabel("Search countries").fill("+44");
      await page.getByLabel(/United Kingdom/).check();
      await page.getByLabel("Search countries").fill("");
      await page.getByText("2 selected: CA, GB").waitFor();
      await shot(page, "admin-phone-countries");
      await page.getByRole("button", { name: "Create widget" }).click();
      await page.waitForURL(/\/admin\/widgets\/([0-9a-f-]{36})\?notice=created$/);
      const id = /\/admin\/widgets\/([0-9a-f-]{36})/.exec(page.url())![1];
      const saved = await getWidgetById(server.t.deps.database.db, id);
      assert.equal(saved?.voiceMode, "both");
      assert.deepEqual(saved?.phoneCountries.toSorted(), ["CA", "GB"]);
      // The editor shows the saved countries first.
      assert.match(
        await page.locator(".country-list li").first().innerText(),
        /Canada|United Kingdom/,
      );
    } finally {
      await browser.close();
      await server.close();
    }
  },
);

browserTest(
  "widget: the phone field offers only the allowed countries and says why a number is refused",
  async () => {
    const env = await setup({
      agent: createDemoAgent({ delayMs: 0 }),
      widget: { voiceMode: "phone", phoneCountries: ["GB", "FR"] },
    });
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page, errors } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await openWidget(page);
      const f = frameOf(page);
      await f.getByRole("button", { name: "Talk by voice" }).click();
      await f.locator(".voice-panel").waitFor();
      const options = await f.getByLabel("Country").locator("option").allInnerTexts();
      assert.equal(options.length, 2);
      assert.ok(options.some((o) => /France.*\+33/.test(o)), options.join("|"));
      assert.ok(options.some((o) => /United Kingdom.*\+44/.test(o)), options.join("|"));

      // A number of a country not offered is refused in the frame, naming the ones that are.
      await f.getByLabel("Your phone number").fill("+1 415 555 2671");
      await f.getByRole("button", { name: "Call me" }).click();
      await f.getByRole("alert").filter({ hasText: "We can only call numbers in" }).waitFor();

      // A premium-rate number is refused by the server, which says why.
      await f.getByLabel("Country").selectOption("GB");
      await f.getByLabel("Your phone number").fill("0871 234 5678");
      await f.getByRole("button", { name: "Call me" }).click();
      await f.getByRole("alert").filter({ hasText: "Premium-rate numbers cannot be called" })
        .waitFor();
      await shot(page, "frame-phone-refused");
      assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
    } finally {
      await env.close();
    }
  },
);
