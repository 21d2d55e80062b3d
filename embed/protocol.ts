/**
 * @module The postMessage protocol between the loader (host page) and the chat frame: one typed
 * union each way. Both sides post only to the other's exact origin and check `origin` and `source`
 * of what they receive (see `loader.ts` and `bridge.ts`).
 */
import type { CallKind, SessionMode } from "../contract/enums.ts";
import type { Message } from "../contract/wire.ts";

/** Marks our messages among whatever else a page posts around. */
export const PROTOCOL = "parley:1";

/** Host page → frame. */
export type HostToFrame =
  /**
   * The first message, the answer to the frame's `hello` (with the visitor's identity): its `origin` (the browser's, not a URL's)
   * tells the frame who embeds it, and `state` is what the loader keeps for the frame where the
   * frame's own storage is refused (see `store`).
   */
  | { type: "init"; state?: string } & Identity
  /**
   * The panel became visible; `focus`: the visitor opened it, so focus the input; `modal`: it
   * covers the whole page (phones), so focus must stay inside it.
   */
  | { type: "open"; focus: boolean; modal: boolean }
  /** The panel was hidden. */
  | { type: "close" }
  /** Who the visitor is and where, again, whenever the page changes either. */
  | { type: "identify" } & Identity;

/**
 * The host's identity token (none: anonymous) and the page context (`setContext` plus `page_url`
 * and `page_title`).
 */
export interface Identity {
  token?: string;
  context: Record<string, unknown>;
}

/** A call as the host page hears of it. */
export interface CallInfo {
  id: string;
  kind: CallKind;
}

/** Frame → host page. */
export type FrameToHost =
  /**
   * The frame's script is running; the only message posted to any origin (it says nothing), so
   * `init` comes before the frame's `load` event, which waits for every subresource.
   */
  | { type: "hello" }
  /** The frame has rendered and may be shown. */
  | { type: "ready" }
  /** The visitor asked to hide the widget (minimize button, Escape). */
  | { type: "close" }
  /** A new message arrived in the conversation (not history). */
  | { type: "message"; message: Message }
  /** The conversation moved between chat and voice. */
  | { type: "modeChange"; mode: SessionMode }
  /** A voice call connected: the page's `callStart` event (`id` is Parley's call id). */
  | { type: "callStart"; call: CallInfo }
  /** That call is over, however it ended: the page's `callEnd` event. */
  | { type: "callEnd"; call: CallInfo }
  /** The widget cannot run here (domain not allowed, widget inactive): hide it. */
  | { type: "unavailable"; reason: string }
  /**
   * Only where the browser refuses the frame both localStorage and partitioned cookies: what the
   * loader keeps in the host page's localStorage and hands back in `init` ("" to forget). It is
   * no bearer token: the visitor sealed by the server for this widget and host name, opaque to
   * the page and refused under any other.
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
  // Only our own parent passes `source`; an unknown `type` falls through the receiver's switch.
  return (data as { ns?: unknown } | null)?.ns === PROTOCOL;
}
