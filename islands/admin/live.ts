/**
 * @module The inbox's live connection to one session: a Bearer token from `POST /admin/token`
 * (CSRF header), then `/ws?sessionId=&token=`, `resume` after the last message it has on every
 * (re)connect so nothing is missed, and reconnects with capped backoff (sleep injected for tests).
 */
import type { ServerEvent } from "../../contract/events.ts";

/** Where the live view stands. */
export type LiveState = "connecting" | "live" | "offline" | "signed-out";

/** Options of `connectLive`. */
export interface LiveOptions {
  sessionId: string;
  /** The newest message the view has, resumed after on connect. */
  lastMessageId(): string | undefined;
  onEvent(event: ServerEvent): void;
  onState(state: LiveState): void;
  sleep?: (ms: number) => Promise<void>;
}

/** Thrown when the page's session cookie is gone. */
class SignedOut extends Error {}

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

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Connects and keeps connecting until `close()`. */
export function connectLive(
  options: LiveOptions,
): { close(): void; send(frame: { type: "typing:start" | "typing:stop" }): void } {
  const sleep = options.sleep ?? defaultSleep;
  let closed = false, attempt = 0;
  let socket: WebSocket | undefined;

  async function once(): Promise<void> {
    const token = await fetchToken();
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const query = new URLSearchParams({ sessionId: options.sessionId, token });
    await new Promise<void>((resolve) => {
      const ws = socket = new WebSocket(`${scheme}://${location.host}/ws?${query}`);
      ws.onmessage = (e) => {
        let event: ServerEvent;
        try {
          event = JSON.parse(String(e.data));
        } catch {
          return;
        }
        if (event.type === "connection:established") {
          attempt = 0;
          options.onState("live");
          const afterMessageId = options.lastMessageId();
          ws.send(
            JSON.stringify(
              afterMessageId ? { type: "resume", afterMessageId } : { type: "resume" },
            ),
          );
        }
        options.onEvent(event);
      };
      ws.onclose = () => resolve();
    });
  }

  (async () => {
    while (!closed) {
      options.onState("connecting");
      try {
        await once();
      } catch (err) {
        if (err instanceof SignedOut) return options.onState("signed-out");
      }
      if (closed) return;
      options.onState("offline");
      await sleep(Math.min(15_000, 1000 * 2 ** attempt++));
    }
  })();

  return {
    close() {
      closed = true;
      socket?.close(1000, "Leaving");
    },
    send(frame) {
      if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(frame));
    },
  };
}
