/**
 * @module Secrets at rest (organizations' Retell keys): AES-256-GCM with a random 96-bit nonce,
 * stored as `v1.<nonce>.<ciphertext+tag>` in base64url. The AES key comes from `ENCRYPTION_KEY`,
 * or, when that is unset, is derived from `JWT_SECRET` (HKDF-SHA256 with its own label, so the
 * two uses of the one secret never share a key). The record's purpose is bound as additional
 * data, so a ciphertext copied to another organization's row does not decrypt there.
 */

import { Buffer } from "node:buffer";
import { createCipheriv, createDecipheriv, hkdfSync } from "node:crypto";

const VERSION = "v1";
const encoder = new TextEncoder();

/** Encrypts and decrypts small secrets with one key. */
export interface SecretBox {
  seal(plaintext: string, context: string): Promise<string>;
  /** The plaintext, or undefined when the record is malformed or was sealed with another key. */
  open(sealed: string, context: string): Promise<string | undefined>;
}

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const unb64url = (text: string) =>
  Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));

/** The AES-GCM key for a configured secret (`ENCRYPTION_KEY`, else `JWT_SECRET`): HKDF-SHA256. */
function deriveKey(secret: string, label: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", encoder.encode(secret), "parley", label, 32));
}

const TAG_BYTES = 16;

/**
 * A box keyed by `ENCRYPTION_KEY` when given, else by a key derived from the JWT secret. The
 * cipher runs synchronously (`node:crypto`): the records are a few hundred bytes, and
 * `crypto.subtle` sent each one to a worker thread, a hop that took up to 100 ms of a visitor's
 * `/embed/auth` while a browser loaded the chat on the same cores. The record is WebCrypto's
 * layout (ciphertext, then the 16-byte tag), so records sealed either way open either way.
 */
export function createSecretBox(options: { encryptionKey?: string; jwtSecret: string }): SecretBox {
  const key = options.encryptionKey
    ? deriveKey(options.encryptionKey, "parley:encryption-key:v1")
    : deriveKey(options.jwtSecret, "parley:secrets-from-jwt-secret:v1");
  return {
    seal(plaintext, context) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      cipher.setAAD(encoder.encode(context));
      const sealed = Buffer.concat([
        cipher.update(encoder.encode(plaintext)),
        cipher.final(),
        cipher.getAuthTag(),
      ]);
      return Promise.resolve(`${VERSION}.${b64url(iv)}.${b64url(new Uint8Array(sealed))}`);
    },
    open(sealed, context) {
      const [version, iv, data] = sealed.split(".");
      if (version !== VERSION || !iv || !data) return Promise.resolve(undefined);
      try {
        const bytes = unb64url(data);
        if (bytes.length < TAG_BYTES) return Promise.resolve(undefined);
        const decipher = createDecipheriv("aes-256-gcm", key, unb64url(iv));
        decipher.setAAD(encoder.encode(context));
        decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
        const plain = Buffer.concat([
          decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
          decipher.final(),
        ]);
        return Promise.resolve(new TextDecoder().decode(plain));
      } catch {
        return Promise.resolve(undefined);
      }
    },
  };
}

/** The last four characters of a key, as the admin pages show it ("…abcd"). */
export function keyHint(secret: string): string {
  return `…${secret.slice(-4)}`;
}
