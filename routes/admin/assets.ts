/**
 * @module `/admin/assets/*`: the admin stylesheet (`static/admin.css`, hand-written) and the
 * islands bundle (`static/build/admin.js`, made by `build.ts` from `islands/admin/client.ts`).
 * Served with an ETag and `no-cache`, so a rebuild shows up on the next page load.
 */
import { Hono } from "hono";
import type { AdminEnv } from "./middleware.ts";

const STATIC = new URL("../../static/", import.meta.url);

/** The built admin bundle's path (the `build.ts` entry writes it). */
export const ADMIN_BUNDLE = new URL("build/admin.js", STATIC);

const FILES: Record<string, { url: URL; type: string }> = {
  "admin.css": { url: new URL("admin.css", STATIC), type: "text/css; charset=utf-8" },
  "admin.js": { url: ADMIN_BUNDLE, type: "text/javascript; charset=utf-8" },
};

function hex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The asset routes. */
export const assetRoutes = new Hono<AdminEnv>()
  .get("/:file", async (c) => {
    const file = FILES[c.req.param("file")];
    if (!file) return c.text("Not found", 404);
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = await Deno.readFile(file.url) as Uint8Array<ArrayBuffer>;
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      // Pages work without their islands; say plainly what is missing.
      return c.text("/* Parley: run `deno task build` to build the admin bundle */", 404);
    }
    const etag = `"${hex(await crypto.subtle.digest("SHA-256", bytes)).slice(0, 32)}"`;
    c.header("ETag", etag);
    c.header("Cache-Control", "no-cache");
    c.header("Content-Type", file.type);
    if (c.req.header("if-none-match") === etag) return c.body(null, 304);
    return c.body(bytes);
  });
