import assert from "node:assert/strict";
import fc from "fast-check";
import { accessibleFill, contrastRatio, parseHex, readableOn } from "../../embed/color.ts";

Deno.test("contrastRatio: the WCAG extremes and known pairs", () => {
  assert.equal(contrastRatio("#000000", "#ffffff"), 21);
  assert.equal(contrastRatio("#fff", "#fff"), 1);
  assert.ok(Math.abs(contrastRatio("#767676", "#ffffff") - 4.54) < 0.01);
  assert.equal(contrastRatio("nope", "#fff"), 1);
});

Deno.test("parseHex: #rgb and #rrggbb only", () => {
  assert.deepEqual(parseHex("#0af"), [0, 170, 255]);
  assert.deepEqual(parseHex("#FF5500"), [255, 85, 0]);
  assert.equal(parseHex("red"), undefined);
  assert.equal(parseHex("#12345"), undefined);
});

Deno.test("accessibleFill: the seed's colours", () => {
  assert.deepEqual(accessibleFill("#4F46E5"), { fill: "#4F46E5", text: "#ffffff" });
  assert.deepEqual(accessibleFill("#FF5500"), { fill: "#cc4400", text: "#ffffff" });
  assert.deepEqual(accessibleFill("#FFD700"), { fill: "#FFD700", text: "#111827" });
  assert.equal(readableOn("#000"), "#ffffff");
});

Deno.test("accessibleFill: text on any theme colour passes WCAG AA (4.5:1)", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffff }), (n) => {
      const theme = "#" + n.toString(16).padStart(6, "0");
      const { fill, text } = accessibleFill(theme);
      assert.ok(contrastRatio(fill, text) >= 4.5, `${theme} → ${fill}/${text}`);
    }),
  );
});
