import assert from "node:assert/strict";
import { checkLayers, importsOf, type Layer } from "../../scripts/check_layers.ts";

/** A tree of files in a temporary directory; `fn` gets its path. */
async function withTree(files: Record<string, string>, fn: (root: string) => Promise<void>) {
  const root = await Deno.makeTempDir();
  try {
    for (const [path, text] of Object.entries(files)) {
      await Deno.mkdir(`${root}/${path.split("/").slice(0, -1).join("/")}`, { recursive: true });
      await Deno.writeTextFile(`${root}/${path}`, text);
    }
    await fn(root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

const LAYERS: Layer[] = [
  { name: "lib", paths: ["lib/"], mayImport: [] },
  { name: "db", paths: ["db/"], mayImport: ["lib"] },
  { name: "routes", paths: ["routes/"], mayImport: ["lib", "db"] },
];

Deno.test("importsOf reads static, type, re-export and literal dynamic imports, not comments", () => {
  const source = `
    import { a } from "./a.ts";
    import type { B } from "../b.ts";
    export { c } from "./c.ts";
    import "./side.ts";
    const d = await import("./d.ts");
    import { z } from "zod";
    // import { e } from "./commented.ts";
    /* import { f } from "./block.ts"; */
  `;
  assert.deepEqual(importsOf(source), ["./a.ts", "../b.ts", "./c.ts", "./side.ts", "./d.ts"]);
});

const cases: { name: string; files: Record<string, string>; problems: RegExp[] }[] = [
  {
    name: "a clean tree passes",
    files: {
      "lib/log.ts": `export const log = 1;`,
      "db/q.ts": `import { log } from "../lib/log.ts";`,
      "routes/a.ts": `import { log } from "../lib/log.ts"; import "../db/q.ts"; new Hono();`,
    },
    problems: [],
  },
  {
    name: "an import cycle fails",
    files: {
      "lib/a.ts": `import { b } from "./b.ts"; export const a = 1;`,
      "lib/b.ts": `import type { a } from "./a.ts"; export const b = 2;`,
    },
    problems: [/^import cycle: lib\/a\.ts <-> lib\/b\.ts$/],
  },
  {
    name: "a lower layer importing a higher one fails",
    files: {
      "lib/a.ts": `import { q } from "../db/q.ts";`,
      "db/q.ts": `export const q = 1;`,
    },
    problems: [/^lib\/a\.ts -> db\/q\.ts: lib\/ may not import db\/$/],
  },
  {
    name: "a file in no layer fails",
    files: { "stray/x.ts": `import "../lib/a.ts";`, "lib/a.ts": `` },
    problems: [/^stray\/x\.ts is in no layer/],
  },
  {
    name: "a route importing a route fails, a helper of routes does not",
    files: {
      "routes/a.ts": `import { b } from "./b.ts"; import "./helpers.ts"; new Hono();`,
      "routes/b.ts": `export const b = new Hono();`,
      "routes/helpers.ts": `export const h = 1;`,
      "routes/mod.ts": `import "./a.ts"; import "./b.ts"; new Hono();`,
    },
    problems: [/^routes\/a\.ts -> routes\/b\.ts: a route may not import another route$/],
  },
];

for (const c of cases) {
  Deno.test(`checkLayers: ${c.name}`, async () => {
    await withTree(c.files, async (root) => {
      const problems = await checkLayers(root, LAYERS, []);
      assert.equal(problems.length, c.problems.length, problems.join("\n"));
      c.problems.forEach((re, i) => assert.match(problems[i], re));
    });
  });
}

Deno.test("checkLayers: an exception that no import needs any more is reported", async () => {
  await withTree({ "lib/a.ts": `` }, async (root) => {
    const problems = await checkLayers(root, LAYERS, [
      { from: "lib/", to: "db/q.ts", until: "never" },
    ]);
    assert.deepEqual(problems, ["exception lib/ -> db/q.ts is no longer needed: remove it"]);
  });
});

Deno.test("checkLayers: this repository holds its layers", async () => {
  const root = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");
  assert.deepEqual(await checkLayers(root), []);
});
