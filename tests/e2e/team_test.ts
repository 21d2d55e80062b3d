/**
 * People in the loop in a real Chromium against the real server: the owner invites a member from
 * the Team page, the member signs up through the copied link (and sees only the inbox), a
 * visitor on another origin asks for a person, and the member takes over and answers; the
 * visitor's frame shows the teammate's name, initials, typing and the header's change. PGlite
 * only, to keep the run short.
 */
import assert from "node:assert/strict";
import type { FrameLocator, Page } from "playwright-core";
import { BROWSER_MISSING, ensureBuilt, launchBrowser, serveHostPages } from "../helpers/browser.ts";
import { serveApp } from "../helpers/server.ts";
import { createAgentAndWidget, startApp, uniqueEmail } from "../helpers/test_app.ts";
import { createDemoAgent } from "../../agents/demo.ts";

const hydrated = (page: Page) => page.waitForSelector("html[data-hydrated]", { state: "attached" });
const frame = (page: Page): FrameLocator => page.frameLocator("parley-widget iframe");

async function signIn(page: Page, base: string, email: string, password: string) {
  await page.goto(`${base}/admin/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/admin\/conversations$/);
}

Deno.test({
  name: "team: an invited member signs in, takes over a handoff and answers in the visitor's frame",
  ignore: !!BROWSER_MISSING,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    await ensureBuilt();
    const server = await serveApp(
      await startApp("pglite", { agent: createDemoAgent({ delayMs: 200 }) }),
    );
    const browser = await launchBrowser();
    const host = await serveHostPages();
    try {
      const t = server.t;
      const ownerEmail = uniqueEmail("owner");
      const reg = await (await t.post("/api/auth/register", {
        email: ownerEmail,
        password: "correct horse battery",
        organizationName: "Acme Inc.",
        name: "Olivia Owner",
      })).json();
      const { widget } = await createAgentAndWidget(t, reg.token, {
        headerText: "Chat with Acme",
        allowedDomains: ["localhost"],
      }, { name: "Acme assistant" });

      // The owner invites a member from the Team page and copies the link.
      const { page: owner, errors: ownerErrors } = await browser.page();
      await signIn(owner, server.url, ownerEmail, "correct horse battery");
      await owner.getByRole("link", { name: "Team" }).click();
      await owner.waitForURL(/\/admin\/team$/);
      const memberEmail = uniqueEmail("sam");
      await owner.getByLabel("Email").fill(memberEmail);
      await owner.getByLabel("Role").selectOption("member");
      await owner.getByRole("button", { name: "Create invite link" }).click();
      const link = await owner.getByLabel(`Invite link for ${memberEmail}`).inputValue();
      assert.match(link, new RegExp(`^${server.url}/admin/invite\\?token=`));
      await owner.getByRole("cell", { name: memberEmail }).waitFor();

      // The member joins through the link, in a browser profile of their own.
      const memberContext = await browser.browser.newContext();
      memberContext.setDefaultTimeout(60_000);
      const member = await memberContext.newPage();
      const memberErrors: string[] = [];
      member.on("pageerror", (e) => memberErrors.push(e.message));
      await member.goto(link);
      await member.getByText(memberEmail).waitFor();
      await member.getByLabel("Your name").fill("Sam Rivera");
      await member.getByLabel("Password").fill("teammate password");
      await member.getByRole("button", { name: "Join the team" }).click();
      await member.waitForURL(/\/admin\/conversations$/);
      await hydrated(member);
      // Members see only the inbox.
      assert.equal(await member.locator(".nav-item").count(), 1);
      assert.equal(await member.getByRole("link", { name: "Widgets" }).count(), 0);
      const refused = await member.goto(`${server.url}/admin/widgets`);
      assert.equal(refused?.status(), 403);
      await member.goto(`${server.url}/admin/conversations`);
      await hydrated(member);
      // The invite link worked once.
      const again = await owner.goto(link);
      assert.equal(again?.status(), 410);

      // A visitor asks for a person; the demo agent offers one, the visitor accepts.
      host.set(
        "/",
        `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme</title></head>` +
          `<body><script src="${server.url}/embed/widget.js?id=${widget.id}" async></script></body></html>`,
      );
      const visitorContext = await browser.browser.newContext();
      visitorContext.setDefaultTimeout(60_000);
      const visitor = await visitorContext.newPage();
      const visitorErrors: string[] = [];
      visitor.on("pageerror", (e) => visitorErrors.push(e.message));
      await visitor.goto(`${host.url}/`);
      await visitor.locator("parley-widget .l").click();
      await visitor.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      const f = frame(visitor);
      await f.locator("textarea").fill("Can I talk to a real person?");
      await f.locator("textarea").press("Enter");
      const offer = f.locator(".msg-body > .btn", { hasText: "Talk to a person" });
      await offer.waitFor();
      await offer.click();
      await f.locator(".msg-system", { hasText: "A teammate has been asked to join" }).waitFor();
      // Asked once: the header action is gone.
      await f.getByRole("button", { name: "Talk to a person" }).first().waitFor({
        state: "detached",
      });

      // The member's inbox counts it as waiting; they open it and take over.
      const waiting = member.locator(".view-waiting .count");
      await member.reload();
      await hydrated(member);
      assert.equal(await waiting.textContent(), "1");
      await member.locator(".view-waiting").click();
      const row = member.locator(".inbox-row").first();
      await row.getByText("Waiting for a human").waitFor();
      await row.click();
      await member.waitForURL(/\/admin\/conversations\/[0-9a-f-]{36}/);
      await hydrated(member);
      await member.locator(".live-dot.live-live").waitFor();
      await member.getByRole("button", { name: "Take over" }).click();
      await member.getByRole("button", { name: "Hand back to AI" }).waitFor();
      assert.equal(
        await member.getByLabel("Assignee").inputValue(),
        await member.evaluate(
          () => document.querySelector<HTMLSelectElement>("#assignee option:checked")!.value,
        ),
      );
      assert.match(await member.locator("#assignee option:checked").textContent() ?? "", /Sam/);
      // The visitor's header says a person is handling it.
      await f.locator(".header-sub[data-human]").waitFor();

      // Typing reaches the visitor with the teammate's name, then the reply with name and initials.
      const box = member.getByRole("textbox", { name: "Reply" });
      await box.pressSequentially("Hi! I'm Sam", { delay: 20 });
      await f.locator('li[data-typing] [title="Sam Rivera is typing"]').waitFor();
      await box.press("Shift+Enter");
      await box.pressSequentially("from Acme. How can I help?", { delay: 5 });
      await box.press("Enter");
      const reply = f.locator(".msg-human").last();
      await reply.waitFor();
      // Shift+Enter made a second line.
      assert.match(
        await reply.locator(".bubble").innerText(),
        /^Hi! I'm Sam\n+from Acme\. How can I help\?$/,
      );
      assert.equal((await reply.locator(".msg-name").textContent())?.trim(), "Sam Rivera");
      assert.equal((await reply.locator(".msg-avatar").textContent())?.trim(), "SR");
      await f.locator(".header-sub", { hasText: "Sam Rivera is replying" }).waitFor();
      // In the inbox: the human's message carries a Human mark, the AI's the agent's name.
      const mine = member.locator(".timeline .msg-human").last();
      await mine.locator(".msg-name", { hasText: "Sam Rivera" }).waitFor();
      await mine.locator(".who-human").waitFor();
      await member.locator(".timeline .msg-agent:not(.msg-human) .msg-name", {
        hasText: "Acme assistant",
      }).first().waitFor();

      // The visitor answers; no AI reply comes while a person handles it.
      await f.locator("textarea").fill("Great, thanks Sam!");
      await f.locator("textarea").press("Enter");
      await member.locator(".timeline .msg-user", { hasText: "Great, thanks Sam!" }).waitFor();
      await visitor.waitForTimeout(800);
      const afterVisitor = await f.locator(".msg").evaluateAll((els) =>
        els.map((el) => el.getAttribute("data-sender"))
      );
      assert.equal(afterVisitor.at(-1), "user", "the AI stayed out");

      assert.deepEqual(ownerErrors, []);
      assert.deepEqual(memberErrors, []);
      assert.deepEqual(visitorErrors, []);
      await memberContext.close();
      await visitorContext.close();
    } finally {
      await browser.close();
      await host.close();
      await server.close();
    }
  },
});
