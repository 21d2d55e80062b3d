/**
 * @module Secrets at rest (organizations' Retell keys): AES-256-GCM with a random 96-bit nonce,
 * stored as `v1.<nonce>.<ciphertext+tag>` in base64url. The AES key comes from `ENCRYPTION_KEY`,
 * or, when that is unset, is derived from `JWT_SECRET` (HKDF-SHA256 with its own label, so the
 * two uses of the one secret never share a key). The record's purpose is bound as additional
 * data, so a ciphertext copied to another organization's row does not decrypt there.
 */

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

/** The AES-GCM key for a configured secret (`ENCRYPTION_KEY`, else `JWT_SECRET`). */
async function deriveKey(secret: string, label: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, [
    "deriveKey",
  ]);
  return await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("parley"), info: encoder.encode(label) },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

/** A box keyed by `ENCRYPTION_KEY` when given, else by a key derived from the JWT secret. */
export function createSecretBox(options: { encryptionKey?: string; jwtSecret: string }): SecretBox {
  const key = options.encryptionKey
    ? deriveKey(options.encryptionKey, "parley:encryption-key:v1")
    : deriveKey(options.jwtSecret, "parley:secrets-from-jwt-secret:v1");
  return {
    async seal(plaintext, context) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const sealed = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
        await key,
        encoder.encode(plaintext),
      );
      return `${VERSION}.${b64url(iv)}.${b64url(new Uint8Array(sealed))}`;
    },
    async open(sealed, context) {
      const [version, iv, data] = sealed.split(".");
      if (version !== VERSION || !iv || !data) return undefined;
      try {
        const plain = await crypto.subtle.decrypt(
          { name: "AES-GCM", iv: unb64url(iv), additionalData: encoder.encode(context) },
          await key,
          unb64url(data),
        );
        return new TextDecoder().decode(plain);
      } catch {
        return undefined;
      }
    },
  };
}

/** The last four characters of a key, as the admin pages show it ("…abcd"). */
export function keyHint(secret: string): string {
  return `…${secret.slice(-4)}`;
}
