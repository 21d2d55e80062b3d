/** @module Password hashing with scrypt (node:crypto), stored as `scrypt$N$r$p$salt$hash`. */
import { scrypt, timingSafeEqual } from "node:crypto";

const N = 16384, R = 8, P = 1, KEY_LEN = 32;

function derive(password: string, salt: Uint8Array, n: number, r: number, p: number) {
  return new Promise<Uint8Array>((resolve, reject) =>
    scrypt(
      password.normalize("NFKC"),
      salt,
      KEY_LEN,
      { N: n, r, p, maxmem: 64 * 1024 * 1024 },
      (err, key) => err ? reject(err) : resolve(new Uint8Array(key)),
    )
  );
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** Hashes a password with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const key = await derive(password, salt, N, R, P);
  return `scrypt$${N}$${R}$${P}$${b64(salt)}$${b64(key)}`;
}

/** Checks a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split("$");
  if (alg !== "scrypt" || !hash) return false;
  const expected = unb64(hash);
  const key = await derive(password, unb64(salt), Number(n), Number(r), Number(p));
  return key.length === expected.length && timingSafeEqual(key, expected);
}

/** A hash of nothing, compared against when the email is unknown so timing reveals nothing. */
export const DUMMY_HASH = await hashPassword(crypto.randomUUID());
