/**
 * @module What the host page and the chat frame download, measured one way for the benchmark and
 * for the weight test: the loader alone, and the frame as its HTML plus every script and
 * stylesheet the HTML names (what loads before the visitor acts). Lazy chunks are not counted.
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
  const loader = await fetchBytes(`${base}/embed/widget.js`);
  const html = await fetchBytes(`${base}/embed/widget-frame.html?id=${widgetId}`);
  if (!loader || !html) return undefined;
  const frameHtml = new TextDecoder().decode(html);
  const refs = [...frameHtml.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+)"/g)].map((
    m,
  ) => m[1]);
  const frame: Record<string, Weight> = { "widget-frame.html": await sizes(html) };
  for (const ref of refs) {
    const bytes = await fetchBytes(new URL(ref, `${base}/embed/`).toString());
    if (bytes) frame[new URL(ref, base).pathname.split("/").pop()!] = await sizes(bytes);
  }
  return { loader: await sizes(loader), frame, frameHtml };
}
