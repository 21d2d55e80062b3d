/**
 * @module The one reducer of a session's event stream, used by the chat frame
 * (`embed/chat_model.ts`) and the admin inbox (`islands/admin/Conversation.tsx`): messages (the
 * sender's pending bubble is matched by its `clientMessageId`), the session, its calls, the mode
 * and who is typing. Pure, so both views and their tests see the same transitions.
 */
import type { ServerEvent } from "../contract/events.ts";
import type { SessionMode } from "../contract/enums.ts";
import type { Call, Message, Session } from "../contract/wire.ts";

/** A message as a client holds it: stored, or still local to the sender. */
export interface ClientMessage extends Message {
  /** On the sender's own messages until the server confirms them. */
  pending?: boolean;
  /** Why sending failed; the bubble offers a retry. */
  failed?: string;
  /** Shown but not stored (the welcome before a session exists). */
  local?: boolean;
}

/** Who is typing, as `typing:start` said (`name`: a person of the team). */
export interface Typing {
  senderId: "agent" | "user";
  name?: string;
}

/** What the stream changes. */
export interface StreamState<M extends ClientMessage = ClientMessage> {
  messages: M[];
  session: Session | null;
  mode: SessionMode;
  calls: Call[];
  typing: Typing | null;
}

const pendingLast = (a: ClientMessage, b: ClientMessage) =>
  a.pending === b.pending ? 0 : a.pending ? 1 : b.pending ? -1 : 0;

/**
 * Adds or replaces a stored message. The socket may deliver the sender's own message before its
 * POST answers: it takes the place of the pending bubble with the same `clientMessageId`. The
 * local welcome gives way to the first stored agent message.
 */
export function upsertMessage<M extends ClientMessage>(
  list: M[],
  m: Message,
): { messages: M[]; added: boolean } {
  const at = list.findIndex((x) => x.id === m.id);
  if (at >= 0) {
    const next = list.slice();
    next[at] = { ...m, clientMessageId: m.clientMessageId ?? list[at].clientMessageId } as M;
    return { messages: next, added: false };
  }
  const mine = m.clientMessageId
    ? list.findIndex((x) => x.pending && x.clientMessageId === m.clientMessageId)
    : -1;
  const next = list.filter((x, i) =>
    i !== mine && !(x.local && m.senderType === "agent" && x.id === "local:welcome")
  );
  next.push(m as M);
  return { messages: next.sort(pendingLast), added: true };
}

function upsertCall(list: Call[], call: Call): Call[] {
  const i = list.findIndex((x) => x.id === call.id);
  if (i < 0) return [...list, call];
  const next = list.slice();
  next[i] = call;
  return next;
}

/** Applies one server event; returns the same object when nothing changed. */
export function reduceStream<M extends ClientMessage>(
  s: StreamState<M>,
  e: ServerEvent,
): StreamState<M> {
  switch (e.type) {
    case "message:received": {
      const { messages } = upsertMessage(s.messages, e.message);
      // A person or the agent answered: whoever was typing is done.
      const typing = e.message.senderType === "system" ? s.typing : null;
      return { ...s, messages, typing };
    }
    case "typing:start":
      return { ...s, typing: { senderId: e.senderId, name: e.name } };
    case "typing:stop":
      return s.typing?.senderId === e.senderId ? { ...s, typing: null } : s;
    case "mode:changed": {
      const { messages } = upsertMessage(s.messages, e.message);
      const session = s.session && { ...s.session, mode: e.mode };
      return { ...s, messages, mode: e.mode, session };
    }
    case "call:updated":
      return { ...s, calls: upsertCall(s.calls, e.call) };
    case "session:updated":
      return { ...s, session: e.session, mode: e.session.mode };
    case "connection:established":
    case "pong":
    case "error":
      return s;
    default:
      return e satisfies never;
  }
}
