/**
 * @module What every admin page shares: the typed context, security headers, the cookie session,
 * CSRF checks, form reading and HTML rendering.
 *
 * Architecture (chosen deliberately): the admin pages are plain server-rendered HTML forms that
 * POST to `/admin/...` handlers and redirect (POST-redirect-GET), so every change works without
 * JavaScript and is protected by one mechanism (cookie session + CSRF token + Origin check).
 * Islands exist only where interaction needs them: the live widget preview, the copy button and
 * the live inbox. The inbox islands read the JSON API and `/ws` with a Bearer token they obtain
 * from `POST /admin/token` (same origin, CSRF-checked), because `/ws` authenticates by token.
 */
import type { Context, MiddlewareHandler } from "hono";
import type { VNode } from "preact";
import { render } from "preact-render-to-string";
import type { AppEnv } from "../../context.ts";
import { adminFromToken } from "../../team/sign_in.ts";
import { CSRF_FIELD, CSRF_HEADER, csrfToken, verifyCsrfToken } from "../../lib/csrf.ts";
import {
  clearSessionCookie,
  readPreSessionNonce,
  readSessionCookie,
} from "../../lib/session_cookie.ts";
import { HttpError } from "../../lib/errors.ts";
import { selfOrigins as ownOrigins } from "../../lib/origins.ts";
import { findUserWithOrganization } from "../../db/queries/users.ts";
import type { Account } from "../../components/admin/Layout.tsx";

/** The admin pages' context: the app's plus the signed-in account and the CSRF token. */
export type AdminEnv = {
  Variables: AppEnv["Variables"] & { account?: Account; csrf?: string };
};

/** Admin page context. */
export type AdminContext = Context<AdminEnv>;

/** Our own origins: the request's and PUBLIC_URL's (see `lib/origins.ts`). */
export function selfOrigins(c: Context<AdminEnv>): string[] {
  return ownOrigins(c.var.config.publicUrl, c.req.url);
}

function contentSecurityPolicy(c: Context<AdminEnv>, frameAncestors: string): string {
  const sockets = selfOrigins(c).map((o) => o.replace(/^http/, "ws")).join(" ");
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Inline style attributes carry user colours (widget swatches); scripts stay self-only.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    // Call recordings are served by Retell's storage.
    "media-src 'self' https:",
    `connect-src 'self' ${sockets}`,
    "frame-src 'self'",
    `frame-ancestors ${frameAncestors}`,
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * Security headers on every admin response. Pages may not be framed at all, except the widget
 * preview page, which the editor frames from our own origin (`framedBySelf`).
 */
export function securityHeaders(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    await next();
    const framed = c.res.headers.get("x-parley-framed") === "self";
    const headers: Record<string, string> = {
      "Content-Security-Policy": contentSecurityPolicy(c, framed ? "'self'" : "'none'"),
      "X-Frame-Options": framed ? "SAMEORIGIN" : "DENY",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "same-origin",
    };
    if (!c.res.headers.has("cache-control")) headers["Cache-Control"] = "no-store";
    c.res.headers.delete("x-parley-framed");
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  };
}

/** Marks a response as a page our own editor may frame (the widget preview). */
export function allowFramingBySelf(c: Context<AdminEnv>): void {
  c.header("x-parley-framed", "self");
}

/** A `next` path after sign-in: only our own admin pages, never another site. */
export function safeNext(value: string | undefined): string {
  if (!value || !/^\/admin(\/[A-Za-z0-9\-_/.?=&%]*)?$/.test(value) || value.includes("//")) {
    return "/admin/conversations";
  }
  return value;
}

/**
 * Requires the session cookie; sets `admin`, `account` and `csrf`. A missing or stale session
 * goes to the sign-in page and comes back afterwards.
 */
export function requireAccount(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const cookie = readSessionCookie(c);
    const secret = c.var.config.jwtSecret;
    const claims = cookie ? await adminFromToken(c.var.db, secret, cookie) : undefined;
    const found = claims ? await findUserWithOrganization(c.var.db, claims.userId) : undefined;
    if (!claims || !found || found.user.organizationId !== claims.organizationId) {
      if (cookie) clearSessionCookie(c, c.var.config.publicUrl);
      const url = new URL(c.req.url);
      const next = c.req.method === "GET" ? `${url.pathname}${url.search}` : undefined;
      const query = next && next !== "/admin/conversations"
        ? `?next=${encodeURIComponent(next)}`
        : "";
      return c.redirect(`/admin/login${query}`, 303);
    }
    c.set("admin", claims);
    c.set("account", {
      userId: found.user.id,
      email: found.user.email,
      name: found.user.name,
      role: found.user.role,
      organizationId: found.organization.id,
      organizationName: found.organization.name,
    });
    c.set("csrf", await csrfToken(secret, cookie!));
    await next();
  };
}

/** The signed-in account of a request that passed `requireAccount`. */
export function accountOf(c: Context<AdminEnv>): Account & { csrf: string } {
  const account = c.get("account"), csrf = c.get("csrf");
  if (!account || !csrf) throw new HttpError(401, "unauthorized", "Sign in to continue");
  return { ...account, csrf };
}

/** A form body as strings (files and repeated keys beyond the first are ignored). */
export async function readForm(c: Context<AdminEnv>): Promise<Record<string, string>> {
  let body: Record<string, unknown>;
  try {
    body = await c.req.parseBody({ all: true });
  } catch {
    throw new HttpError(400, "bad_request", "The form could not be read");
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(body)) {
    // A repeated field (a list of checkboxes) arrives as its values joined by commas.
    if (typeof value === "string") out[key] = value;
    else if (Array.isArray(value)) {
      out[key] = value.filter((v): v is string => typeof v === "string").join(",");
    }
  }
  return out;
}

const csrfRefused = () =>
  new HttpError(
    403,
    "forbidden",
    "This form has expired or did not come from Parley. Go back, reload the page and try again.",
  );

/**
 * Checks the CSRF token of a state-changing request against what it is bound to: the session
 * cookie (signed in) or the pre-session nonce (sign-in and sign-up forms).
 */
export function requireCsrf(binding: "session" | "pre-session"): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    // Browsers name the page that sent a request; any page but ours is refused outright, whatever
    // the content type (hono/csrf only looks at form posts).
    const origin = c.req.header("origin");
    if (origin && !selfOrigins(c).includes(origin)) throw csrfRefused();
    const bound = binding === "session" ? readSessionCookie(c) : readPreSessionNonce(c);
    const given = c.req.header(CSRF_HEADER) ?? (await readForm(c))[CSRF_FIELD];
    if (!bound || !await verifyCsrfToken(c.var.config.jwtSecret, bound, given)) {
      throw csrfRefused();
    }
    await next();
  };
}

/** Renders a page as a complete HTML document. */
export function page(
  c: Context<AdminEnv>,
  node: VNode,
  status: 200 | 400 | 401 | 403 | 429 | 502 = 200,
) {
  return c.html(`<!doctype html>${render(node)}`, status);
}

/** Reads a `?notice=` key into its text; unknown keys show nothing (never echo the query). */
export function noticeText(
  c: Context<AdminEnv>,
  texts: Record<string, string>,
): string | undefined {
  const key = c.req.query("notice");
  return key && Object.hasOwn(texts, key) ? texts[key] : undefined;
}

/**
 * Owners and admins only (after `requireAccount`): a member, who works conversations only, gets
 * a 403 page for agents, widgets and the team.
 */
export function requireManager(): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    if (accountOf(c).role === "member") {
      throw new HttpError(403, "forbidden", "Only owners and admins can open this page");
    }
    await next();
  };
}
