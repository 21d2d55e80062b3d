/**
 * @module The frame's side of the postMessage protocol. The frame learns who embeds it from the
 * loader's `init` message: its `origin` is set by the browser, so no URL parameter (which anyone
 * can write into a link or a sibling page's iframe) decides it. From then on it posts only to that
 * origin and accepts only messages whose `source` is its parent window and whose `origin` is that
 * origin.
 */
import { envelope, type FrameToHost, type HostToFrame, isEnvelope } from "./protocol.ts";

/** The channel to the host page. */
export interface Bridge {
  /** The host page's origin, as the browser reported it. */
  origin: string;
  /** What the loader keeps for the frame (its `init` state). */
  state?: string;
  send(message: FrameToHost): void;
}

/**
 * Greets the parent window, waits for the host page's `init`, then connects. `onMessage` gets
 * `init` and every later message of the host page.
 */
export function connectHost(onMessage: (m: HostToFrame) => void): Promise<Bridge> {
  return new Promise((resolve) => {
    let origin = "";
    addEventListener("message", (e) => {
      const m = e.data;
      if (e.source !== parent || !isEnvelope<HostToFrame>(m)) return;
      if (origin) {
        if (e.origin === origin) onMessage(m);
      } else if (m.type === "init" && /^https?:/.test(e.origin)) {
        origin = e.origin;
        onMessage(m);
        resolve({
          origin,
          state: m.state,
          send: (message) => parent.postMessage(envelope(message), origin),
        });
      }
    });
    // Who embeds us is not known yet, so the greeting goes to any origin: it carries nothing.
    parent.postMessage(envelope({ type: "hello" }), "*");
  });
}
