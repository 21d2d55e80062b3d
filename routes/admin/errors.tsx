/** @module Errors on admin pages are pages too: same status codes as the API, HTML for people. */
import type { Context } from "hono";
import { render } from "preact-render-to-string";
import { classifyError, type ErrorCode } from "../../lib/errors.ts";
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

/** What a person reads for errors whose message was written for API clients. */
const FOR_PEOPLE: Partial<Record<ErrorCode, string>> = {
  forbidden: "This request did not come from a Parley page.",
  database_unavailable: "The database cannot be reached right now. Try again in a few seconds.",
  conflict: "Something with these details already exists.",
  internal: "Something went wrong on our side. Try again.",
};

/** The classifier's verdict, in words for a person; logs the unexpected. */
function describe(err: unknown, c: Context<AdminEnv>) {
  const e = classifyError(err);
  if (e.unexpected) {
    log.error("unhandled admin error", {
      method: c.req.method,
      path: c.req.path,
      error: String(err),
      stack: (err as Error)?.stack,
    });
  }
  const message = e.expected ? e.message : FOR_PEOPLE[e.code] ?? e.message;
  return { status: e.status, message, headers: e.headers };
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
