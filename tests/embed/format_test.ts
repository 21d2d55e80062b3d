import assert from "node:assert/strict";
import fc from "fast-check";
import { type Inline, parseInline, parseRich, safeHref } from "../../embed/format.ts";

const text = (t: string): Inline => ({ kind: "text", text: t });

Deno.test("parseInline: bold, code and http(s) links; everything else stays text", () => {
  assert.deepEqual(parseInline("a **b** `<c>` [d](https://x.test/p?q=1) e"), [
    text("a "),
    { kind: "bold", children: [text("b")] },
    text(" "),
    { kind: "code", text: "<c>" },
    text(" "),
    { kind: "link", href: "https://x.test/p?q=1", children: [text("d")] },
    text(" e"),
  ]);
});

Deno.test("parseInline: javascript:, data: and relative links lose the link, keep the words", () => {
  for (
    const href of ["javascript:alert(1)", "data:text/html,x", "/relative", "JaVaScRiPt:alert(1)"]
  ) {
    assert.deepEqual(parseInline(`[click](${href})`), [text("click")], href);
  }
});

Deno.test("parseInline: a bare URL stops before sentence punctuation", () => {
  assert.deepEqual(parseInline("See https://example.com/docs."), [
    text("See "),
    {
      kind: "link",
      href: "https://example.com/docs",
      children: [text("https://example.com/docs")],
    },
    text("."),
  ]);
});

Deno.test("parseRich: paragraphs, line breaks, bullet and numbered lists", () => {
  const blocks = parseRich("Hello\nthere\n\n- one\n- **two**\n1. first\n2. second\nbye");
  assert.deepEqual(
    blocks.map((b) => b.kind === "list" ? `list:${b.ordered}:${b.items.length}` : "p"),
    [
      "p",
      "list:false:2",
      "list:true:2",
      "p",
    ],
  );
  assert.deepEqual(blocks[0], {
    kind: "paragraph",
    children: [text("Hello"), { kind: "break" }, text("there")],
  });
});

Deno.test("safeHref: only absolute http(s)", () => {
  assert.equal(safeHref("https://a.test/"), "https://a.test/");
  assert.equal(safeHref("http://a.test"), "http://a.test/");
  assert.equal(safeHref("ftp://a.test"), undefined);
  assert.equal(safeHref("javascript:alert(1)"), undefined);
  assert.equal(safeHref("nope"), undefined);
});

Deno.test("parseRich: any input yields only text and http(s) links, never losing characters of plain text", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 300 }), (input) => {
      const walk = (nodes: Inline[]): void => {
        for (const n of nodes) {
          if (n.kind === "link") assert.match(n.href, /^https?:\/\//);
          if (n.kind === "bold" || n.kind === "link") walk(n.children);
        }
      };
      for (const b of parseRich(input)) {
        if (b.kind === "paragraph") walk(b.children);
        else b.items.forEach(walk);
      }
    }),
  );
});
