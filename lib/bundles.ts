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

/** The encodings `build.ts` writes beside each file (`name.br`, `name.gz`), best first. */
export const ENCODINGS = [
  { name: "br", suffix: ".br" },
  { name: "gzip", suffix: ".gz" },
] as const;

/** A content coding the server can send. */
export type Encoding = (typeof ENCODINGS)[number]["name"] | "identity";

/**
 * The encoding to send for an `Accept-Encoding` header (RFC 9110 §12.5.3) among those `available`:
 * brotli, then gzip, each unless refused with `q=0` (`*` accepts both), else the bytes as they are.
 */
export function pickEncoding(
  header: string | undefined,
  available: readonly Encoding[] = ["br", "gzip"],
): Encoding {
  const q = new Map<string, number>();
  for (const part of (header ?? "").toLowerCase().split(",")) {
    const [coding, ...params] = part.trim().split(";");
    if (!coding) continue;
    const weight = params.map((p) => p.trim().match(/^q=([01](?:\.\d{0,3})?)$/)?.[1]).find(Boolean);
    q.set(coding, weight === undefined ? 1 : Number(weight));
  }
  const accepts = (c: string) => (q.get(c) ?? q.get("*") ?? 0) > 0;
  return available.find((e) => e !== "identity" && accepts(e)) ?? "identity";
}
