/**
 * @module `useWebSocket`: the shared session-stream client (`client/session_stream.ts`) tied to a
 * component's life.
 */
import { useEffect, useRef } from "preact/hooks";
import type { ClientEvent } from "../contract/events.ts";
import { SessionSocket, type SocketOptions } from "../client/session_stream.ts";

export { backoffDelay, SessionSocket } from "../client/session_stream.ts";

/** Options of `useWebSocket`: a socket for `sessionId` while it is set. */
export interface UseWebSocketOptions extends SocketOptions {
  sessionId: string | null | undefined;
}

/**
 * Keeps a `SessionSocket` open for the current session and returns a stable `send`. The latest
 * callbacks are read through a ref, so re-renders never reconnect.
 */
export function useWebSocket(options: UseWebSocketOptions): (event: ClientEvent) => void {
  const latest = useRef(options);
  latest.current = options;
  const socket = useRef<SessionSocket | null>(null);
  useEffect(() => {
    if (!options.sessionId) return;
    const o = () => latest.current;
    const s = new SessionSocket({
      url: (failures) => o().url(failures),
      lastMessageId: () => o().lastMessageId(),
      onEvent: (e) => o().onEvent(e),
      onState: (st) => o().onState(st),
      sleep: options.sleep,
      baseMs: options.baseMs,
      maxMs: options.maxMs,
      pingMs: options.pingMs,
      WebSocket: options.WebSocket,
    }).start();
    socket.current = s;
    const online = () => s.retryNow();
    addEventListener("online", online);
    return () => {
      removeEventListener("online", online);
      s.close();
      socket.current = null;
    };
  }, [options.sessionId]);
  const send = useRef((event: ClientEvent) => socket.current?.send(event));
  return send.current;
}
