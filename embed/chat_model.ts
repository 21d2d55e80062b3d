/**
 * @module The chat frame's state as one set of signals: messages, session, typing,
 * connection, mode and call. Pure state transitions only, so they are unit-tested without a
 * browser; the network lives in `controller.ts`.
 */
// The core alone: the frame re-renders from one subscription (`use_model.ts`), which keeps the
// bundle smaller than the Preact integration would.
import { computed, signal } from "@webreflection/signal";
import type { SessionMode } from "../contract/enums.ts";
import type { Call, Message, Session } from "../contract/wire.ts";
import type { ServerEvent } from "../contract/events.ts";
import type { ConnectionState } from "../client/session_stream.ts";
import {
  type ClientMessage,
  reduceStream,
  type Typing,
  upsertMessage,
} from "../client/stream_reducer.ts";

/** A message as the frame shows it: server messages plus local ones not stored yet. */
export type UiMessage = ClientMessage;

/** The live connection, as the header banner shows it. */
export type { ConnectionState };

/** Where the frame is in its life. */
export type FrameStatus = "loading" | "ready" | "error" | "unavailable";

/** What the main area shows. */
export type View = "chat" | "voice" | "call";

/** A caption line of a browser call. */
export interface Caption {
  role: "agent" | "user";
  content: string;
}

/** A voice call as the frame follows it. */
export interface CallState {
  kind: "phone" | "web";
  /** `starting`: asking the server; then the server's statuses. */
  status: "starting" | Call["status"];
  callId?: string;
  phoneNumber?: string | null;
  /** When it connected (ms epoch), for the duration shown. */
  startedAt?: number;
  captions: Caption[];
  muted: boolean;
}

const pendingLast = (a: UiMessage, b: UiMessage) =>
  a.pending === b.pending ? 0 : a.pending ? 1 : b.pending ? -1 : 0;

/**
 * The chat model. A plain factory rather than signals' `createModel`, whose action wrappers cost
 * the frame 350 bytes gzipped: writes here come from event handlers, and Preact batches the
 * re-renders they cause anyway.
 */
export function createChatModel() {
  const messages = signal<UiMessage[]>([]);
  const session = signal<Session | null>(null);
  const status = signal<FrameStatus>("loading");
  /** A problem to show above the input (not fatal). */
  const notice = signal<string | null>(null);
  /** Who is typing, as the stream says; the frame shows the agent's side only. */
  const typingBy = signal<Typing | null>(null);
  const agentTyping = computed(() => typingBy.value?.senderId === "agent");
  /** A teammate's name while they type (the AI types unnamed). */
  const typingName = computed(() =>
    typingBy.value?.senderId === "agent" ? typingBy.value.name : undefined
  );
  /** Replies the visitor is waiting for; typing shows meanwhile even before the socket says so. */
  const awaiting = signal(0);
  const connection = signal<ConnectionState>("idle");
  const mode = signal<SessionMode>("chat");
  const view = signal<View>("chat");
  const call = signal<CallState | null>(null);
  /** The session ended; the next message starts a new one. */
  const ended = computed(() => session.value?.status === "ended");
  const typing = computed(() => agentTyping.value || awaiting.value > 0);
  /** The newest stored message, where a resumed socket picks up. */
  const lastMessageId = computed(() => {
    const list = messages.value;
    for (let i = list.length - 1; i >= 0; i--) {
      if (!list[i].pending && !list[i].local && !list[i].failed) return list[i].id;
    }
    return undefined;
  });

  /** Adds or replaces a stored message; true when its id was not known yet. */
  function upsert(m: Message): boolean {
    const r = upsertMessage(messages.value, m);
    messages.value = r.messages;
    return r.added;
  }

  return {
    messages,
    session,
    status,
    notice,
    agentTyping,
    typingName,
    awaiting,
    connection,
    mode,
    view,
    call,
    ended,
    typing,
    lastMessageId,
    upsert,
    /** Replaces the history (first load, or a new session's first page). */
    setHistory(list: Message[]) {
      const keep = messages.value.filter((m) => m.pending || m.failed);
      messages.value = [...list, ...keep];
    },
    /** Shows the welcome message before any session exists. */
    showWelcome(text: string) {
      if (messages.value.length) return;
      messages.value = [{
        id: "local:welcome",
        sessionId: "",
        senderType: "agent",
        messageType: "text",
        content: text,
        metadata: {},
        createdAt: new Date().toISOString(),
        local: true,
      }];
    },
    /** A visitor message on its way. */
    addPending(clientMessageId: string, content: string) {
      messages.value = [...messages.value, {
        id: `local:${clientMessageId}`,
        sessionId: session.value?.id ?? "",
        senderType: "user",
        messageType: "text",
        content,
        metadata: {},
        createdAt: new Date().toISOString(),
        clientMessageId,
        pending: true,
      }];
    },
    /** The server stored the pending message as `stored`. */
    confirm(clientMessageId: string, stored: Message) {
      const list = messages.value;
      const at = list.findIndex((x) => x.clientMessageId === clientMessageId);
      if (at < 0) return void upsert(stored);
      const next = list.filter((x, i) => i === at || x.id !== stored.id);
      next[next.indexOf(list[at])] = { ...stored, clientMessageId };
      messages.value = next.sort(pendingLast);
    },
    /** Sending failed for good: the bubble says why and offers a retry. */
    fail(clientMessageId: string, reason: string) {
      messages.value = messages.value.map((x) =>
        x.clientMessageId === clientMessageId && x.pending
          ? { ...x, pending: false, failed: reason }
          : x
      );
    },
    /** Back to pending for a retry. */
    retrying(clientMessageId: string) {
      const list = messages.value.filter((x) => x.clientMessageId !== clientMessageId);
      const item = messages.value.find((x) => x.clientMessageId === clientMessageId);
      if (item) messages.value = [...list, { ...item, pending: true, failed: undefined }];
    },
    /** Applies a server event; returns the message it brought when that is new. */
    apply(e: ServerEvent): Message | undefined {
      const before = messages.value;
      const next = reduceStream({
        messages: before,
        session: session.value,
        mode: mode.value,
        calls: [],
        typing: typingBy.value,
      }, e);
      messages.value = next.messages;
      session.value = next.session;
      mode.value = next.mode;
      typingBy.value = next.typing;
      const brought = e.type === "message:received" || e.type === "mode:changed"
        ? e.message
        : undefined;
      const isNew = brought && !before.some((x) => x.id === brought.id);
      // What only the frame follows: the one call on screen.
      switch (e.type) {
        case "mode:changed": {
          mode.value = e.mode;
          const current = call.value;
          if (e.mode === "voice") {
            call.value = {
              kind: e.callDetails.kind ?? current?.kind ?? "phone",
              status: (e.callDetails.status as CallState["status"]) ?? "connecting",
              callId: e.callDetails.callId ?? current?.callId,
              phoneNumber: e.callDetails.phoneNumber ?? current?.phoneNumber,
              startedAt: current?.startedAt,
              captions: current?.captions ?? [],
              muted: current?.muted ?? false,
            };
            view.value = "call";
          } else if (current) {
            call.value = { ...current, status: "ended" };
          }
          break;
        }
        case "call:updated": {
          const current = call.value;
          if (current?.callId && current.callId !== e.call.id) break;
          const startedAt = e.call.startedAt ? Date.parse(e.call.startedAt) : current?.startedAt;
          call.value = {
            kind: e.call.kind,
            status: e.call.status,
            callId: e.call.id,
            phoneNumber: e.call.phoneNumber,
            startedAt: startedAt ?? (e.call.status === "ongoing" ? Date.now() : undefined),
            captions: current?.captions ?? [],
            muted: current?.muted ?? false,
          };
          break;
        }
      }
      return isNew ? brought : undefined;
    },
  };
}

/** An instance of the chat model. */
export type ChatModel = ReturnType<typeof createChatModel>;
