/** @module One error class for every expected failure, rendered by `app.onError` as the spec envelope. */
import { HTTPException } from "hono/http-exception";
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
  "consent_required",
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

/** Any thrown value, classified once for every renderer (JSON for the API, HTML for admin pages). */
export interface ClassifiedError {
  status: ContentfulStatusCode;
  code: ErrorCode;
  /** For the API client; the HTML renderer may say it in friendlier words (`expected: false`). */
  message: string;
  details?: unknown;
  headers?: Record<string, string>;
  /** True when our code threw it on purpose (`HttpError`), so its message is meant for people. */
  expected: boolean;
  /** Nothing we know of: log it with its stack (never shown to the client). */
  unexpected: boolean;
}

const STATUS_CODES: Partial<Record<number, ErrorCode>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  409: "conflict",
  413: "payload_too_large",
  429: "rate_limited",
  503: "unavailable",
};

/**
 * The one mapping of thrown values to statuses and codes: our `HttpError` as it says; Hono's
 * `HTTPException` (its CSRF check, for instance) by its status; a database that cannot be reached
 * → 503; a unique violation → 409; a value PostgreSQL cannot store → 400; anything else → 500.
 */
export function classifyError(err: unknown): ClassifiedError {
  if (err instanceof HttpError) {
    return {
      status: err.status,
      code: err.code,
      message: err.message,
      details: err.details,
      headers: err.headers,
      expected: true,
      unexpected: false,
    };
  }
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const code = STATUS_CODES[status] ?? (status >= 500 ? "internal" : "bad_request");
    return { status, code, message: err.message, expected: false, unexpected: status >= 500 };
  }
  if (isConnectionError(err)) {
    return {
      status: 503,
      code: "database_unavailable",
      message: "The database is unavailable, try again shortly",
      headers: { "Retry-After": "5" },
      expected: false,
      unexpected: false,
    };
  }
  const code = dbErrorCode(err);
  if (code === "23505") {
    return {
      status: 409,
      code: "conflict",
      message: "This already exists",
      expected: false,
      unexpected: false,
    };
  }
  // A value the database cannot store as given (bad encoding, too long): the client's input.
  if (code === "22021" || code === "22P05" || code === "22001" || code === "22P02") {
    return {
      status: 400,
      code: "bad_request",
      message: "A value in the request cannot be stored",
      expected: false,
      unexpected: false,
    };
  }
  return {
    status: 500,
    code: "internal",
    message: "Something went wrong on our side",
    expected: false,
    unexpected: true,
  };
}

/** The JSON renderer: the SPEC's error envelope. */
export function jsonErrorResponse(e: ClassifiedError): Response {
  return new Response(JSON.stringify(errorBody(e.code, e.message, e.details)), {
    status: e.status,
    headers: { "content-type": "application/json; charset=utf-8", ...e.headers },
  });
}
