/**
 * @module Reading the built bundles, for the server that serves them: which chunk files a bundle
 * loads. `build.ts` writes the bundles; runtime code reads them through this module and never
 * imports the builder.
 */

/** Chunk files a bundle imports, statically (`from"./x.js"`) or dynamically (`import("./x.js")`). */
export function chunkImports(code: string): { static: string[]; dynamic: string[] } {
  const names = (re: RegExp) => [...new Set([...code.matchAll(re)].map((m) => m[1]))];
  return {
    static: names(/(?:from|import)\s*"\.\/([\w-]+\.js)"/g),
    dynamic: names(/import\(\s*"\.\/([\w-]+\.js)"\s*\)/g),
  };
}
