/** @module Errors on admin pages are pages too: same status codes as the API, HTML for people. */
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { render } from "preact-render-to-string";
import { dbErrorCode, HttpError, isConnectionError } from "../../lib/errors.ts";
import { log } from "../../lib/log.ts";
import { AppShell, Document } from "../../components/admin/Layout.tsx";
import { Icon, Logo } from "../../components/admin/icons.tsx";
import type { AdminEnv } from "./middleware.ts";

const TITLES: Partial<Record<number, string>> = {
  400: "That did not work",
  403: "Not allowed",
  404: "Page not found",
  409: "Already exists",
  413: "Too large",
  429: "Slow down",
  503: "Temporarily unavailable",
};

function ErrorContent({ title, message }: { title: string; message: string }) {
  return (
    <div class="empty-state error-state" role="alert">
      <div class="empty-icon">
        <Icon name="alert" size={28} />
      </div>
      <h1>{title}</h1>
      <p>{message}</p>
      <a class="btn btn-secondary" href="/admin/conversations">Go to the inbox</a>
    </div>
  );
}

/** Maps a thrown value to a status and a message fit for a person; logs the unexpected. */
function describe(err: unknown, c: Context<AdminEnv>) {
  if (err instanceof HttpError) {
    return { status: err.status, message: err.message, headers: err.headers };
  }
  if (err instanceof HTTPException) {
    // hono/csrf refuses a cross-origin form post this way.
    const status = err.status as ContentfulStatusCode;
    return {
      status,
      message: status === 403 ? "This request did not come from a Parley page." : err.message,
    };
  }
  if (isConnectionError(err)) {
    return {
      status: 503 as const,
      message: "The database cannot be reached right now. Try again in a few seconds.",
      headers: { "Retry-After": "5" },
    };
  }
  if (dbErrorCode(err) === "23505") {
    return { status: 409 as const, message: "Something with these details already exists." };
  }
  log.error("unhandled admin error", {
    method: c.req.method,
    path: c.req.path,
    error: String(err),
    stack: (err as Error)?.stack,
  });
  return { status: 500 as const, message: "Something went wrong on our side. Try again." };
}

/** The admin sub-app's `onError`: an HTML page with the right status. */
export function renderAdminError(err: unknown, c: Context<AdminEnv>): Response {
  const { status, message, headers } = describe(err, c);
  const title = TITLES[status] ?? "Something went wrong";
  const account = c.get("account"), csrf = c.get("csrf");
  const node = account && csrf
    ? (
      <AppShell title={title} account={account} csrf={csrf}>
        <ErrorContent title={title} message={message} />
      </AppShell>
    )
    : (
      <Document title={title} bodyClass="auth-body">
        <main class="auth" id="main">
          <div class="auth-brand">
            <Logo size={36} />
            <span>Parley</span>
          </div>
          <div class="auth-card">
            <ErrorContent title={title} message={message} />
          </div>
        </main>
      </Document>
    );
  for (const [name, value] of Object.entries(headers ?? {})) c.header(name, value);
  return c.html(`<!doctype html>${render(node)}`, status);
}
