/**
 * @module The postMessage protocol between the loader (host page) and the chat frame: one typed
 * union each way. Both sides post only to the other's exact origin and check `origin` and `source`
 * of what they receive (see `loader.ts` and `bridge.ts`).
 */
import type { SessionMode } from "../contract/enums.ts";
import type { Message } from "../contract/wire.ts";

/** Marks our messages among whatever else a page posts around. */
export const PROTOCOL = "parley:1";

/** Host page → frame. */
export type HostToFrame =
  /**
   * The panel became visible; `focus`: the visitor opened it, so focus the input; `modal`: it
   * covers the whole page (phones), so focus must stay inside it.
   */
  | { type: "open"; focus: boolean; modal: boolean }
  /** The panel was hidden. */
  | { type: "close" }
  /**
   * The host's identity token (none: anonymous) and the page context (`setContext` plus
   * `page_url` and `page_title`); sent on `ready` (the frame waits for it before it
   * authenticates) and whenever the context changes.
   */
  | { type: "identify"; token?: string; context: Record<string, unknown> };

/** Frame → host page. */
export type FrameToHost =
  /** The frame has rendered and may be shown. */
  | { type: "ready" }
  /** The visitor asked to hide the widget (minimize button, Escape). */
  | { type: "close" }
  /** A new message arrived in the conversation (not history). */
  | { type: "message"; message: Message }
  /** The conversation moved between chat and voice. */
  | { type: "modeChange"; mode: SessionMode }
  /** The widget cannot run here (domain not allowed, widget inactive): hide it. */
  | { type: "unavailable"; reason: string }
  /**
   * The frame's remembered state (visitor, token, session) for the host page to keep in its own
   * localStorage: browsers now deny storage to third-party frames, so the conversation would not
   * survive a reload otherwise. The loader hands it back in the frame URL's fragment.
   */
  | { type: "store"; state: string };

/** What travels on the wire: a payload tagged with the protocol. */
export type Envelope<T> = T & { ns: typeof PROTOCOL };

/** Wraps a payload for posting. */
export function envelope<T extends HostToFrame | FrameToHost>(payload: T): Envelope<T> {
  return { ...payload, ns: PROTOCOL };
}

/** True when `data` looks like one of ours; the receiver's switch narrows the type. */
export function isEnvelope<T>(data: unknown): data is Envelope<T> {
  return typeof data === "object" && data !== null &&
    (data as { ns?: unknown }).ns === PROTOCOL &&
    typeof (data as { type?: unknown }).type === "string";
}
