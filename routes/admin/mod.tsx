/**
 * @module `/admin`: the owner's pages. Security headers on everything, an Origin check on every
 * form post (hono/csrf) on top of the per-session CSRF token, then one sub-app per section.
 */
import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { HttpError, notFound } from "../../lib/errors.ts";
import { tokenForSameSignIn } from "../../team/sign_in.ts";
import {
  type AdminEnv,
  requireAccount,
  requireCsrf,
  securityHeaders,
  selfOrigins,
} from "./middleware.ts";
import { renderAdminError } from "./errors.tsx";
import { assetRoutes } from "./assets.ts";
import { authPages } from "./auth.tsx";
import { agentPages } from "./agents.tsx";
import { widgetPages } from "./widgets.tsx";
import { settingsPages } from "./settings.tsx";
import { conversationPages } from "./conversations.tsx";
import { webhookPages } from "./webhooks.tsx";
import { teamPages } from "./team.tsx";

/** Every admin page, mounted at `/admin` by `createApp`. */
export const adminRoutes = new Hono<AdminEnv>()
  .use(securityHeaders())
  .use(csrf({ origin: (origin, c) => selfOrigins(c).includes(origin) }))
  .route("/assets", assetRoutes)
  .route("/", authPages)
  .route("/agents", agentPages)
  .route("/widgets", widgetPages)
  .route("/settings", settingsPages)
  .route("/conversations", conversationPages)
  .route("/webhooks", webhookPages)
  .route("/team", teamPages)
  // The live inbox's islands call the JSON API and /ws, which take Bearer tokens; this hands the
  // signed-in page one. Same origin only: POST with the CSRF header, and no CORS on /admin.
  // The token belongs to the cookie's sign-in, so signing out revokes it too.
  .post("/token", requireAccount(), requireCsrf("session"), async (c) => {
    const claims = c.get("admin");
    if (!claims) throw new HttpError(401, "unauthorized", "Sign in to continue");
    return c.json({ token: await tokenForSameSignIn(c.var.config, claims) });
  })
  .all("*", (c) => {
    throw notFound("page", c.req.path.slice(0, 100));
  })
  .onError(renderAdminError);
