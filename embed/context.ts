/**
 * @module The page context as the server accepts it (SPEC v2.4; `conversations/page_context.ts`
 * checks the same): string values under prompt-variable names, at most 2 KB of JSON. A page's
 * extra or oversized keys are dropped here rather than failing the visitor's chat.
 */

const KEY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** The context trimmed to what the server takes; page_url and page_title are kept first. */
export function cleanContext(context: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  const entries = Object.entries(context ?? {}).sort(([a], [b]) =>
    Number(!a.startsWith("page_")) - Number(!b.startsWith("page_"))
  );
  for (const [k, v] of entries) {
    if (!KEY.test(k) || typeof v !== "string") continue;
    out[k] = k === "page_title" ? v.slice(0, 300) : v;
    if (new TextEncoder().encode(JSON.stringify(out)).length > 2048) delete out[k];
  }
  return out;
}
