/**
 * @module One message bubble: the visitor's on the right in the theme colour, the assistant's on
 * the left, system notes centred, voice-call turns tagged. Plain props, so the admin inbox can
 * reuse it.
 */
import type { UiMessage } from "../../embed/chat_model.ts";
import { frameStrings as S } from "../../embed/strings.ts";
import { RichText } from "./RichText.tsx";
import { AssistantIcon, MicIcon } from "./icons.tsx";

/** Props of a bubble. */
export interface MessageBubbleProps {
  message: UiMessage;
  /** Last of a run from the same sender: shows the avatar. */
  last?: boolean;
  /** Shows the time under the bubble (by default with `last`). */
  timed?: boolean;
  onRetry?: (clientMessageId: string) => void;
  /** The inbox names every agent-side turn: the AI's with this name, a person's with theirs. */
  agentName?: string;
  /** Offered with a reply that suggests a person (`metadata.offer`): "Talk to a person". */
  onHandoff?: () => void;
}

/** A person's name from `metadata.author`, when a person of the team wrote the message. */
export function humanName(m: { metadata?: Record<string, unknown> }): string | undefined {
  const a = m.metadata?.author as { kind?: string; name?: string } | undefined;
  return a?.kind == "human" ? a.name || "?" : undefined;
}

/** Up to two initials of a name. */
export const initials = (name: string) =>
  name.split(/\s+/).map((w) => w[0]).join("").slice(0, 2).toUpperCase();

/** Short local time of an ISO timestamp. */
export function timeOf(iso: string): string {
  const d = new Date(iso);
  return isNaN(d.getTime())
    ? ""
    : d.toLocaleTimeString(globalThis.document?.documentElement.lang || [], {
      hour: "numeric",
      minute: "2-digit",
    });
}

/** A message as a list item. */
export function MessageBubble(
  { message: m, last, timed = last, onRetry, agentName, onHandoff }: MessageBubbleProps,
) {
  if (m.senderType === "system") {
    return (
      <li class="msg msg-system" data-sender="system" data-id={m.id}>
        <p>{m.content}</p>
      </li>
    );
  }
  const mine = m.senderType === "user";
  const human = humanName(m);
  const state = m.pending ? "pending" : m.failed ? "failed" : "sent";
  return (
    <li
      class={`msg ${mine ? "msg-user" : "msg-agent"}${human ? " msg-human" : ""}${
        last ? " msg-last" : ""
      }${timed || m.pending || m.failed ? " msg-timed" : ""} msg-${state}`}
      data-sender={m.senderType}
      data-status={state}
      data-id={m.id}
    >
      {!mine && (
        <span class="msg-avatar" aria-hidden="true">
          {last && (human ? initials(human) : <AssistantIcon size={16} />)}
        </span>
      )}
      <div class="msg-body">
        {!mine && (human || agentName)
          ? (
            <span class="msg-name">
              {human ?? agentName}
              {agentName && <b class={human ? "who-human" : "who-ai"}>{human ? "Human" : "AI"}</b>}
            </span>
          )
          : <span class="sr-only">{mine ? S.you : S.agent}:</span>}
        {/* Each message keeps its own direction: English in an Arabic chat, and the reverse. */}
        <div class="bubble" dir="auto">
          {m.messageType === "voice" && (
            <span class="msg-tag">
              <MicIcon size={12} /> {S.voiceTag}
            </span>
          )}
          <RichText text={m.content} plain={mine} />
        </div>
        {onHandoff && m.metadata?.offer == "handoff" && (
          <button type="button" class="btn btn-ghost btn-small" onClick={onHandoff}>
            {S.handoff}
          </button>
        )}
        {m.pending && <span class="msg-meta">{S.sending}</span>}
        {m.failed && (
          <span class="msg-meta msg-error" role="alert">
            {m.failed} {onRetry && m.clientMessageId && (
              <button
                type="button"
                class="link"
                onClick={() => onRetry(m.clientMessageId!)}
              >
                {S.retrySend}
              </button>
            )}
          </span>
        )}
        {timed && !m.pending && !m.failed && !m.local && (
          <span class="msg-meta">
            <time dateTime={m.createdAt}>{timeOf(m.createdAt)}</time>
          </span>
        )}
      </div>
    </li>
  );
}
