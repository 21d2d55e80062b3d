import assert from "node:assert/strict";
import { createSecretBox } from "../../lib/secret_box.ts";

const JWT_SECRET = "test-jwt-secret-test-jwt-secret-test-jwt";
const CONTEXT = "retell-key:00000000-0000-4000-8000-000000000001";

Deno.test("secret box: what it seals opens with its key and context only", async () => {
  const box = createSecretBox({ jwtSecret: JWT_SECRET });
  const sealed = await box.seal("key_0123456789abcdef", CONTEXT);
  assert.match(sealed, /^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+$/);
  assert.notEqual(
    await box.seal("key_0123456789abcdef", CONTEXT),
    sealed,
    "a fresh nonce each time",
  );
  assert.equal(await box.open(sealed, CONTEXT), "key_0123456789abcdef");
  const [, iv, data] = sealed.split(".");
  const flipped = (data[0] === "A" ? "B" : "A") + data.slice(1);
  const cases: [string, string, string][] = [
    ["another context (a copy in another organization's row)", sealed, CONTEXT + "x"],
    ["a changed ciphertext", `v1.${iv}.${flipped}`, CONTEXT],
    ["a cut tag", sealed.slice(0, -4), CONTEXT],
    ["shorter than a tag", `v1.${iv}.AAAA`, CONTEXT],
    ["another version", sealed.replace(/^v1/, "v2"), CONTEXT],
    ["no parts", "v1", CONTEXT],
    ["not base64", "v1.***.***", CONTEXT],
  ];
  for (const [what, record, context] of cases) {
    assert.equal(await box.open(record, context), undefined, what);
  }
  const other = createSecretBox({ jwtSecret: JWT_SECRET + "-rotated" });
  assert.equal(await other.open(sealed, CONTEXT), undefined, "another secret");
  const keyed = createSecretBox({ jwtSecret: JWT_SECRET, encryptionKey: "k".repeat(44) });
  assert.equal(
    await keyed.open(sealed, CONTEXT),
    undefined,
    "ENCRYPTION_KEY wins over the JWT secret",
  );
  assert.equal(await keyed.open(await keyed.seal("x", CONTEXT), CONTEXT), "x");
});

Deno.test("secret box: records sealed by the WebCrypto version still open", async () => {
  // Sealed by the earlier implementation (crypto.subtle, HKDF-SHA256 then AES-256-GCM), as stored
  // in databases today: the node:crypto version must read it.
  const stored = "v1.ksKggSUEBAca7iII.Jsr5EJskbN2R2ueB62bjRKfnwBTRVhSDffu4WAr_JDjEcUwT";
  const box = createSecretBox({ jwtSecret: JWT_SECRET });
  assert.equal(await box.open(stored, CONTEXT), "key_0123456789abcdef");
});
