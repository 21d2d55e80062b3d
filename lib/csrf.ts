/**
 * @module CSRF tokens for cookie-authenticated admin pages: an HMAC of whatever the request is
 * bound to (the session cookie when signed in, a random pre-session cookie on the sign-in and
 * sign-up forms). Forms carry it in a hidden `_csrf` field, scripts in the `X-CSRF-Token` header.
 * This is the "signed double-submit" pattern: an attacker's page can make the browser send our
 * cookies but cannot read them, so it cannot compute the token.
 */
import { timingSafeEqual } from "node:crypto";

/** The hidden form field that carries the token. */
export const CSRF_FIELD = "_csrf";
/** The header that carries the token on `fetch` calls. */
export const CSRF_HEADER = "x-csrf-token";

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      encoder.encode(`parley-csrf:${secret}`),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    keys.set(secret, key);
  }
  return key;
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}

/** The token for a binding (a session cookie value or a pre-session nonce). */
export async function csrfToken(secret: string, binding: string): Promise<string> {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(binding));
  return base64Url(new Uint8Array(mac));
}

/** True when `token` is the token of `binding`, compared in constant time. */
export async function verifyCsrfToken(
  secret: string,
  binding: string,
  token: string | undefined,
): Promise<boolean> {
  if (!token || !binding) return false;
  const expected = encoder.encode(await csrfToken(secret, binding));
  const given = encoder.encode(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** A fresh random nonce for the pre-session cookie. */
export function newNonce(): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(24)));
}
