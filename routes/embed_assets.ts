/**
 * @module The widget's files: the loader (`/embed/widget.js`), the chat frame page
 * (`/embed/widget-frame.html?id=`, framed only by the widget's allowed domains through
 * `Content-Security-Policy: frame-ancestors`), its script and stylesheet, and the browser-call
 * chunk. Bundles come from `static/build/` (written by `build.ts`), with ETags, caching and gzip.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { frameAncestors } from "../lib/origins.ts";
import { isUuid } from "../lib/validate.ts";
import { callingCodeOf, phoneEnabled } from "../calls/phone_policy.ts";
import { toPublicConfig } from "../db/wire.ts";
import { getWidgetById } from "../db/queries/widgets.ts";
import { selfOrigin } from "../lib/origins.ts";
import { chunkImports, type Encoding, ENCODINGS, pickEncoding } from "../lib/bundles.ts";
import { accessibleFill, themeOrDefault } from "../embed/color.ts";
import { acceptedLanguages, directionOf, LOCALES, pickLocale } from "../lib/locale.ts";

/** A built file ready to serve. */
interface Asset {
  body: Uint8Array<ArrayBuffer>;
  /** The build's precompressed copies (`.br`, `.gz`); gzip is made here when the build wrote none. */
  encoded: { br?: Uint8Array<ArrayBuffer>; gzip: Uint8Array<ArrayBuffer> };
  /** Content hash (hex), the ETag and the `?v=` of versioned URLs. */
  hash: string;
  mtime: number;
}

/** Options of the asset routes; tests may point at another build directory. */
export interface EmbedAssetOptions {
  dir?: URL;
}

const TYPES: Record<string, string> = {
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

async function gzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest.subarray(0, 10), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Reads built files, re-reading one only when its mtime changes (a rebuild under a live server). */
function assetCache(dir: URL) {
  const cache = new Map<string, Promise<Asset | undefined>>();
  const load = async (name: string, mtime: number): Promise<Asset | undefined> => {
    const body = await Deno.readFile(new URL(name, dir)) as Uint8Array<ArrayBuffer>;
    const encoded: Partial<Record<Encoding, Uint8Array<ArrayBuffer>>> = {};
    for (const e of ENCODINGS) {
      const file = new URL(name + e.suffix, dir);
      // A copy older than the file belongs to an earlier build: never send it.
      const fresh = await Deno.stat(file).then(
        (i) => (i.mtime?.getTime() ?? 0) >= mtime,
        () => false,
      );
      if (fresh) encoded[e.name] = await Deno.readFile(file) as Uint8Array<ArrayBuffer>;
    }
    return {
      body,
      encoded: { br: encoded.br, gzip: encoded.gzip ?? await gzip(body) },
      hash: await sha256Hex(body),
      mtime,
    };
  };
  return async (name: string): Promise<Asset | undefined> => {
    let mtime: number;
    try {
      mtime = (await Deno.stat(new URL(name, dir))).mtime?.getTime() ?? 0;
    } catch {
      return undefined;
    }
    const cached = await cache.get(name);
    if (cached && cached.mtime === mtime) return cached;
    const loading = load(name, mtime).catch(() => undefined);
    cache.set(name, loading);
    return await loading;
  };
}

const NOT_FRAMED = "This chat opens on the website that offers it.";
const NOT_BUILT =
  "The widget bundles are not built yet; run `deno task build` or restart the server";

function unavailablePage(status: 403 | 404 | 503, text: string): Response {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1"><title>Chat unavailable</title>` +
    `<style>html,body{height:100%;margin:0}body{display:grid;place-items:center;font:15px/1.5 ` +
    `system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#4b5563;background:#fff;text-align:center;padding:24px}` +
    `p{max-width:260px;margin:0}</style></head><body><p data-unavailable>${text}</p></body></html>`;
  return new Response(html, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
      "cache-control": "no-store",
    },
  });
}

/** The asset routes, mounted at `/embed`. */
export function embedAssetRoutes(options: EmbedAssetOptions = {}): Hono<AppEnv> {
  const asset = assetCache(options.dir ?? new URL("../static/build/", import.meta.url));

  /**
   * Serves a built file; `?v=<hash>` URLs and content-hashed chunk names are immutable, others
   * revalidate after 5 minutes.
   */
  async function serve(c: Context<AppEnv>, name: string, immutable = false): Promise<Response> {
    const a = await asset(name);
    if (!a) {
      return c.json({ error: { code: "unavailable", message: NOT_BUILT } }, 503, {
        "Retry-After": "5",
      });
    }
    const etag = `"${a.hash}"`;
    const headers: Record<string, string> = {
      "content-type": TYPES[name.split(".").pop()!] ?? "application/octet-stream",
      "etag": etag,
      "cache-control": immutable || c.req.query("v") === a.hash
        ? "public, max-age=31536000, immutable"
        : "public, max-age=300",
      // Host pages on any origin load the loader, and import the teaser module (a CORS fetch).
      "cross-origin-resource-policy": "cross-origin",
      "access-control-allow-origin": "*",
      "x-content-type-options": "nosniff",
      "vary": "Accept-Encoding",
    };
    const match = c.req.header("if-none-match");
    if (match && match.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) {
      return new Response(null, { status: 304, headers });
    }
    const coding = pickEncoding(
      c.req.header("accept-encoding"),
      a.encoded.br ? ["br", "gzip"] : ["gzip"],
    );
    const body = coding === "identity" ? a.body : a.encoded[coding]!;
    if (coding !== "identity") headers["content-encoding"] = coding;
    return new Response(c.req.method === "HEAD" ? null : body, { headers });
  }

  return new Hono<AppEnv>()
    .get("/widget.js", (c) => serve(c, "widget.js"))
    .get("/widget-frame.js", (c) => serve(c, "widget-frame.js"))
    .get("/widget-frame.css", (c) => serve(c, "widget-frame.css"))
    .get("/widget-voice.css", (c) => serve(c, "widget-voice.css"))
    .get("/widget-dark.css", (c) => serve(c, "widget-dark.css"))
    .get("/widget-extras.css", (c) => serve(c, "widget-extras.css"))
    .get("/voice-web.js", (c) => serve(c, "voice-web.js"))
    .get("/teaser.js", (c) => serve(c, "teaser.js"))
    // One module per locale; the frame page names the one it needs with its hash.
    // Only the locales we build: any other name is a 404, not a "not built yet" 503.
    .get("/:file{locale-[a-z]{2}\\.js}", (c, next) => {
      const file = c.req.param("file");
      const locale = file.slice(7, 9);
      return LOCALES.some((l) => l === locale && l !== "en") ? serve(c, file) : next();
    })
    // The extras chunk's words per locale (the same locales).
    .get("/:file{extras-[a-z]{2}\\.js}", (c, next) => {
      const file = c.req.param("file");
      const locale = file.slice(7, 9);
      return LOCALES.some((l) => l === locale && l !== "en") ? serve(c, file) : next();
    })
    // Chunks of the frame (`build.ts` code splitting): content-hashed names, nothing else.
    .get("/:chunk{[a-z_]+-[A-Z0-9]{8}\\.js}", (c) => serve(c, c.req.param("chunk"), true))
    .get("/widget-frame.html", async (c) => {
      // Opened as a page of its own (a crafted link), the chat would run on our origin with the
      // header, colour and welcome of the link's choosing: say so and run nothing. Browsers that
      // do not send Sec-Fetch-Dest get the frame, whose script makes the same check.
      const dest = c.req.header("sec-fetch-dest");
      if (dest && dest !== "iframe" && dest !== "frame") {
        return unavailablePage(403, NOT_FRAMED);
      }
      const id = c.req.query("id") ?? "";
      const widget = isUuid(id) ? await getWidgetById(c.var.db, id) : undefined;
      if (!widget || !widget.isActive) {
        return unavailablePage(404, "This chat isn\u2019t available right now.");
      }
      const [js, css, voice, voiceCss] = await Promise.all([
        asset("widget-frame.js"),
        asset("widget-frame.css"),
        asset("voice-web.js"),
        asset("widget-voice.css"),
      ]);
      if (!js || !css || !voice || !voiceCss) return unavailablePage(503, NOT_BUILT);
      const self = selfOrigin(c.var.config.publicUrl, c.req.url);
      const csp = [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        // Our API and socket, plus the LiveKit cloud Retell's browser client talks to.
        `connect-src 'self' ${
          self.replace(/^http/, "ws")
        } https://*.livekit.cloud wss://*.livekit.cloud`,
        "media-src 'self' blob: mediastream:",
        "worker-src 'self' blob:",
        "base-uri 'none'",
        "form-action 'none'",
        `frame-ancestors ${frameAncestors(widget.allowedDomains, self)}`,
      ].join("; ");
      // JSON inside <script type="application/json"> is data, never run; `<` is escaped so no
      // value can close the element.
      // The theme is worked out here (the page's colour wins), so the frame ships no colour maths.
      const color = themeOrDefault(c.req.query("themeColor"), widget.themeColor);
      const theme = { color, ...accessibleFill(color) };
      // Only what the frame uses (the loader has the rest from /embed/config).
      const pub = toPublicConfig(widget);
      const config = JSON.stringify({
        id: pub.id,
        headerText: pub.headerText,
        welcomeMessage: pub.welcomeMessage,
        voiceMode: pub.voiceMode,
        // Only when the owner asks for one (the frame then loads the form's chunk).
        preChatForm: pub.preChatForm ?? undefined,
        // The phone field offers only these (the voice chunk reads them; the chat never does).
        phone: phoneEnabled(pub.voiceMode)
          ? pub.phoneCountries.map((code) => ({ code, callingCode: callingCodeOf(code) }))
          : [],
        theme,
        // Asked before any call (SPEC v2.5); only the voice chunk reads it.
        consent: pub.voiceConsentText ?? undefined,
      })
        .replace(/</g, "\\u003c");
      // The page's choice, then the owner's, then the browser's languages (the frame's request
      // carries them).
      const locale = pickLocale([
        c.req.query("locale"),
        widget.locale,
        ...acceptedLanguages(c.req.header("accept-language")),
      ]);
      const strings = locale === "en" ? undefined : await asset(`locale-${locale}.js`);
      // Dark colours only for pages (or, when the page says nothing, owners) that ask: "auto" lets
      // the visitor's system decide.
      const scheme = c.req.query("colorScheme") ?? widget.colorScheme;
      const dark = scheme === "dark" || scheme === "auto"
        ? await asset("widget-dark.css")
        : undefined;
      const html = `<!doctype html>
<html lang="${locale}" dir="${directionOf(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1,viewport-fit=cover">
<meta name="parley-voice" content="/embed/voice-web.js?v=${voice.hash}">
<meta name="parley-voice-css" content="/embed/widget-voice.css?v=${voiceCss.hash}">
<title>Chat</title>
<link rel="stylesheet" href="/embed/widget-frame.css?v=${css.hash}">${
        dark
          ? `\n<link rel="stylesheet" href="/embed/widget-dark.css?v=${dark.hash}"${
            scheme === "auto" ? ` media="(prefers-color-scheme: dark)"` : ""
          }>`
          : ""
      }${
        chunkImports(new TextDecoder().decode(js.body)).static
          .map((f) => `\n<link rel="modulepreload" href="/embed/${f}">`).join("")
      }${
        strings
          ? `\n<link rel="modulepreload" href="/embed/locale-${locale}.js?v=${strings.hash}" data-locale>`
          : ""
      }
<script type="application/json" id="parley-config">${config}</script>
<script type="module" src="/embed/widget-frame.js?v=${js.hash}"></script>
</head>
<body><div id="app"></div></body>
</html>
`;
      return c.body(html, 200, {
        "content-type": "text/html; charset=utf-8",
        "content-security-policy": csp,
        "cache-control": "no-cache",
        "vary": "Accept-Language",
        "referrer-policy": "strict-origin-when-cross-origin",
        "x-content-type-options": "nosniff",
      });
    });
}
