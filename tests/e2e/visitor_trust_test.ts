/**
 * The visitor's side of SPEC v2.2 in a real Chromium: the host page never holds a bearer token,
 * a sibling subdomain allowed by the same wildcard never restores or hears another origin's
 * conversation (in the frame's shared partition, and through the host-page copy where the frame's
 * storage is refused), and the frame page opened top-level runs nothing. Host pages are served as
 * `www.shop.example` and `evil.shop.example` (one site, so one storage partition), Parley as
 * `127.0.0.1`. This Chromium, with default settings, refuses a third-party frame localStorage but
 * accepts partitioned cookies: the visitor lives in Parley's partitioned HttpOnly cookie.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import {
  browserTest,
  ensureBuilt,
  hostPage,
  launchBrowser,
  serveHostPages,
  type TestBrowser,
} from "../helpers/browser.ts";
import { serveApp } from "../helpers/server.ts";
import { createAgentAndWidget, registerAdmin, startApp } from "../helpers/test_app.ts";
import { openTestDatabase } from "../helpers/db.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import { chatSessions, visitors } from "../../db/schema.ts";
import { frameOf, openWidget, recordEvents, records, send } from "./widget_env.ts";

const JWT = /eyJ[\w-]{4,}\.eyJ[\w-]{4,}\.[\w-]+/;

/** The server, a widget for `*.shop.example`, host pages on both siblings, and Chromium. */
async function shopSetup(options: { frameStorage?: "none" } = {}) {
  await ensureBuilt();
  const db = await openTestDatabase("pglite");
  const server = await serveApp(
    await startApp("pglite", { database: db, agent: createDemoAgent({ delayMs: 50 }) }),
  );
  const admin = await registerAdmin(server.t);
  const { widget } = await createAgentAndWidget(server.t, admin.token, {
    allowedDomains: ["*.shop.example"],
  });
  const pages = await serveHostPages();
  const port = new URL(pages.url).port;
  const www = `http://www.shop.example:${port}`, evil = `http://evil.shop.example:${port}`;
  for (const path of ["/", "/other"]) {
    pages.set(path, hostPage({ serverUrl: server.url, widgetId: widget.id }));
  }
  const browser: TestBrowser = await launchBrowser({
    args: [
      "--host-resolver-rules=MAP localhost 127.0.0.1, MAP *.shop.example 127.0.0.1",
      // As on a real shop's https pages: the frame needs a secure context (crypto.randomUUID).
      `--unsafely-treat-insecure-origin-as-secure=${www},${evil}`,
    ],
  });
  if (options.frameStorage === "none") {
    // As in a browser that refuses third-party frames any storage, partitioned cookies included:
    // Parley's frame gets no localStorage, its cookie probe fails, and our cookie is dropped.
    await browser.context.addInitScript((parley: string) => {
      if (location.origin !== parley) return;
      const denied = () => {
        throw new DOMException("Access is denied for this document.", "SecurityError");
      };
      Object.defineProperty(globalThis, "localStorage", { get: denied });
      Object.defineProperty(document, "cookie", { get: () => "", set: () => {} });
    }, server.url);
    // (Fetched outside the browser: playwright's own fetch would store the cookie in the jar.)
    await browser.context.route(`${server.url}/embed/auth`, async (route) => {
      const req = route.request();
      const res = await fetch(req.url(), {
        method: req.method(),
        headers: await req.allHeaders(),
        body: req.postData(),
      });
      const headers = Object.fromEntries(res.headers);
      delete headers["set-cookie"];
      await route.fulfill({ status: res.status, headers, body: await res.text() });
    });
  }
  return {
    server,
    db,
    widget,
    www,
    evil,
    browser,
    async close() {
      await browser.close();
      await pages.close();
      await server.t.deps.hub.close();
      await server.close();
      await db.dispose();
    },
  };
}

/** Everything the host page's own scripts can read: storage, cookies and every DOM attribute. */
async function hostPageExposure(page: Page): Promise<string> {
  const seen = await page.evaluate(() => {
    const out: string[] = [];
    for (const area of [localStorage, sessionStorage]) {
      for (let i = 0; i < area.length; i++) {
        const k = area.key(i)!;
        out.push(`${k}=${area.getItem(k)}`);
      }
    }
    out.push(document.cookie);
    const walk = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll("*")) {
        for (const a of el.attributes) out.push(`${a.name}=${a.value}`);
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return out.join("\n");
  });
  const cookies = await page.context().cookies(page.url());
  return seen + "\n" + cookies.map((c) => `${c.name}=${c.value}`).join("\n");
}

/** Parley's cookies in the browser (every partition). */
async function parleyCookies(page: Page, parley: string) {
  return (await page.context().cookies()).filter((c) =>
    c.domain === new URL(parley).hostname && c.name.startsWith("pv_")
  );
}

/** Sends a message and waits for the agent's answer to it. */
async function say(page: Page, text: string): Promise<void> {
  const answers = frameOf(page).locator('.msg[data-sender="agent"]');
  const before = await answers.count();
  await send(page, text);
  await answers.nth(before).waitFor();
}

async function transcriptText(page: Page): Promise<string> {
  return await frameOf(page).locator(".messages").innerText();
}

browserTest(
  "visitor trust: the host page holds no bearer token; the conversation survives a reload",
  async () => {
    const env = await shopSetup();
    try {
      const { page, errors } = await env.browser.page();
      await page.goto(env.www + "/");
      await openWidget(page);
      await say(page, "my card is 4111 1111 1111 1111");

      // The visitor is kept first-party to Parley: its partitioned, HttpOnly cookie (sealed).
      const cookies = await parleyCookies(page, env.server.url);
      assert.equal(cookies.length, 1);
      const [cookie] = cookies;
      assert.match(cookie.name, /^pv_[0-9a-f]{24}$/);
      assert.deepEqual(
        [cookie.httpOnly, cookie.secure, cookie.sameSite, cookie.path],
        [true, true, "None", "/embed/auth"],
      );
      assert.match(cookie.partitionKey ?? "", /shop\.example/);
      const [visitor] = await env.db.database.db.select().from(visitors);
      const [session] = await env.db.database.db.select().from(chatSessions);

      const exposed = await hostPageExposure(page);
      assert.doesNotMatch(exposed, JWT, "no JWT anywhere the host page can read");
      for (const secret of [visitor.id, session.id, cookie.value]) {
        assert.ok(!exposed.includes(secret), "nothing of the visitor's state in the host page");
      }
      const src = new URL((await page.locator("parley-widget iframe").getAttribute("src"))!);
      assert.deepEqual([...src.searchParams.keys()], ["id"]);
      assert.equal(src.hash, "");

      await page.reload();
      await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      await frameOf(page).locator(`.pw[data-status="ready"][data-session="${session.id}"]`)
        .waitFor();
      assert.match(await transcriptText(page), /my card is 4111/);
      assert.doesNotMatch(await hostPageExposure(page), JWT);
      assert.deepEqual(errors, []);
    } finally {
      await env.close();
    }
  },
);

browserTest(
  "visitor trust: a sibling subdomain on the same wildcard neither restores nor hears the conversation",
  async () => {
    const env = await shopSetup();
    try {
      const shop = (await env.browser.page()).page;
      await shop.goto(env.www + "/");
      await openWidget(shop);
      await say(shop, "my card is 4111 1111 1111 1111");

      const spy = (await env.browser.page()).page;
      await spy.goto(env.evil + "/");
      await recordEvents(spy);
      await openWidget(spy);
      // One partition for the whole site: the shop's cookie is in the jar the spy's frame uses...
      const jar = await parleyCookies(spy, env.server.url);
      assert.equal(jar.length, 2, "one cookie per origin, side by side");
      assert.equal(new Set(jar.map((c) => c.partitionKey)).size, 1, "in one partition");
      // ...and still starts with nothing of it.
      assert.ok(!await frameOf(spy).locator(".pw").getAttribute("data-session"), "no session");
      assert.doesNotMatch(await transcriptText(spy), /4111/);

      // A message on the shop while the spy's chat is live: the spy's chat answers its own
      // message after it, and never shows or relays the shop's.
      await say(spy, "hello from the spy");
      await say(shop, "second secret 5500");
      await say(spy, "anything new?");
      assert.doesNotMatch(await transcriptText(spy), /4111|5500/);
      const relayed = JSON.stringify(await records(spy));
      assert.doesNotMatch(relayed, /4111|5500/);

      // Two visitors, one per origin, each bound to its host name.
      const rows = await env.db.database.db.select().from(visitors);
      assert.deepEqual(rows.map((r) => r.domain).sort(), ["evil.shop.example", "www.shop.example"]);
    } finally {
      await env.close();
    }
  },
);

browserTest(
  "visitor trust: where the frame's storage is refused, the host-page copy holds no token and is useless on a sibling",
  async () => {
    const env = await shopSetup({ frameStorage: "none" });
    try {
      const { page } = await env.browser.page();
      await page.goto(env.www + "/");
      await openWidget(page);
      await say(page, "my card is 4111 1111 1111 1111");
      const session = await frameOf(page).locator(".pw").getAttribute("data-session");

      assert.deepEqual(await parleyCookies(page, env.server.url), []);
      const copy = await page.evaluate((k) => localStorage[k], `parley:${env.widget.id}`);
      assert.match(copy, /^v1\.[\w-]+\.[\w-]+$/, "the sealed visitor, nothing else");
      const exposed = await hostPageExposure(page);
      assert.doesNotMatch(exposed, JWT);
      const visitorId = (await env.db.database.db.select().from(visitors))[0].id;
      assert.ok(!exposed.includes(visitorId), "the visitor id is sealed too");

      // The copy brings the conversation back after a reload.
      await page.reload();
      await page.waitForSelector("parley-widget[open][ready]", { state: "attached" });
      await frameOf(page).locator(`.pw[data-status="ready"][data-session="${session}"]`).waitFor();
      assert.match(await transcriptText(page), /my card is 4111/);

      // Replayed under a sibling origin, the copy is refused: a new visitor, an empty chat.
      const spy = (await env.browser.page()).page;
      await spy.goto(env.evil + "/");
      await spy.evaluate(([k, v]) => localStorage[k] = v, [`parley:${env.widget.id}`, copy]);
      await spy.reload();
      await openWidget(spy);
      assert.ok(!await frameOf(spy).locator(".pw").getAttribute("data-session"), "no session");
      assert.doesNotMatch(await transcriptText(spy), /4111/);
      await say(spy, "hello");
      const spySession = await frameOf(spy).locator(".pw").getAttribute("data-session");
      assert.notEqual(spySession, session);
      assert.equal((await env.db.database.db.select().from(visitors)).length, 2);
    } finally {
      await env.close();
    }
  },
);

browserTest(
  "visitor trust: widget-frame.html opened top-level shows a notice, runs no chat, makes no visitor",
  async () => {
    const env = await shopSetup();
    try {
      const { page } = await env.browser.page();
      const auths: string[] = [];
      page.on("request", (r) => r.url().includes("/embed/auth") && auths.push(r.url()));
      const link = `${env.server.url}/embed/widget-frame.html?id=${env.widget.id}` +
        `&headerText=Bank+security&welcomeMessage=Type+your+card+number&themeColor=%23ff0000` +
        `&origin=${encodeURIComponent(env.www)}&host=www.shop.example#` +
        encodeURIComponent(JSON.stringify({ sessionId: crypto.randomUUID() }));
      // What the browser sends for a link (Sec-Fetch-Dest: document): the server's notice.
      const res = await page.goto(link);
      assert.equal(res?.status(), 403);
      await page.getByText("This chat opens on the website that offers it.").waitFor();
      // Without Sec-Fetch-Dest (older browsers) the frame page itself refuses to run.
      const framePage = await fetch(link.split("#")[0], {
        headers: { "sec-fetch-dest": "iframe" },
      });
      const html = await framePage.text();
      const old = (await env.browser.page()).page;
      old.on("request", (r) => r.url().includes("/embed/auth") && auths.push(r.url()));
      await old.route(
        (url) => url.pathname === "/embed/widget-frame.html",
        (route) =>
          route.fulfill({
            status: 200,
            headers: Object.fromEntries(framePage.headers),
            body: html,
          }),
      );
      await old.goto(link);
      await old.getByText("This chat isn't available right now.").waitFor();
      await old.waitForLoadState("networkidle");
      for (const p of [page, old]) {
        for (const shown of ["Bank security", "Type your card number"]) {
          assert.equal(await p.getByText(shown).count(), 0, shown);
        }
        assert.equal(await p.locator("textarea, input").count(), 0);
      }
      assert.deepEqual(auths, []);
      assert.equal((await env.db.database.db.select().from(visitors)).length, 0);
      assert.equal((await env.db.database.db.select().from(chatSessions)).length, 0);
    } finally {
      await env.close();
    }
  },
);
