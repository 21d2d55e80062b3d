/**
 * @module The public embed API: `POST /embed/auth` (a visitor token for an allowed domain) and
 * `GET /embed/config/:widgetId`. The loader and frame files are served by `embed_assets.ts`.
 */
import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "../context.ts";
import { HttpError, notFound } from "../lib/errors.ts";
import { isUuid } from "../lib/validate.ts";
import { EmbedAuthSchema, EmbedConfigQuerySchema } from "../contract/requests.ts";
import { DEFAULT_WELCOME } from "../contract/defaults.ts";
import { toPublicConfig } from "../db/wire.ts";
import { hostOf, isHostAllowed, selfOrigin } from "../lib/origins.ts";
import { signVisitorToken } from "../lib/tokens.ts";
import { getWidgetById } from "../db/queries/widgets.ts";
import { admitVisitor, visitorCookieName } from "../conversations/visitors.ts";
import { mayRunAt, previewCookieName } from "../conversations/preview.ts";
import { getCookie, setCookie } from "hono/cookie";
import { createSecretBox, type SecretBox } from "../lib/secret_box.ts";
import { clientIp, rateLimitByIp } from "../limits/rate_limit.ts";
import { spendNewVisitor } from "../limits/budgets.ts";
import {
  tokenIdentity,
  verifiedVisitorId,
  verifyVisitorIdentity,
} from "../conversations/identity.ts";
import type { Db } from "../db/client.ts";
import type { WidgetRow } from "../db/schema.ts";
import { doc } from "../lib/openapi.ts";
import { EmbedAuthResponseSchema, EmbedConfigSchema } from "../contract/responses.ts";
import { launcherFor } from "../embed/loader_config.ts";
import { acceptedLanguages, pickLocale } from "../lib/locale.ts";

/**
 * A browser's `Origin` (when it is not our own) must be on the widget's allowlist too. A script
 * outside a browser can claim any domain, so this is a guard for visitors' browsers, while the
 * frame's CSP `frame-ancestors` keeps the chat itself off other sites.
 */
function assertOriginAllowed(c: Context<AppEnv>, widget: WidgetRow): void {
  const origin = c.req.header("origin");
  if (!origin || origin === "null" || origin === selfOrigin(c.var.config.publicUrl, c.req.url)) {
    return;
  }
  const originHost = hostOf(origin);
  if (!originHost || !isHostAllowed(widget.allowedDomains, originHost)) {
    throw new HttpError(403, "forbidden", `This widget is not allowed on ${originHost ?? origin}`);
  }
}

/** How long a browser keeps a visitor in our partitioned cookie. */
const VISITOR_COOKIE_DAYS = 180;

// One box per configuration, so its key is derived once.
const boxes = new WeakMap<object, SecretBox>();
function visitorBox(config: AppEnv["Variables"]["config"]): SecretBox {
  let box = boxes.get(config);
  if (!box) boxes.set(config, box = createSecretBox(config));
  return box;
}

/**
 * The widget `id`, active or not (each route says what an inactive one gets: `/auth` a 403, the
 * public config a 404); a malformed or unknown id is a 404.
 */
async function findWidget(db: Db, id: string) {
  const widget = isUuid(id) ? await getWidgetById(db, id) : undefined;
  if (!widget) throw notFound("widget", id.slice(0, 100));
  return widget;
}

export const embedApiRoutes = new Hono<AppEnv>()
  .post(
    "/auth",
    rateLimitByIp("embedAuth"),
    doc({
      summary: "Authenticate a visitor of a widget",
      auth: "none",
      body: EmbedAuthSchema,
      responses: { 200: EmbedAuthResponseSchema },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const widget = await findWidget(c.var.db, body.widgetId);
      if (!widget.isActive) throw new HttpError(403, "forbidden", "This widget is not active");
      const host = hostOf(body.domain);
      if (!host) {
        throw new HttpError(400, "validation_failed", "Invalid body", {
          details: [{ path: "domain", message: "must be a host name" }],
        });
      }
      // Our own host passes only in this widget's admin preview (its cookie); another site cannot
      // borrow that either: its browser sends its own Origin, which is checked below.
      const allowed = await mayRunAt(c.var.config, widget, {
        host,
        ownHost: hostOf(selfOrigin(c.var.config.publicUrl, c.req.url)),
        previewToken: getCookie(c, previewCookieName(widget.id)),
      });
      if (!allowed) throw new HttpError(403, "forbidden", `This widget is not allowed on ${host}`);
      // A browser names the page that really sent the request; a page may not claim another domain.
      assertOriginAllowed(c, widget);
      // A host-signed identity token makes the visitor `u_<sub>` on any device (SPEC v2.4); the
      // token proves the visitor, so no visitorKey is issued or needed.
      const identity = body.identityToken
        ? await verifyVisitorIdentity(c.var.config, widget, body.identityToken)
        : undefined;
      if (!identity && widget.requireIdentity) {
        throw new HttpError(403, "identity_required", "This widget is only for signed-in visitors");
      }
      // Where the frame has no localStorage, an anonymous visitor comes back in our partitioned
      // cookie (named per widget and host name).
      const cookie = visitorCookieName(widget.id, host);
      const { visitorId, visitorKey, sealedVisitor, sessionId } = identity
        ? {
          visitorId: verifiedVisitorId(identity),
          visitorKey: undefined,
          sealedVisitor: undefined,
          sessionId: undefined,
        }
        : await admitVisitor({ db: c.var.db, box: visitorBox(c.var.config) }, {
          widgetId: widget.id,
          domain: host,
          visitorId: body.visitorId,
          visitorKey: body.visitorKey,
          sealedVisitor: body.sealedVisitor ?? getCookie(c, cookie),
        }, {
          // Minting visitors must not reset the per-visitor budgets: new ones cost the address.
          beforeCreate: () =>
            spendNewVisitor(c.var.deps.rateLimits, {
              organizationId: widget.organizationId,
              address: clientIp(c),
            }),
        });
      if (sealedVisitor) {
        // Only to our own path, never readable by script; browsers refuse it on plain http (except
        // on loopback), and then the host page's copy is the fallback.
        setCookie(c, cookie, sealedVisitor, {
          path: "/embed/auth",
          maxAge: VISITOR_COOKIE_DAYS * 86400,
          secure: true,
          httpOnly: true,
          sameSite: "None",
          partitioned: true,
        });
      }
      const { token, expiresAt } = await signVisitorToken(c.var.config.jwtSecret, {
        visitorId,
        widgetId: widget.id,
        organizationId: widget.organizationId,
        agentId: widget.agentId,
        ...(identity ? { identity: tokenIdentity(identity) } : {}),
      });
      return c.json({
        token,
        visitorId,
        // Only to a new visitor: the one time the key exists outside its visitor's browser.
        ...(visitorKey ? { visitorKey } : {}),
        verified: !!identity,
        ...(sealedVisitor ? { sealedVisitor } : {}),
        ...(sessionId ? { sessionId } : {}),
        agentId: widget.agentId,
        themeColor: widget.themeColor,
        headerText: widget.headerText,
        welcomeMessage: widget.welcomeMessage ?? DEFAULT_WELCOME,
        expiresAt: expiresAt.toISOString(),
      });
    },
  )
  // Public, read-only data the loader fetches from the host page, so any origin may read it.
  .get(
    "/config/:widgetId",
    cors({ origin: "*", allowMethods: ["GET"] }),
    doc({
      summary: "A widget's public configuration",
      description: "With the launcher's labels and colours worked out for the page that asks: " +
        "its `locale` (else the browser's `Accept-Language`) and `themeColor`.",
      auth: "none",
      query: EmbedConfigQuerySchema,
      responses: { 200: EmbedConfigSchema },
    }),
    async (c) => {
      const query = c.req.valid("query");
      const widget = await findWidget(c.var.db, c.req.param("widgetId"));
      if (!widget.isActive) throw notFound("widget", widget.id);
      // A page on a domain the widget does not allow learns so at once, and shows no launcher.
      assertOriginAllowed(c, widget);
      const config = toPublicConfig(widget);
      // The page's language, then the owner's stored one, then the browser's (the loader's
      // request carries them): the same order as the frame page's.
      const locale = pickLocale([
        query.locale,
        widget.locale,
        ...acceptedLanguages(c.req.header("accept-language")),
      ]);
      c.header("Cache-Control", "public, max-age=30");
      c.header("Vary", "Origin, Accept-Language");
      return c.json({
        ...config,
        launcher: launcherFor(locale, query.themeColor, config.themeColor),
      });
    },
  );
