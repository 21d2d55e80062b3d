/**
 * The visitor's extras in the widget (SPEC v2.4), in a real Chromium with the host page on another
 * origin: the pre-chat form (errors under each field, the client's checks then the server's, the
 * lead stored), the rating at the end (keyboard only, pointer, and the 409 of a second rating),
 * and the header menu (the transcript downloaded as a file, the conversation deleted after a
 * confirmation, the frame usable again). Everything is checked through the admin API too.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { browserTest, hostPage } from "../helpers/browser.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import { type Env, frameOf, openWidget, send, setup } from "./widget_env.ts";

const FORM = {
  fields: [
    { name: "name", required: true },
    { name: "email", required: true },
    { name: "phone", required: false },
  ],
  consentText: "I agree that Acme may contact me about my request.",
};

/** The conversation as the admin API shows it. */
async function adminSession(env: Env, id: string) {
  return await env.server.t.get(`/api/chat/sessions/${id}`, env.adminToken);
}

async function sessionId(page: Page): Promise<string> {
  const pw = frameOf(page).locator(".pw");
  await pw.and(frameOf(page).locator(".pw:not([data-session=''])")).waitFor();
  return (await pw.getAttribute("data-session"))!;
}

/** The id of the focused element inside the frame. */
const focusedId = (page: Page) =>
  frameOf(page).locator("body").evaluate(() => document.activeElement?.id ?? "");

/** Sends a message, waits for the answer, then ends the conversation from the header. */
async function chatThenEnd(page: Page) {
  const f = frameOf(page);
  await send(page, "Do you ship to Canada?");
  await f.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
  await f.getByRole("button", { name: "End conversation" }).click();
  await f.getByRole("alertdialog").getByRole("button", { name: "End chat" }).click();
  await f.getByRole("heading", { name: "How was this conversation?" }).waitFor();
}

browserTest("pre-chat form: errors under each field, then the lead is stored", async () => {
  const env = await setup({
    agent: createDemoAgent({ delayMs: 0 }),
    widget: { preChatForm: FORM },
  });
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    const { page, errors } = await env.browser.page();
    const leadStatuses: number[] = [];
    page.on("response", (r) => {
      if (r.url().endsWith("/lead")) leadStatuses.push(r.status());
    });
    await page.goto(env.host.url + "/");
    await openWidget(page);
    const f = frameOf(page);
    await f.getByRole("heading", { name: "Before we start" }).waitFor();
    assert.equal(await f.locator("textarea").count(), 0, "no composer before the form");
    const name = f.getByLabel("Name"), email = f.getByLabel("Email");
    const phone = f.getByLabel("Phone number");
    const consent = f.getByLabel(FORM.consentText);
    assert.equal(await name.getAttribute("required"), "");
    assert.equal(await phone.getAttribute("required"), null);

    // Nothing filled in: each required field says so, and the first takes the focus.
    await f.getByRole("button", { name: "Start the chat" }).click();
    await f.getByText("Please enter your name.").waitFor();
    assert.equal(await name.getAttribute("aria-invalid"), "true");
    assert.equal(await name.getAttribute("aria-describedby"), "pc-name-error");
    assert.equal(
      await f.locator("#pc-email-error").textContent(),
      "Please enter your email address.",
    );
    assert.equal(await f.locator("#pc-consent-error").textContent(), "Please agree to continue.");
    assert.equal(await consent.getAttribute("aria-describedby"), "pc-consent-error");
    assert.equal(await focusedId(page), "pc-name");

    // A malformed email and phone, caught before anything is sent.
    await name.fill("Ada Lovelace");
    await email.fill("ada@");
    await phone.fill("0612");
    await consent.check();
    await f.getByRole("button", { name: "Start the chat" }).click();
    await f.getByText("Enter an email address like name@example.com.").waitFor();
    assert.match(await phone.getAttribute("aria-describedby") ?? "", /pc-phone-error/);
    assert.equal(await name.getAttribute("aria-invalid"), null);
    assert.deepEqual(leadStatuses, []);

    // Shaped like E.164 but no real number: the server says so, under the same field.
    await email.fill("Ada@Example.com");
    await phone.fill("+1 000 000 0000");
    await f.getByRole("button", { name: "Start the chat" }).click();
    await f.locator("#pc-phone-error").waitFor();
    assert.deepEqual(leadStatuses, [400]);
    assert.equal(await phone.getAttribute("aria-invalid"), "true");
    assert.equal(await focusedId(page), "pc-phone");

    await phone.fill("+1 (415) 555-2671");
    await f.getByRole("button", { name: "Start the chat" }).click();
    await f.locator("textarea").waitFor();
    assert.deepEqual(leadStatuses, [400, 201]);
    assert.equal(await f.locator(".prechat").count(), 0);
    assert.equal(
      await f.locator("textarea").evaluate((el) => el === document.activeElement),
      true,
      "the composer takes the focus after the form",
    );

    const id = await sessionId(page);
    const res = await adminSession(env, id);
    assert.equal(res.status, 200);
    const { lead } = await res.json();
    assert.equal(lead.name, "Ada Lovelace");
    assert.equal(lead.email, "ada@example.com");
    assert.equal(lead.phone, "+14155552671");
    assert.equal(lead.consent, true);
    assert.equal(lead.consentText, FORM.consentText);

    // The chat goes on in the same conversation, and a reload does not ask again.
    await send(page, "Hello after the form");
    await f.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
    assert.equal(await sessionId(page), id);
    await page.reload();
    await openWidget(page);
    await f.locator('.msg-user[data-status="sent"]').first().waitFor();
    assert.equal(await f.locator(".prechat").count(), 0);
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

browserTest("rating: five stars by keyboard alone, with a comment, stored once", async () => {
  const env = await setup({ agent: createDemoAgent({ delayMs: 0 }) });
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    const { page, errors } = await env.browser.page();
    await page.goto(env.host.url + "/");
    await openWidget(page);
    const f = frameOf(page);
    await chatThenEnd(page);
    const id = await sessionId(page);
    const stars = f.getByRole("radiogroup", { name: "Your rating" }).getByRole("radio");
    assert.equal(await stars.count(), 5);
    const checked = async () =>
      (await stars.evaluateAll((els) => els.map((e) => e.getAttribute("aria-checked"))))
        .indexOf("true") + 1;

    // Only the first star is in the tab order until one is chosen.
    await stars.first().focus();
    assert.equal(await checked(), 0);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("ArrowRight");
    assert.equal(await checked(), 4);
    await page.keyboard.press("End");
    assert.equal(await checked(), 5);
    await page.keyboard.press("Home");
    assert.equal(await checked(), 1);
    await page.keyboard.press("ArrowLeft");
    assert.equal(await checked(), 5, "arrows wrap around");
    await page.keyboard.press("ArrowUp");
    assert.equal(await checked(), 4);
    assert.equal(await stars.nth(3).getAttribute("tabindex"), "0");
    assert.equal(await f.locator(".rating-word").textContent(), "Good");
    await page.keyboard.press("Tab");
    await page.keyboard.type("Quick and clear answers.");
    await page.keyboard.press("Tab"); // Skip
    await page.keyboard.press("Tab"); // Send feedback
    await page.keyboard.press("Enter");
    await f.getByRole("heading", { name: "Thank you for your feedback!" }).waitFor();

    const { rating } = await (await adminSession(env, id)).json();
    assert.equal(rating.score, 4);
    assert.equal(rating.comment, "Quick and clear answers.");

    // Back to the composer, which starts a new conversation; the rating is not asked again.
    // Focus is on "Start a new conversation" as soon as the thank-you shows.
    assert.equal(await f.locator(".rating-done button:focus").count(), 1);
    await page.keyboard.press("Enter");
    await f.locator("textarea").waitFor();
    assert.equal(await f.locator(".rating").count(), 0);
    assert.equal(await f.locator("textarea").evaluate((el) => el === document.activeElement), true);
    assert.deepEqual(errors, []);
  } finally {
    await env.close();
  }
});

browserTest(
  "rating: the pointer previews and chooses; a second rating reads 'already rated'",
  async () => {
    const env = await setup({ agent: createDemoAgent({ delayMs: 0 }) });
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page, errors } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await openWidget(page);
      const f = frameOf(page);
      await chatThenEnd(page);
      const id = await sessionId(page);
      const stars = f.locator(".star");
      await stars.nth(2).hover();
      assert.equal(await f.locator(".star[data-on]").count(), 3);
      assert.equal(await f.locator(".rating-word").textContent(), "Okay");
      await f.locator(".rating-word").hover();
      assert.equal(await f.locator(".star[data-on]").count(), 0, "the preview ends with the hover");

      // Sending without a choice asks for one.
      await f.getByRole("button", { name: "Send feedback" }).click();
      await f.getByRole("alert").getByText("Choose a number of stars first.").waitFor();

      // The same visitor in a second tab rates first.
      const second = await env.browser.page();
      await second.page.goto(env.host.url + "/");
      await openWidget(second.page);
      const f2 = frameOf(second.page);
      await f2.getByRole("heading", { name: "How was this conversation?" }).waitFor();
      await f2.getByRole("radio", { name: "2 stars" }).click();
      await f2.getByRole("button", { name: "Send feedback" }).click();
      await f2.getByRole("heading", { name: "Thank you for your feedback!" }).waitFor();

      await stars.nth(4).click();
      assert.equal(
        await f.getByRole("radio", { name: "5 stars, Excellent" }).getAttribute("aria-checked"),
        "true",
      );
      await f.getByRole("button", { name: "Send feedback" }).click();
      await f.getByRole("heading", { name: "You've already rated this conversation. Thank you!" })
        .waitFor();
      const { rating } = await (await adminSession(env, id)).json();
      assert.equal(rating.score, 2);
      assert.equal(rating.comment, null);
      assert.deepEqual([...errors, ...second.errors], []);
    } finally {
      await env.close();
    }
  },
);

browserTest("rating: Skip brings the composer back without rating", async () => {
  const env = await setup({ agent: createDemoAgent({ delayMs: 0 }) });
  try {
    env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
    const { page } = await env.browser.page();
    await page.goto(env.host.url + "/");
    await openWidget(page);
    const f = frameOf(page);
    await chatThenEnd(page);
    const id = await sessionId(page);
    await f.getByRole("button", { name: "Skip" }).click();
    await f.locator("textarea").waitFor();
    const { rating } = await (await adminSession(env, id)).json();
    assert.equal(rating, null);
  } finally {
    await env.close();
  }
});

browserTest(
  "menu: the transcript downloads as a file; deletion asks, deletes and starts afresh",
  async () => {
    const env = await setup({ agent: createDemoAgent({ delayMs: 0 }) });
    try {
      env.host.set("/", hostPage({ serverUrl: env.server.url, widgetId: env.widgetId }));
      const { page, errors } = await env.browser.page();
      await page.goto(env.host.url + "/");
      await openWidget(page);
      const f = frameOf(page);
      await send(page, "What are your opening hours?");
      await f.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
      const id = await sessionId(page);

      // The first transcript answers slower than a click's user activation lasts (5 s in
      // Chromium), after which the browser refuses a download from this cross-origin frame.
      let picked!: () => void;
      const pick = new Promise<void>((resolve) => picked = resolve);
      let slow = true;
      await page.route(/\/transcript\?format=text$/, async (route) => {
        if (slow) await pick.then(() => new Promise((resolve) => setTimeout(resolve, 6_000)));
        slow = false;
        await route.continue();
      });

      // Menu button semantics: the first item takes the focus; arrows wrap; Escape returns.
      const more = f.getByRole("button", { name: "More options" });
      assert.equal(await more.getAttribute("aria-haspopup"), "menu");
      await more.click();
      const menu = f.getByRole("menu");
      await menu.waitFor();
      assert.equal(await more.getAttribute("aria-expanded"), "true");
      const items = menu.getByRole("menuitem");
      assert.deepEqual(await items.allTextContents(), [
        "Talk to a person",
        "Download transcript",
        "Delete my conversation",
      ]);
      const focusedText = () =>
        f.locator("body").evaluate(() => document.activeElement?.textContent ?? "");
      assert.equal(await focusedText(), "Talk to a person");
      await page.keyboard.press("ArrowDown");
      assert.equal(await focusedText(), "Download transcript");
      await page.keyboard.press("ArrowUp");
      await page.keyboard.press("ArrowUp");
      assert.equal(await focusedText(), "Delete my conversation", "arrows wrap around");
      await page.keyboard.press("Home");
      assert.equal(await focusedText(), "Talk to a person");
      await page.keyboard.press("End");
      assert.equal(await focusedText(), "Delete my conversation");
      await page.keyboard.press("Escape");
      await menu.waitFor({ state: "detached" });
      assert.equal(await focusedId(page), "pw-more");
      assert.equal(await more.getAttribute("aria-expanded"), "false");
      assert.equal(
        await page.locator("parley-widget[open]").count(),
        1,
        "Escape closed only the menu",
      );

      // The transcript, fetched with the visitor's token, saved from the cross-origin frame.
      await page.keyboard.press("Enter");
      await menu.waitFor();
      await page.keyboard.press("ArrowDown");
      // Picked at once, it is still on its way when the activation lapses: the visitor is asked
      // to try again rather than left with nothing, and the next pick finds it ready.
      const answered = page.waitForEvent("requestfinished", {
        predicate: (r) => r.url().endsWith("/transcript?format=text"),
        timeout: 30_000,
      });
      await page.keyboard.press("Enter");
      picked();
      // Nothing is asked of the page until the frame has had the answer for a while: Playwright's
      // evaluations count as user gestures, and one made before the frame tries to save the file
      // would lend it an activation (a loaded CI machine took more than a second).
      await answered;
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      await f.getByText("We couldn't download the transcript. Please try again.")
        .waitFor({ timeout: 15_000 });
      await more.click();
      await menu.waitFor();
      await page.keyboard.press("ArrowDown");
      const [download] = await Promise.all([
        page.waitForEvent("download", { timeout: 10_000 }),
        page.keyboard.press("Enter"),
      ]);
      assert.match(download.suggestedFilename(), /^conversation-\d{4}-\d{2}-\d{2}\.txt$/);
      const text = await Deno.readTextFile((await download.path())!);
      assert.match(text, /What are your opening hours\?/);
      assert.match(text, /Welcome to Acme! How can we help\?/);

      // "Talk to a person" asks the team once; then the menu no longer offers it.
      await more.click();
      await items.first().click();
      await f.locator(".msg-system", { hasText: "A teammate has been asked to join" }).waitFor();
      assert.notEqual((await (await adminSession(env, id)).json()).handoffRequestedAt, null);
      await more.click();
      await menu.waitFor();
      assert.deepEqual(await items.allTextContents(), [
        "Download transcript",
        "Delete my conversation",
      ]);
      await page.keyboard.press("Escape");

      // Deletion: a modal confirmation; Escape cancels it, then it is confirmed.
      await more.click();
      await items.nth(1).click();
      const dialog = f.getByRole("alertdialog", { name: "Delete your conversation?" });
      await dialog.waitFor();
      assert.equal(await dialog.getAttribute("aria-modal"), "true");
      assert.equal(await focusedText(), "Cancel");
      await page.keyboard.press("Tab");
      await page.keyboard.press("Tab");
      assert.equal(await focusedText(), "Cancel", "the focus stays in the dialog");
      await page.keyboard.press("Escape");
      await dialog.waitFor({ state: "detached" });
      assert.equal(await focusedId(page), "pw-more");
      assert.equal((await adminSession(env, id)).status, 200);

      await more.click();
      await items.nth(1).click();
      await dialog.getByRole("button", { name: "Delete" }).click();
      await f.getByText("Your conversation was deleted.").waitFor();
      await f.getByText("Welcome to Acme! How can we help?").waitFor();
      assert.equal(await f.getByText("What are your opening hours?").count(), 0);
      assert.equal((await adminSession(env, id)).status, 404);

      // Usable again, as a new visitor in a new conversation.
      await send(page, "Starting over");
      await f.locator('.msg-agent[data-status="sent"]').nth(1).waitFor();
      const next = await sessionId(page);
      assert.notEqual(next, id);
      const fresh = await (await adminSession(env, next)).json();
      const old = await env.server.t.get(`/api/chat/sessions?limit=50`, env.adminToken);
      const ids = (await old.json()).sessions.map((s: { id: string }) => s.id);
      assert.deepEqual(ids, [next]);
      assert.ok(fresh.visitorId);
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);
