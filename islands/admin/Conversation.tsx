/**
 * @module One conversation, live: the timeline (text and voice turns, mode switches), typing
 * indicators, the call details and the session's state follow the session's `/ws` events; "End
 * conversation" is `PUT /api/chat/sessions/:id {status: "ended"}` with the page's Bearer token.
 */
import { useEffect, useRef } from "preact/hooks";
import { useSignal } from "@preact/signals";
import type { Call, Lead, Message, Rating, Session } from "../../contract/wire.ts";
import { type ConnectionState, SessionSocket } from "../../client/session_stream.ts";
import { reduceStream, type StreamState, upsertMessage } from "../../client/stream_reducer.ts";
import { Timeline } from "../../components/admin/Timeline.tsx";
import { CallCard } from "../../components/admin/CallCard.tsx";
import { VisitorDetails } from "../../components/admin/VisitorDetails.tsx";
import { Icon } from "../../components/admin/icons.tsx";
import { longTime, visitorLabel } from "./format.ts";
import { fetchToken, liveUrl, SignedOut } from "./live.ts";
import { Composer, Handling, type Teammate } from "./Composer.tsx";

/** Props of `Conversation`. */
export interface ConversationProps {
  session: Session;
  messages: Message[];
  calls: Call[];
  widgetName: string | null;
  agentName: string | null;
  backHref: string;
  /** The signed-in user, and the teammates a conversation can be assigned to. */
  me: Teammate;
  team: Teammate[];
  lead?: Lead | null;
  rating?: Rating | null;
}

/** Where the live view stands (also the `live-*` class of its status dot). */
type LiveState = "connecting" | "live" | "offline" | "signed-out" | "ended";

const STATE_TEXT: Record<LiveState, string> = {
  connecting: "Connecting…",
  live: "Live",
  offline: "Reconnecting…",
  "signed-out": "Signed out: reload to sign in",
  ended: "Ended",
};

const LIVE_OF: Record<ConnectionState, LiveState> = {
  idle: "connecting",
  connecting: "connecting",
  open: "live",
  reconnecting: "offline",
  offline: "offline",
};

/** A typing indicator nobody stopped (the typist's tab closed) goes away after this long. */
const TYPING_MS = 15_000;

/** A handoff was asked for and no person has replied since. */
function waiting(s: Session): boolean {
  return !!s.handoffRequestedAt && s.status === "active" && s.handler === "ai";
}

/** The conversation pane. */
export default function Conversation(props: ConversationProps) {
  // One state, moved by the same reducer the chat frame uses (`client/stream_reducer.ts`).
  const stream = useSignal<StreamState<Message>>({
    messages: props.messages,
    session: props.session,
    mode: props.session.mode,
    calls: props.calls,
    typing: null,
  });
  const busy = useSignal(false);
  const socket = useRef<SessionSocket>();
  const typingUntil = useRef(0);
  const connection = useSignal<LiveState>("connecting");
  const ending = useSignal(false);
  const error = useSignal<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const sessionId = props.session.id;

  useEffect(() => {
    if (props.session.status === "ended") return;
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    let signedOut = false;
    const s = socket.current = new SessionSocket({
      url: async () => {
        try {
          return await liveUrl(sessionId);
        } catch (err) {
          // No token without the session cookie: stop, and say so, rather than retry forever.
          if (err instanceof SignedOut) {
            signedOut = true;
            connection.value = "signed-out";
            s.close();
          }
          throw err;
        }
      },
      lastMessageId: () => stream.value.messages.at(-1)?.id,
      onEvent: (e) => {
        stream.value = reduceStream(stream.value, e);
        if (e.type === "typing:start") {
          clearTimeout(typingTimer);
          typingTimer = setTimeout(
            () => stream.value = { ...stream.value, typing: null },
            TYPING_MS,
          );
        }
      },
      onState: (state) => {
        if (!signedOut) connection.value = LIVE_OF[state];
      },
    }).start();
    const online = () => s.retryNow();
    addEventListener("online", online);
    return () => {
      removeEventListener("online", online);
      clearTimeout(typingTimer);
      s.close();
    };
  }, [sessionId]);

  const { messages, session: current, calls, typing } = stream.value;
  const s = current ?? props.session;
  const live: LiveState = s.status === "ended" ? "ended" : connection.value;

  // Keep the newest message in view, unless the reader scrolled up to read older ones. The
  // scroller is the timeline on wide screens and the whole pane on narrow ones (details below).
  const count = messages.length;
  const end = useRef<HTMLDivElement>(null);
  const first = useRef(true);
  useEffect(() => {
    const el = scroller.current, sentinel = end.current;
    if (!el || !sentinel) return;
    const box = (el.scrollHeight > el.clientHeight + 1 ? el : el.parentElement ?? el)
      .getBoundingClientRect();
    const near = sentinel.getBoundingClientRect().bottom - box.bottom < 200;
    if (near || first.current) sentinel.scrollIntoView({ block: "end" });
    first.current = false;
  }, [count, typing]);

  /** The session as the API answered it, applied as the stream would apply it. */
  function setSession(session: Session) {
    stream.value = reduceStream(stream.value, {
      type: "session:updated",
      session,
      timestamp: new Date().toISOString(),
    });
  }

  /** A JSON API call with the page's token; the error envelope's message when it fails. */
  async function api<T>(method: string, path: string, body: unknown): Promise<T> {
    const token = await fetchToken();
    const res = await fetch(path, {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    if (!res.ok) {
      const failure = await res.json().catch(() => null);
      throw new Error(failure?.error?.message ?? `HTTP ${res.status}`);
    }
    return await res.json() as T;
  }

  async function changeHandling(patch: { handler?: "ai" | "human"; assigneeId?: string | null }) {
    busy.value = true;
    error.value = null;
    try {
      setSession(await api<Session>("PUT", `/api/chat/sessions/${sessionId}`, patch));
    } catch (err) {
      error.value = `Could not change who handles this conversation: ${(err as Error).message}`;
    } finally {
      busy.value = false;
    }
  }

  async function reply(content: string): Promise<boolean> {
    error.value = null;
    try {
      const body = await api<{ userMessage: Message }>(
        "POST",
        `/api/chat/sessions/${sessionId}/messages`,
        { content, clientMessageId: `h-${crypto.randomUUID()}` },
      );
      // The socket may have brought it already: the same id is kept once.
      const next = upsertMessage(stream.value.messages, body.userMessage).messages;
      stream.value = { ...stream.value, messages: next };
      typingUntil.current = 0;
      socket.current?.send({ type: "typing:stop" });
      return true;
    } catch (err) {
      error.value = `Could not send the reply: ${(err as Error).message}`;
      return false;
    }
  }

  /** Tells the visitor a person is typing, at most every few seconds. */
  function typingNow() {
    const now = Date.now();
    if (now > typingUntil.current) socket.current?.send({ type: "typing:start" });
    typingUntil.current = now + 4000;
  }

  async function endConversation() {
    ending.value = true;
    error.value = null;
    try {
      setSession(
        await api<Session>("PUT", `/api/chat/sessions/${sessionId}`, { status: "ended" }),
      );
    } catch (err) {
      error.value = `Could not end the conversation: ${(err as Error).message}`;
    } finally {
      ending.value = false;
    }
  }

  return (
    <div class="conversation" data-status={s.status} data-live={live}>
      <header class="conv-header">
        <a class="icon-button conv-back" href={props.backHref} aria-label="Back to the inbox">
          <Icon name="chevronLeft" />
        </a>
        <div class="conv-title">
          <h1>{s.visitor?.name ?? visitorLabel(s.visitorId)}</h1>
          <p class="muted">
            {props.widgetName ?? "Deleted widget"} · started {longTime(s.createdAt)}
          </p>
        </div>
        <div class="conv-status">
          {s.mode === "voice" && <span class="tag tag-voice">On a call</span>}
          {waiting(s) && <span class="tag tag-waiting">Waiting for a human</span>}
          <span class={`tag ${s.handler === "human" ? "tag-human" : "tag-ai"}`}>
            {s.handler === "human" ? "Human" : "AI"} handling
          </span>
          <span class={`live-dot live-${live}`} role="status">{STATE_TEXT[live]}</span>
          {s.status === "active" && (
            <button
              type="button"
              class="btn btn-secondary btn-sm"
              onClick={endConversation}
              disabled={ending.value}
            >
              {ending.value ? "Ending…" : "End conversation"}
            </button>
          )}
        </div>
      </header>
      <Handling
        session={s}
        me={props.me}
        team={props.team}
        busy={busy.value}
        onChange={changeHandling}
      />
      {error.value && <p class="inline-alert" role="alert">{error.value}</p>}
      <div class="conv-body">
        <div class="conv-main">
          <div class="conv-scroll" ref={scroller} tabIndex={0} aria-label="Conversation">
            <Timeline messages={messages} agentName={props.agentName ?? "Agent"} />
            {typing && (
              <p class={`typing typing-${typing.senderId}`} aria-live="polite">
                <span class="typing-dots" aria-hidden="true">
                  <i />
                  <i />
                  <i />
                </span>
                {typing.name
                  ? `${typing.name} is typing`
                  : typing.senderId === "agent"
                  ? `${props.agentName ?? "Agent"} is typing`
                  : "Visitor is typing"}
              </p>
            )}
            {s.status === "ended" && (
              <p class="marker-end">
                Conversation ended{s.endedAt ? ` · ${longTime(s.endedAt)}` : ""}
              </p>
            )}
            <div ref={end} class="timeline-end" />
          </div>
          {s.status === "active" && <Composer session={s} onSend={reply} onTyping={typingNow} />}
        </div>
        <aside class="conv-details" aria-label="Details">
          <h2>Details</h2>
          <dl class="facts facts-stacked">
            <div>
              <dt>Status</dt>
              <dd>{s.status === "active" ? "Active" : "Ended"}</dd>
            </div>
            <div>
              <dt>Mode</dt>
              <dd>{s.mode === "voice" ? "Voice call" : "Chat"}</dd>
            </div>
            <div>
              <dt>Agent</dt>
              <dd>{props.agentName ?? "—"}</dd>
            </div>
            <div>
              <dt>Visitor id</dt>
              <dd class="mono">{s.visitorId}</dd>
            </div>
            <div>
              <dt>Messages</dt>
              <dd>{messages.length}</dd>
            </div>
          </dl>
          <VisitorDetails session={s} lead={props.lead ?? null} rating={props.rating ?? null} />
          <h2>Calls</h2>
          {calls.length === 0
            ? <p class="muted small">No voice calls in this conversation.</p>
            : calls.map((call) => <CallCard key={call.id} call={call} />)}
        </aside>
      </div>
    </div>
  );
}
