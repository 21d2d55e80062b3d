/**
 * @module What the host page and the chat frame download, measured one way for the benchmark and
 * for the weight test: the loader alone, and the frame as its HTML plus every script and
 * stylesheet the HTML names (what loads before the visitor acts). Lazy chunks are not counted.
 * A file the server sends precompressed (`Content-Encoding` with a `Content-Length`) weighs what
 * it sends, since that is what the browser downloads; anything compressed on the fly (the frame's
 * HTML) weighs its `gzip -9` and brotli-11 sizes.
 */
import { sizes } from "./sizes.ts";

/** The weight of one file or a sum of files. */
export interface Weight {
  raw: number;
  gzip: number;
  brotli: number;
}

/** The budgets of SPEC v2.5: the contract the weight test holds. */
export const WEIGHT_BUDGET = { loaderGzip: 3 * 1024, frameGzip: 20 * 1024 } as const;

/** Fetches a file uncompressed (the sizes are computed here, the same way every time). */
export async function fetchBytes(url: string): Promise<Uint8Array | undefined> {
  const res = await fetch(url, { headers: { "accept-encoding": "identity" } });
  if (!res.ok) {
    await res.body?.cancel();
    return undefined;
  }
  return new Uint8Array(await res.arrayBuffer());
}

/** The compressed size the server sends for `url` in `coding`, if it sends one with a length. */
async function servedSize(url: string, coding: "gzip" | "br"): Promise<number | undefined> {
  const res = await fetch(url, { headers: { "accept-encoding": coding } });
  await res.body?.cancel();
  const length = res.headers.get("content-length");
  return res.ok && res.headers.get("content-encoding") === coding && length
    ? Number(length)
    : undefined;
}

/** The weight of a served file: what the server sends, else computed from its bytes. */
export async function weigh(url: string): Promise<Weight | undefined> {
  const bytes = await fetchBytes(url);
  if (!bytes) return undefined;
  const computed = await sizes(bytes);
  return {
    raw: computed.raw,
    gzip: (await servedSize(url, "gzip")) ?? computed.gzip,
    brotli: (await servedSize(url, "br")) ?? computed.brotli,
  };
}

/** Adds weights up. */
export function total(parts: Record<string, Weight>): Weight {
  return Object.values(parts).reduce(
    (t, p) => ({ raw: t.raw + p.raw, gzip: t.gzip + p.gzip, brotli: t.brotli + p.brotli }),
    { raw: 0, gzip: 0, brotli: 0 },
  );
}

/** The loader and the frame (HTML + what it names) of a widget on the server at `base`. */
export async function widgetWeights(base: string, widgetId: string): Promise<
  { loader: Weight; frame: Record<string, Weight>; frameHtml: string } | undefined
> {
  const loader = await weigh(`${base}/embed/widget.js`);
  const html = await fetchBytes(`${base}/embed/widget-frame.html?id=${widgetId}`);
  if (!loader || !html) return undefined;
  const frameHtml = new TextDecoder().decode(html);
  const refs = [...frameHtml.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"/g)].map((
    m,
  ) => m[1]);
  const frame: Record<string, Weight> = { "widget-frame.html": await sizes(html) };
  for (const ref of refs) {
    const weight = await weigh(new URL(ref, `${base}/embed/`).toString());
    if (weight) frame[new URL(ref, base).pathname.split("/").pop()!] = weight;
  }
  return { loader, frame, frameHtml };
}
