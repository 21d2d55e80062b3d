/**
 * @module The conversation: an `aria-live` log of bubbles grouped by sender, the typing
 * indicator, and the loading, error and ended states. It follows new messages down unless the
 * visitor has scrolled up to read.
 */
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import type { FrameStatus, UiMessage } from "../../embed/chat_model.ts";
import { frameStrings as S } from "../../embed/strings.ts";
import { initials, MessageBubble } from "./MessageBubble.tsx";
import { AlertIcon, AssistantIcon } from "./icons.tsx";

const PAUSE_MS = 5 * 60_000;

/** Props of the message list. */
export interface ChatMessagesProps {
  messages: UiMessage[];
  typing: boolean;
  /** The teammate typing, when it is a person. */
  typingName?: string;
  status: FrameStatus;
  onHandoff?: () => void;
  ended: boolean;
  onRetry: (clientMessageId: string) => void;
  onReload: () => void;
}

/** The scrollable conversation. */
export function ChatMessages(props: ChatMessagesProps) {
  const scroller = useRef<HTMLDivElement>(null);
  const pinned = useRef(true);
  const { messages, typing } = props;

  useLayoutEffect(() => {
    const el = scroller.current;
    const mine = messages[messages.length - 1]?.senderType === "user";
    if (el && (pinned.current || mine)) el.scrollTop = el.scrollHeight;
  }, [messages, typing, props.status, props.ended]);

  // The list shrinks when the voice options or a notice open: stay at the newest message.
  useEffect(() => {
    const el = scroller.current;
    if (!el || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() => {
      if (pinned.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [props.status]);

  if (props.status === "loading") {
    return (
      <div class="messages messages-state" aria-busy="true">
        <div class="skeleton" aria-hidden="true">
          <span class="sk sk-left" />
          <span class="sk sk-right" />
          <span class="sk sk-left sk-short" />
        </div>
        <p class="sr-only" role="status">{S.loading}</p>
      </div>
    );
  }
  if (props.status === "error" || props.status === "unavailable") {
    return (
      <div class="messages messages-state" role="alert">
        <span class="state-icon">
          <AlertIcon />
        </span>
        <p>{props.status === "error" ? S.loadFailed : S.unavailable}</p>
        {props.status === "error" && (
          <button type="button" class="btn btn-primary" onClick={props.onReload}>{S.retry}</button>
        )}
      </div>
    );
  }
  return (
    <div
      class="messages"
      role="log"
      aria-live="polite"
      aria-label={S.messagesLabel}
      // A scrolling region must be reachable by keyboard to be read with the arrow keys.
      tabIndex={0}
      ref={scroller}
      onScroll={(e) => {
        const el = e.currentTarget;
        pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 48;
      }}
    >
      <ol class="message-list">
        {messages.map((m, i) => {
          const next = messages[i + 1];
          return (
            <MessageBubble
              key={m.clientMessageId ?? m.id}
              message={m}
              last={next?.senderType !== m.senderType}
              // A time under the newest message and before a pause, not under every bubble.
              timed={!next || Date.parse(next.createdAt) - Date.parse(m.createdAt) > PAUSE_MS}
              onRetry={props.onRetry}
              onHandoff={props.onHandoff}
            />
          );
        })}
        {typing && (
          <li class="msg msg-agent msg-last typing" data-typing="true">
            <span class="msg-avatar" aria-hidden="true">
              {props.typingName ? initials(props.typingName) : <AssistantIcon size={16} />}
            </span>
            <div
              class="bubble"
              role="status"
              aria-label={props.typingName ? S.typingName(props.typingName) : S.typing}
              title={props.typingName && S.typingName(props.typingName)}
            >
              <span class="dot" />
              <span class="dot" />
              <span class="dot" />
            </div>
          </li>
        )}
      </ol>
      {props.ended && <p class="ended-note" role="status">{S.chatEnded}</p>}
    </div>
  );
}
