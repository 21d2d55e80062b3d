/**
 * @module Page context (SPEC v2.4): what `rtlChatWidget.setContext({...})` and the page itself
 * (`page_url`, `page_title`) tell the agent. It lives in a session's `metadata.context` and becomes
 * Retell dynamic variables, so it is bounded, string-valued and named like a prompt variable; the
 * URL keeps only its origin and path (a query or fragment can carry tokens).
 */
import { z } from "zod";
import { HttpError } from "../lib/errors.ts";
import { zodDetails } from "../lib/validate.ts";

/** The most JSON a page's context may take. */
export const MAX_CONTEXT_BYTES = 2048;

const ContextSchema = z.record(
  z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, {
    message: "keys must be letters, digits or _ (a Retell variable name)",
  }),
  z.string(),
).refine((v) => new TextEncoder().encode(JSON.stringify(v)).length <= MAX_CONTEXT_BYTES, {
  message: `must be at most ${MAX_CONTEXT_BYTES} bytes of JSON`,
});

/** `https://shop.example/cart?token=x#y` → `https://shop.example/cart`; undefined if not http(s). */
export function pageUrlOf(value: string): string | undefined {
  try {
    const url = new URL(value);
    if (url.protocol !== "https:" && url.protocol !== "http:") return undefined;
    return url.origin + url.pathname;
  } catch {
    return undefined;
  }
}

/**
 * Validates `metadata.context` (when present) and trims `page_url` to origin + path; a 400 names
 * what is wrong. Other metadata passes untouched.
 */
export function withPageContext(metadata: Record<string, unknown>): Record<string, unknown> {
  if (metadata.context === undefined) return metadata;
  const parsed = ContextSchema.safeParse(metadata.context);
  if (!parsed.success) {
    throw new HttpError(400, "validation_failed", "Invalid body", {
      details: zodDetails(parsed.error).map((d) => ({
        ...d,
        path: ["metadata", "context", d.path].filter(Boolean).join("."),
      })),
    });
  }
  const context = { ...parsed.data };
  if (context.page_url !== undefined) {
    const url = pageUrlOf(context.page_url);
    if (url) context.page_url = url;
    else delete context.page_url;
  }
  return { ...metadata, context };
}

/** The page context stored on a session (string values only). */
export function contextOf(metadata: Record<string, unknown>): Record<string, string> {
  const context = metadata.context;
  if (!context || typeof context !== "object" || Array.isArray(context)) return {};
  return Object.fromEntries(
    Object.entries(context).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
}
