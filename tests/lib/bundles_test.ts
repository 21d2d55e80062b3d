import assert from "node:assert/strict";
import { pickEncoding } from "../../lib/bundles.ts";

Deno.test("pickEncoding: brotli, then gzip, honouring q=0 and *; identity otherwise", () => {
  const cases: [string | undefined, string, ("br" | "gzip")[]?][] = [
    [undefined, "identity"],
    ["", "identity"],
    ["gzip, deflate, br, zstd", "br"],
    ["GZIP", "gzip"],
    ["br;q=0, gzip", "gzip"],
    ["br; q=0.0, gzip;q=0.5", "gzip"],
    ["br;q=0.1", "br"],
    ["*", "br"],
    ["*;q=0", "identity"],
    ["*, br;q=0", "gzip"],
    ["gzip;q=0, br;q=0", "identity"],
    ["deflate, zstd", "identity"],
    ["br;q=bogus", "br"],
    ["gzip, br", "gzip", ["gzip"]],
    ["br", "identity", ["gzip"]],
  ];
  for (const [header, expected, available] of cases) {
    assert.equal(pickEncoding(header, available), expected, String(header));
  }
});
