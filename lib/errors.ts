/** @module One error class for every expected failure, rendered by `app.onError` as the spec envelope. */
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Error codes clients can switch on (the contract's `ErrorCode` enum is built from this list). */
export const ERROR_CODES = [
  "bad_request",
  "validation_failed",
  "invalid_json",
  "unauthorized",
  "forbidden",
  "identity_invalid",
  "identity_required",
  "not_found",
  "conflict",
  "gone",
  "payload_too_large",
  "rate_limited",
  "phone_not_enabled",
  "phone_country_not_allowed",
  "phone_number_not_allowed",
  "retell_failed",
  "retell_key_invalid",
  "retell_resource_unknown",
  "signup_closed",
  "database_unavailable",
  "unavailable",
  "internal",
] as const;
export type ErrorCode = typeof ERROR_CODES[number];

/** An error with the HTTP status and code the client receives. */
export class HttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: ErrorCode;
  readonly details?: unknown;
  readonly headers?: Record<string, string>;

  constructor(
    status: ContentfulStatusCode,
    code: ErrorCode,
    message: string,
    options: { details?: unknown; cause?: unknown; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "HttpError";
    this.status = status;
    this.code = code;
    this.details = options.details;
    this.headers = options.headers;
  }
}

/** 404 that never reveals whether the thing exists in another organization. */
export function notFound(what: string, id?: string): HttpError {
  return new HttpError(
    404,
    "not_found",
    id ? `Cannot find ${what} "${id}"` : `Cannot find ${what}`,
  );
}

/** The JSON body of every error response. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: unknown };
}

/** Builds the envelope. */
export function errorBody(code: ErrorCode, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "53300",
  "55000",
  "3D000",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08006",
]);

/** Walks `cause` chains (drizzle wraps driver errors) looking for a pg or socket error code. */
export function dbErrorCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** True when the error means the database cannot be reached (→ 503). */
export function isConnectionError(err: unknown): boolean {
  const code = dbErrorCode(err);
  if (code && CONNECTION_CODES.has(code)) return true;
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const msg = String((e as Error).message ?? "");
    if (/PGlite is closed|connection (terminated|refused|ended)|ECONNREFUSED/i.test(msg)) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
