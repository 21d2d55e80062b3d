/**
 * @module One conversation, live: the timeline (text and voice turns, mode switches), typing
 * indicators, the call details and the session's state follow the session's `/ws` events; "End
 * conversation" is `PUT /api/chat/sessions/:id {status: "ended"}` with the page's Bearer token.
 */
import { useEffect, useRef } from "preact/hooks";
import { useSignal } from "@preact/signals";
import type { Call, Lead, Message, Rating, Session } from "../../contract/wire.ts";
import type { ServerEvent } from "../../contract/events.ts";
import { Timeline } from "../../components/admin/Timeline.tsx";
import { CallCard } from "../../components/admin/CallCard.tsx";
import { VisitorDetails } from "../../components/admin/VisitorDetails.tsx";
import { Icon } from "../../components/admin/icons.tsx";
import { longTime, visitorLabel } from "./format.ts";
import { connectLive, fetchToken, type LiveState } from "./live.ts";
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

function upsert<T extends { id: string }>(list: T[], item: T): T[] {
  const i = list.findIndex((x) => x.id === item.id);
  if (i === -1) return [...list, item];
  const next = list.slice();
  next[i] = item;
  return next;
}

const STATE_TEXT: Record<LiveState, string> = {
  connecting: "Connecting…",
  live: "Live",
  offline: "Reconnecting…",
  "signed-out": "Signed out: reload to sign in",
};

/** A handoff was asked for and no person has replied since. */
function waiting(s: Session): boolean {
  return !!s.handoffRequestedAt && s.status === "active" && s.handler === "ai";
}

/** The conversation pane. */
export default function Conversation(props: ConversationProps) {
  const session = useSignal(props.session);
  const messages = useSignal(props.messages);
  const calls = useSignal(props.calls);
  const typing = useSignal<{ who: "agent" | "user"; name?: string } | null>(null);
  const busy = useSignal(false);
  const link = useRef<ReturnType<typeof connectLive>>();
  const typingUntil = useRef(0);
  const live = useSignal<LiveState | "ended">(
    props.session.status === "ended" ? "ended" : "connecting",
  );
  const ending = useSignal(false);
  const error = useSignal<string | null>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const sessionId = props.session.id;

  useEffect(() => {
    if (props.session.status === "ended") return;
    let typingTimer: ReturnType<typeof setTimeout> | undefined;
    function onEvent(e: ServerEvent) {
      switch (e.type) {
        case "message:received":
          messages.value = upsert(messages.value, e.message);
          if (e.message.senderType !== "system") typing.value = null;
          break;
        case "typing:start":
          typing.value = { who: e.senderId, name: e.name };
          clearTimeout(typingTimer);
          typingTimer = setTimeout(() => typing.value = null, 15_000);
          break;
        case "typing:stop":
          if (typing.value?.who === e.senderId) typing.value = null;
          break;
        case "mode:changed":
          messages.value = upsert(messages.value, e.message);
          session.value = { ...session.value, mode: e.mode };
          break;
        case "call:updated":
          calls.value = upsert(calls.value, e.call);
          break;
        case "session:updated":
          session.value = e.session;
          if (e.session.status === "ended") live.value = "ended";
          break;
        case "connection:established":
        case "pong":
        case "error":
          break;
        default:
          e satisfies never;
      }
    }
    const connection = link.current = connectLive({
      sessionId,
      lastMessageId: () => messages.value.at(-1)?.id,
      onEvent,
      onState: (state) => {
        if (live.value !== "ended") live.value = state;
      },
    });
    return () => {
      clearTimeout(typingTimer);
      connection.close();
    };
  }, [sessionId]);

  // Keep the newest message in view, unless the reader scrolled up to read older ones. The
  // scroller is the timeline on wide screens and the whole pane on narrow ones (details below).
  const count = messages.value.length;
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
  }, [count, typing.value]);

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
      session.value = await api<Session>("PUT", `/api/chat/sessions/${sessionId}`, patch);
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
      messages.value = upsert(messages.value, body.userMessage);
      typingUntil.current = 0;
      link.current?.send({ type: "typing:stop" });
      return true;
    } catch (err) {
      error.value = `Could not send the reply: ${(err as Error).message}`;
      return false;
    }
  }

  /** Tells the visitor a person is typing, at most every few seconds. */
  function typingNow() {
    const now = Date.now();
    if (now > typingUntil.current) link.current?.send({ type: "typing:start" });
    typingUntil.current = now + 4000;
  }

  async function endConversation() {
    ending.value = true;
    error.value = null;
    try {
      const token = await fetchToken();
      const res = await fetch(`/api/chat/sessions/${sessionId}`, {
        method: "PUT",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ status: "ended" }),
      });
      if (!res.ok) {
        const body = await res.json().catch(() => null);
        throw new Error(body?.error?.message ?? `HTTP ${res.status}`);
      }
      session.value = (await res.json()) as Session;
      live.value = "ended";
    } catch (err) {
      error.value = `Could not end the conversation: ${(err as Error).message}`;
    } finally {
      ending.value = false;
    }
  }

  const s = session.value;
  return (
    <div class="conversation" data-status={s.status} data-live={live.value}>
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
          <span class={`live-dot live-${live.value}`} role="status">
            {live.value === "ended" ? "Ended" : STATE_TEXT[live.value]}
          </span>
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
            <Timeline messages={messages.value} agentName={props.agentName ?? "Agent"} />
            {typing.value && (
              <p class={`typing typing-${typing.value.who}`} aria-live="polite">
                <span class="typing-dots" aria-hidden="true">
                  <i />
                  <i />
                  <i />
                </span>
                {typing.value.name
                  ? `${typing.value.name} is typing`
                  : typing.value.who === "agent"
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
              <dd>{messages.value.length}</dd>
            </div>
          </dl>
          <VisitorDetails session={s} lead={props.lead ?? null} rating={props.rating ?? null} />
          <h2>Calls</h2>
          {calls.value.length === 0
            ? <p class="muted small">No voice calls in this conversation.</p>
            : calls.value.map((call) => <CallCard key={call.id} call={call} />)}
        </aside>
      </div>
    </div>
  );
}
