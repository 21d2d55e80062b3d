import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { browserTest, hostPage } from "../helpers/browser.ts";
import { chatReady, frameOf, type HostWindow, launcherReady, send, setup } from "./widget_env.ts";

const sign = (secret: string, claims: Record<string, unknown>) =>
  new SignJWT(claims).setProtectedHeader({ alg: "HS256" }).setExpirationTime("10m")
    .sign(new TextEncoder().encode(secret));

browserTest(
  "identify: a signed-in visitor's conversation follows them to a second device; nothing stored or authenticated before open",
  async () => {
    const env = await setup();
    try {
      const res = await env.server.t.post(
        `/api/widgets/${env.widgetId}/identity-secret`,
        {},
        env.adminToken,
      );
      const { secret } = await res.json();
      const page = async (context = env.browser.context) => {
        const p = await context.newPage();
        const token = await sign(secret, { sub: "user-7", name: "Ada Lovelace" });
        env.host.set(
          "/account",
          hostPage({
            serverUrl: env.server.url,
            preset: { widgetId: env.widgetId, identityToken: token },
          }),
        );
        const auths: string[] = [];
        p.on("request", (r) => r.url().includes("/embed/auth") && auths.push(r.url()));
        await p.goto(env.host.url + "/account");
        await launcherReady(p);
        return { p, auths };
      };

      // First device: nothing stored and no authentication until the visitor opens the chat.
      const laptop = await page();
      await laptop.p.evaluate(() =>
        (window as unknown as HostWindow & {
          rtlChatWidget: { setContext(c: object): void };
        }).rtlChatWidget.setContext({ plan: "pro" })
      );
      assert.deepEqual(
        await laptop.p.evaluate(
          () => [localStorage.length, sessionStorage.length, document.cookie],
        ),
        [0, 0, ""],
      );
      assert.deepEqual(laptop.auths, []);
      await laptop.p.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.open());
      await chatReady(laptop.p);
      assert.equal(laptop.auths.length, 1);
      await send(laptop.p, "hello from my laptop");
      await frameOf(laptop.p).locator(".msg", { hasText: "hello from my laptop" }).waitFor();

      const { sessions } = await (await env.server.t.get("/api/chat/sessions", env.adminToken))
        .json();
      assert.equal(sessions.length, 1);
      assert.deepEqual(sessions[0].visitor, {
        id: "u_user-7",
        verified: true,
        name: "Ada Lovelace",
        email: null,
        phone: null,
      });
      assert.deepEqual(sessions[0].metadata.context, {
        plan: "pro",
        page_url: env.host.url + "/account",
        page_title: "Host page",
      });

      // Second device: an empty browser profile, the same person signed in.
      const phone = await env.browser.browser.newContext();
      try {
        const second = await page(phone);
        await second.p.evaluate(() => (window as unknown as HostWindow).rtlChatWidget.open());
        await chatReady(second.p);
        await frameOf(second.p).locator(".msg", { hasText: "hello from my laptop" }).waitFor();
      } finally {
        await phone.close();
      }
    } finally {
      await env.close();
    }
  },
);
