/** @module Reading and validating request input at the edge, with our error envelope. */
import type { Context } from "hono";
import { z } from "zod";
import { HttpError } from "./errors.ts";

/** zod issues → a compact, stable `details` array. */
export function zodDetails(error: z.ZodError): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.join("."), message: i.message }));
}

/** Validates any value, throwing our 400 on failure. */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what = "body",
): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new HttpError(400, "validation_failed", `Invalid ${what}`, {
      details: zodDetails(result.error),
    });
  }
  return result.data;
}

/**
 * Reads the JSON body and validates it. Hono's `json` validator yields `{}` for a non-JSON content
 * type; we would rather say so.
 */
export async function readJson<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw new HttpError(400, "invalid_json", "Content-Type must be application/json");
  }
  let value: unknown;
  try {
    const text = await c.req.text();
    // PostgreSQL text cannot hold NUL; refuse it here rather than fail at the database.
    if (text.includes("\0") || /\\u0000/i.test(text)) {
      throw new HttpError(400, "bad_request", "Body must not contain NUL characters");
    }
    value = JSON.parse(text);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw new HttpError(400, "invalid_json", "Body is not valid JSON");
  }
  return parseWith(schema, value);
}

/** Validates a route's `:id` as a UUID; anything else cannot exist, so it is a 404. */
export function idParam(c: Context, what: string, name = "id"): string {
  const id = c.req.param(name) ?? "";
  if (!z.uuid().safeParse(id).success) {
    throw new HttpError(404, "not_found", `Cannot find ${what} "${id.slice(0, 100)}"`);
  }
  return id;
}

/** True for a syntactically valid UUID. */
export function isUuid(value: string): boolean {
  return z.uuid().safeParse(value).success;
}
