/**
 * @module Password hashing with scrypt (node:crypto), stored as `scrypt$N$r$p$salt$hash`. The
 * default cost is OWASP's (N=2^17, r=8, p=1: 128 MiB and about a tenth of a second per hash);
 * a hash made at a lower cost is replaced at the owner's next sign-in (`needsRehash`).
 */
import { scrypt, timingSafeEqual } from "node:crypto";

/** OWASP's scrypt cost, as a power of two. */
export const DEFAULT_COST = 17;
const R = 8, P = 1, KEY_LEN = 32;

function derive(password: string, salt: Uint8Array, n: number, r: number, p: number) {
  return new Promise<Uint8Array>((resolve, reject) =>
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_LEN,
      // scrypt needs 128·N·r bytes; twice that leaves room without allowing absurd stored costs.
      { N: n, r, p, maxmem: 256 * n * r },
      (err, key) => err ? reject(err) : resolve(new Uint8Array(key)),
    )
  );
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Hashes a password with a fresh random salt at N = 2^cost. */
export async function hashPassword(password: string, cost = DEFAULT_COST): Promise<string> {
  const n = 2 ** cost;
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await derive(password, salt, n, R, P);
  return `scrypt$${n}$${R}$${P}$${b64(salt)}$${b64(key)}`;
}

/** The stored hash's parameters, or undefined when it is not one of ours. */
function parse(stored: string) {
  const [alg, n, r, p, salt, hash] = stored.split("$");
  const params = { n: Number(n), r: Number(r), p: Number(p) };
  if (alg !== "scrypt" || !salt || !hash) return undefined;
  // Bounds on what a stored hash may ask for, so a tampered row cannot exhaust memory.
  const ok = Number.isInteger(params.n) && params.n >= 2 && params.n <= 2 ** 20 &&
    (params.n & (params.n - 1)) === 0 && params.r >= 1 && params.r <= 32 && params.p >= 1 &&
    params.p <= 16;
  return ok ? { ...params, salt, hash } : undefined;
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const h = parse(stored);
  if (!h) return false;
  const expected = unb64(h.hash);
  const key = await derive(password, unb64(h.salt), h.n, h.r, h.p);
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** True when the hash was made at a lower cost than `cost` (rehash it at the next sign-in). */
export function needsRehash(stored: string, cost = DEFAULT_COST): boolean {
  const h = parse(stored);
  return !h || h.n < 2 ** cost || h.r < R || h.p < P;
}

const dummies = new Map<number, Promise<string>>();
/** A hash of nothing at `cost`, compared against when the email is unknown, so timing says nothing. */
export function dummyHash(cost = DEFAULT_COST): Promise<string> {
  let hash = dummies.get(cost);
  if (!hash) dummies.set(cost, hash = hashPassword(crypto.randomUUID(), cost));
  return hash;
}
