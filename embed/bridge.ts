/**
 * @module The frame's side of the postMessage protocol: it posts only to the host page's exact
 * origin and accepts only messages whose `source` is its parent window and whose `origin` is that
 * origin.
 */
import { envelope, type FrameToHost, type HostToFrame, isEnvelope } from "./protocol.ts";

/** The channel to the host page. */
export interface Bridge {
  send(message: FrameToHost): void;
  dispose(): void;
}

/**
 * Connects to the host page at `hostOrigin`. Outside a frame (the page opened directly) sending is
 * a no-op.
 */
export function createBridge(hostOrigin: string, onMessage: (m: HostToFrame) => void): Bridge {
  const parent = globalThis.parent;
  const framed = parent && parent !== globalThis.window && /^https?:\/\//.test(hostOrigin);
  const listener = (e: MessageEvent) => {
    if (!framed || e.source !== parent || e.origin !== hostOrigin) return;
    if (!isEnvelope<HostToFrame>(e.data)) return;
    onMessage(e.data);
  };
  addEventListener("message", listener);
  return {
    send(message) {
      if (framed) parent.postMessage(envelope(message), hostOrigin);
    },
    dispose() {
      removeEventListener("message", listener);
    },
  };
}

/**
 * The host page's origin and host name. Where the browser tells us who embeds us
 * (`location.ancestorOrigins`), that wins over what the URL claims.
 */
export function hostPage(params: URLSearchParams): { origin: string; host: string } {
  const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  const origin = ancestors?.length ? ancestors[0] : params.get("origin") ?? "";
  let host = params.get("host") ?? "";
  try {
    if (ancestors?.length || !host) host = new URL(origin).hostname;
  } catch { /* no usable origin: keep what the URL says */ }
  return { origin, host: host || location.hostname };
}
