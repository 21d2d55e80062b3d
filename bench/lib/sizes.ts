/** @module Download weight of a file: raw, `gzip -9` and brotli at its highest quality. */
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

/** Compressed size with the `gzip -9` command (what PEERS.md used), else zlib at level 9. */
async function gzipSize(bytes: Uint8Array): Promise<number> {
  try {
    const child = new Deno.Command("gzip", {
      args: ["-9", "-n", "-c"],
      stdin: "piped",
      stdout: "piped",
      stderr: "null",
    }).spawn();
    const writer = child.stdin.getWriter();
    await writer.write(bytes);
    await writer.close();
    const { code, stdout } = await child.output();
    if (code === 0) return stdout.byteLength;
  } catch {
    // No gzip command: zlib below.
  }
  return gzipSync(bytes, { level: 9 }).byteLength;
}

/** Raw, gzip -9 and brotli (quality 11) sizes of some bytes. */
export async function sizes(
  bytes: Uint8Array,
): Promise<{ raw: number; gzip: number; brotli: number }> {
  return {
    raw: bytes.byteLength,
    gzip: await gzipSize(bytes),
    brotli: brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11 },
    }).byteLength,
  };
}
