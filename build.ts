/**
 * @module Browser bundles: `deno bundle` turns the loader, the chat frame and the browser-call
 * chunk into `static/build/`. `deno task build` runs it; `main.ts` runs it as a child process
 * with `--if-stale` (and the tests call `ensureBuilt()`), which rebuilds only when a source is
 * newer than an output, so a fresh clone needs no extra step. Runtime code never imports this
 * file: the server reads what it wrote through `lib/bundles.ts`.
 */
import { log } from "./lib/log.ts";
import { LOCALES } from "./lib/locale.ts";
import { chunkImports, ENCODINGS } from "./lib/bundles.ts";
import { gzipAsync } from "@gfx/zopfli";
import { brotliCompress, constants } from "node:zlib";
import { promisify } from "node:util";

const ROOT = new URL("./", import.meta.url);
/** Where the bundles are written (gitignored). */
export const BUILD_DIR = new URL("static/build/", ROOT);

/** One `deno bundle` entry. */
export interface Bundle {
  entry: string;
  out: string;
  /** `iife` for a classic `<script>` (the loader), `esm` for modules and dynamic imports. */
  format: "iife" | "esm";
  /**
   * Dynamic imports become chunks of their own (`name-HASH.js` beside the bundle, shared code in
   * `chunk-HASH.js`), fetched only when the code that imports them runs.
   */
  split?: boolean;
}

/** Every bundle the server serves; add admin island entries here too. */
export const BUNDLES: Bundle[] = [
  { entry: "embed/loader.ts", out: "widget.js", format: "iife" },
  { entry: "embed/frame.tsx", out: "widget-frame.js", format: "esm", split: true },
  { entry: "embed/voice_web.ts", out: "voice-web.js", format: "esm" },
  // The teaser bubble: the loader imports it only for widgets that show one.
  { entry: "embed/teaser.ts", out: "teaser.js", format: "esm" },
  // The widget's languages other than English: one small module each, loaded only by their users.
  ...LOCALES.filter((l) => l !== "en").map((l): Bundle => ({
    entry: `embed/locales/${l}.ts`,
    out: `locale-${l}.js`,
    format: "esm",
  })),
  // The extras chunk's words (pre-chat form, rating, header menu), loaded only with that chunk.
  ...LOCALES.filter((l) => l !== "en").map((l): Bundle => ({
    entry: `embed/locales/extras/${l}.ts`,
    out: `extras-${l}.js`,
    format: "esm",
  })),
  { entry: "islands/admin/client.ts", out: "admin.js", format: "esm" },
];

/** Stylesheets copied (minified) next to the bundles. */
const STYLES = [
  { from: "static/widget-frame.css", out: "widget-frame.css" },
  { from: "static/widget-voice.css", out: "widget-voice.css" },
  { from: "static/widget-dark.css", out: "widget-dark.css" },
  { from: "static/widget-extras.css", out: "widget-extras.css" },
];

/** What the outputs are made from: any of these newer than an output means a rebuild. */
const SOURCES = [
  "embed",
  "islands/widget",
  "components/widget",
  "islands/admin",
  "components/admin",
  "contract",
  "client",
  "static/widget-frame.css",
  "static/widget-voice.css",
  "static/widget-dark.css",
  "static/widget-extras.css",
  "embed/locales",
  "lib/locale.ts",
  "deno.json",
  "deno.lock",
  "build.ts",
];

async function newestMtime(path: URL): Promise<number> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return 0;
    throw err;
  }
  if (!info.isDirectory) return info.mtime?.getTime() ?? 0;
  let newest = 0;
  for await (const entry of Deno.readDir(path)) {
    const child = new URL(entry.name + (entry.isDirectory ? "/" : ""), path);
    newest = Math.max(newest, await newestMtime(child));
  }
  return newest;
}

/** Output file names, bundles and styles. */
export function outputs(): string[] {
  return [...BUNDLES.map((b) => b.out), ...STYLES.map((s) => s.out)];
}

/** True when an output is missing or older than a source (or a chunk it needs is missing). */
export async function isStale(): Promise<boolean> {
  const sources = await Promise.all(
    SOURCES.map((s) => newestMtime(new URL(s + (s.includes(".") ? "" : "/"), ROOT))),
  );
  const newestSource = Math.max(...sources);
  for (const out of outputs()) {
    const mtime = await newestMtime(new URL(out, BUILD_DIR));
    if (mtime === 0 || mtime < newestSource) return true;
    for (const e of ENCODINGS) {
      if (await newestMtime(new URL(out + e.suffix, BUILD_DIR)) < mtime) return true;
    }
  }
  for (const b of BUNDLES.filter((b) => b.split)) {
    const { static: s, dynamic: d } = chunkImports(
      await Deno.readTextFile(new URL(b.out, BUILD_DIR)),
    );
    for (const chunk of [...s, ...d]) {
      if (!(await newestMtime(new URL(chunk, BUILD_DIR)))) return true;
    }
  }
  return false;
}

// Writes go to a temporary name and are renamed into place, so a server (or a parallel test
// process building at the same time) never reads half a file.
async function writeAtomically(out: string, write: (tmp: URL) => Promise<void>): Promise<void> {
  const tmp = new URL(`.${out}.${crypto.randomUUID()}.tmp`, BUILD_DIR);
  try {
    await write(tmp);
    await Deno.rename(tmp, new URL(out, BUILD_DIR));
  } catch (err) {
    await Deno.remove(tmp).catch(() => {});
    throw err;
  }
}

async function bundle(b: Bundle): Promise<void> {
  if (b.split) return await splitBundle(b);
  await writeAtomically(
    b.out,
    (tmp) => denoBundle(["--platform", "browser", "--format", b.format, b.entry], tmp.pathname),
  );
}

/** Runs `deno bundle --quiet --minify … --output <out>`; throws with its stderr on failure. */
async function denoBundle(args: string[], out: string): Promise<void> {
  const { code, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bundle", "--quiet", "--minify", "--output", out, ...args],
    cwd: ROOT.pathname,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (code !== 0) {
    throw new Error(`deno bundle ${args.at(-1)} failed:\n${new TextDecoder().decode(stderr)}`);
  }
}

/**
 * A code-split bundle: built into a private directory, then chunks (content-hashed names, so a
 * concurrent build writes identical files) are moved in first and the entry last, so the entry
 * never points at a chunk that is not there yet. Old chunks are left: they are small and gitignored.
 */
async function splitBundle(b: Bundle): Promise<void> {
  const dir = new URL(`.split-${crypto.randomUUID()}/`, BUILD_DIR);
  try {
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: [
        "bundle",
        "--quiet",
        "--platform",
        "browser",
        "--minify",
        "--format",
        b.format,
        "--code-splitting",
        "--outdir",
        dir.pathname,
        b.entry,
      ],
      cwd: ROOT.pathname,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      throw new Error(`deno bundle ${b.entry} failed:\n${new TextDecoder().decode(stderr)}`);
    }
    const entry = b.entry.split("/").pop()!.replace(/\.tsx?$/, ".js");
    for await (const f of Deno.readDir(dir)) {
      if (f.name !== entry) await Deno.rename(new URL(f.name, dir), new URL(f.name, BUILD_DIR));
    }
    await Deno.rename(new URL(entry, dir), new URL(b.out, BUILD_DIR));
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

const brotli = promisify(brotliCompress);
/**
 * Past these sizes the slowest settings take seconds for a few hundred bytes (the admin bundle,
 * the browser-call client), so zlib's gzip and brotli quality 9 are used instead; every file of
 * the widget's first load is far below them.
 */
const ZOPFLI_MAX = 32 * 1024;
const BROTLI_MAX_QUALITY_MAX = 128 * 1024;

/**
 * Writes `name.gz` and `name.br` beside every script and stylesheet that has none newer than it:
 * the server sends them as they are (content negotiation), so the compression can be the slowest
 * and smallest there is. Zopfli's gzip is 2–3 % smaller than `gzip -9` and any browser reads it;
 * brotli at quality 11 is another 10–15 % smaller where the browser accepts it.
 */
async function precompress(): Promise<void> {
  const jobs: Promise<void>[] = [];
  for await (const f of Deno.readDir(BUILD_DIR)) {
    if (!f.isFile || !/^[\w-]+\.(js|css)$/.test(f.name)) continue;
    const source = new URL(f.name, BUILD_DIR);
    const mtime = await newestMtime(source);
    for (const e of ENCODINGS) {
      if (await newestMtime(new URL(f.name + e.suffix, BUILD_DIR)) >= mtime) continue;
      jobs.push((async () => {
        const bytes = await Deno.readFile(source);
        const packed = e.name === "br"
          ? await brotli(bytes, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: bytes.byteLength <= BROTLI_MAX_QUALITY_MAX ? 11 : 9,
              [constants.BROTLI_PARAM_SIZE_HINT]: bytes.byteLength,
            },
          })
          : bytes.byteLength <= ZOPFLI_MAX
          ? await gzipAsync(bytes, { numiterations: 15 })
          : await new Response(
            new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
          ).bytes();
        await writeAtomically(f.name + e.suffix, (tmp) => Deno.writeFile(tmp, packed));
      })());
    }
  }
  await Promise.all(jobs);
}

/** Builds every bundle and stylesheet; returns their sizes in bytes. */
export async function build(): Promise<Record<string, number>> {
  const started = performance.now();
  await Deno.mkdir(BUILD_DIR, { recursive: true });
  // The first `deno bundle` on a machine unpacks esbuild into Deno's cache; several doing it at
  // once race on the same file and fail ("failed to copy esbuild binary"), so one goes first.
  const [first, ...rest] = BUNDLES;
  await bundle(first);
  await Promise.all([
    ...rest.map(bundle),
    // esbuild (inside `deno bundle`) minifies CSS properly: no hand-written regexes that could
    // change a selector's meaning.
    ...STYLES.map((s) => writeAtomically(s.out, (tmp) => denoBundle([s.from], tmp.pathname))),
  ]);
  await precompress();
  const sizes: Record<string, number> = {};
  for (const out of outputs()) sizes[out] = (await Deno.stat(new URL(out, BUILD_DIR))).size;
  log.info("built browser bundles", { ms: Math.round(performance.now() - started), sizes });
  return sizes;
}

let ensured: Promise<void> | undefined;
/**
 * Builds when missing or stale; once per process. Parallel test files and a starting server may
 * all ask at once: an exclusive lock on a file in the build directory lets one build while the
 * others wait, then find the outputs fresh.
 */
export function ensureBuilt(): Promise<void> {
  ensured ??= (async () => {
    if (!(await isStale())) return;
    await Deno.mkdir(BUILD_DIR, { recursive: true });
    using lock = await Deno.open(new URL(".build.lock", BUILD_DIR), {
      create: true,
      write: true,
    });
    await lock.lock(true);
    if (await isStale()) await build();
  })();
  return ensured;
}

if (import.meta.main) {
  if (Deno.args.includes("--if-stale")) await ensureBuilt();
  else await build();
}
