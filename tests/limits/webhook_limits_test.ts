/**
 * Retell's webhook under attack (#13): a per-address limit counted before the body is read or
 * hashed. Both databases.
 */
import assert from "node:assert/strict";
import { sign } from "retell-sdk";
import { type TestApp } from "../helpers/test_app.ts";
import { retellTest } from "../helpers/retell_app.ts";

const KEY = "key_test_fake_retell";

function post(t: TestApp, raw: string, signature: string, address = "203.0.113.1") {
  return t.request("/api/retell/webhook", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-retell-signature": signature,
      "x-forwarded-for": address,
    },
    body: raw,
  });
}

retellTest(
  "POST /api/retell/webhook: a flood from one address is refused before its body is read",
  async (t) => {
    const raw = JSON.stringify({ event: "chat_started", chat: {} });
    for (let i = 0; i < 3; i++) {
      assert.equal((await post(t, raw, await sign(raw, KEY))).status, 204);
    }
    // A 5 MB body would be 413 after reading; the limit answers first.
    const huge = " ".repeat(5 * 1024 * 1024);
    const res = await post(t, huge, `v=${Date.now()},d=${"0".repeat(64)}`);
    assert.equal(res.status, 429);
    assert.ok(res.headers.get("retry-after"));
    // Retell's own address is not affected.
    assert.equal((await post(t, raw, await sign(raw, KEY), "198.51.100.4")).status, 204);
  },
  { config: { trustProxyHops: 1, limits: { webhooksPerMinute: 3 } } },
);
