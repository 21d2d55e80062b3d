/**
 * @module What the inbox adds to the shared session-stream client (`client/session_stream.ts`):
 * the signed-in page's Bearer token from `POST /admin/token` (CSRF header) and the `/ws` URL it
 * opens. Reconnects, jitter, heartbeat and resume are the shared client's.
 */

/** Thrown when the page's session cookie is gone: reconnecting cannot help. */
export class SignedOut extends Error {}

/** A Bearer token for the API and /ws, for the signed-in page. */
export async function fetchToken(): Promise<string> {
  const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
  const res = await fetch("/admin/token", {
    method: "POST",
    headers: { "x-csrf-token": csrf, accept: "application/json" },
    redirect: "manual",
  });
  if (res.type === "opaqueredirect" || res.status === 401 || res.status === 403) {
    throw new SignedOut("Signed out");
  }
  if (!res.ok) throw new Error(`HTTP ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** A `/ws` URL for `sessionId` with a fresh token (tokens are short-lived: one per attempt). */
export async function liveUrl(sessionId: string): Promise<string> {
  const token = await fetchToken();
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws?${new URLSearchParams({ sessionId, token })}`;
}
