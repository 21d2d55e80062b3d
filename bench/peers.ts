/**
 * @module What a page pays for the other widgets, re-measured from their npm packages so anyone
 * can reproduce the comparison in BENCHMARKS.md: `deno run -A bench/peers.ts` (or `BENCH_PEERS=1
 * deno task bench`). Installs each package with npm into a temporary folder and prints the raw,
 * gzip -9 and brotli sizes of the one script its embed snippet loads.
 */
import { sizes } from "./lib/sizes.ts";
import { emit, progress, skip } from "./lib/report.ts";

/** The script each widget's embed snippet loads, as its CDN serves it from the npm package. */
export const PEERS = [
  {
    widget: "ElevenLabs Agents widget",
    pkg: "@elevenlabs/convai-widget-embed",
    version: "0.5.4",
    file: "dist/index.js",
  },
  {
    widget: "Vapi widget",
    pkg: "@vapi-ai/client-sdk-react",
    version: "0.1.1",
    file: "dist/embed/widget.umd.js",
  },
  { widget: "Typebot bubble", pkg: "@typebot.io/js", version: "0.10.7", file: "dist/web.js" },
  {
    widget: "Botpress webchat",
    pkg: "@botpress/webchat",
    version: "4.5.2",
    file: "dist/index.umd.cjs",
  },
] as const;

/** Installs the packages and prints one figure per widget. */
export async function runPeersBench(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "parley-peers-" });
  try {
    await Deno.writeTextFile(`${dir}/package.json`, '{"name":"peers","private":true}');
    progress(`npm install of ${PEERS.length} widget packages into ${dir}`);
    const { code, stderr } = await new Deno.Command("npm", {
      args: [
        "install",
        "--no-audit",
        "--no-fund",
        "--ignore-scripts",
        "--omit=peer",
        "--legacy-peer-deps",
        ...PEERS.map((p) => `${p.pkg}@${p.version}`),
      ],
      cwd: dir,
      stdout: "null",
      stderr: "piped",
    }).output();
    if (code !== 0) {
      skip("peers", `npm install failed: ${new TextDecoder().decode(stderr).slice(0, 500)}`);
      return;
    }
    for (const p of PEERS) {
      const path = `${dir}/node_modules/${p.pkg}/${p.file}`;
      let bytes: Uint8Array;
      try {
        bytes = await Deno.readFile(path);
      } catch {
        skip(`peers.${p.pkg}`, `${p.file} is not in ${p.pkg}@${p.version}`);
        continue;
      }
      emit({
        name: "peers.weight",
        widget: p.widget,
        package: `${p.pkg}@${p.version}`,
        file: p.file,
        ...(await sizes(bytes)),
      });
    }
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) await runPeersBench();
