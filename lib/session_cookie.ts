/**
 * @module The admin pages' session: an admin JWT (the same token the JSON API takes as Bearer) in
 * an HttpOnly, SameSite=Lax cookie scoped to `/admin`, Secure whenever the site is served over
 * https. Lax rather than Strict so that following a link to the admin from an email or a chat
 * notification lands signed in; every change still needs a CSRF token (lib/csrf.ts).
 */
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { ADMIN_TTL_SECONDS } from "./tokens.ts";

/** The session cookie's name. */
export const SESSION_COOKIE = "parley_admin";
/** The pre-session CSRF nonce cookie of the sign-in and sign-up forms. */
export const PRE_SESSION_COOKIE = "parley_csrf";
/** Every admin cookie lives under this path, so the widget and API never receive them. */
export const COOKIE_PATH = "/admin";

/** True when the browser reached us over https (directly, through PUBLIC_URL, or a proxy). */
export function isSecureRequest(c: Context, publicUrl?: string): boolean {
  if (publicUrl?.startsWith("https:")) return true;
  if (new URL(c.req.url).protocol === "https:") return true;
  return c.req.header("x-forwarded-proto")?.split(",")[0].trim() === "https";
}

/** Sets the session cookie to an admin token. */
export function setSessionCookie(c: Context, token: string, publicUrl?: string): void {
  setCookie(c, SESSION_COOKIE, token, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: "Lax",
    secure: isSecureRequest(c, publicUrl),
    maxAge: ADMIN_TTL_SECONDS,
  });
}

/** The session cookie's token, if any. */
export function readSessionCookie(c: Context): string | undefined {
  return getCookie(c, SESSION_COOKIE) || undefined;
}

/** Removes the session cookie (sign out). */
export function clearSessionCookie(c: Context, publicUrl?: string): void {
  deleteCookie(c, SESSION_COOKIE, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: "Lax",
    secure: isSecureRequest(c, publicUrl),
  });
}

/** The pre-session nonce, set (for an hour) when missing. */
export function ensurePreSessionNonce(c: Context, fresh: () => string, publicUrl?: string): string {
  const existing = getCookie(c, PRE_SESSION_COOKIE);
  if (existing && /^[A-Za-z0-9_-]{16,64}$/.test(existing)) return existing;
  const nonce = fresh();
  setCookie(c, PRE_SESSION_COOKIE, nonce, {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: "Lax",
    secure: isSecureRequest(c, publicUrl),
    maxAge: 3600,
  });
  return nonce;
}

/** The pre-session nonce of a request, if any. */
export function readPreSessionNonce(c: Context): string | undefined {
  return getCookie(c, PRE_SESSION_COOKIE) || undefined;
}
