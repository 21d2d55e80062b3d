/**
 * @module A conversation as one timeline: text and voice turns as bubbles, system messages and
 * every switch between chat and voice as centred markers. Used by the conversation island, so the
 * server render and the live view are the same markup.
 */
import type { Message } from "../../lib/wire.ts";
import { shortTime } from "../../islands/admin/format.ts";
import { Icon } from "./icons.tsx";

/** One bubble: the visitor on the left, the agent on the right, voice turns labelled. */
export function MessageBubble({ message }: { message: Message }) {
  const side = message.senderType === "user" ? "visitor" : "agent";
  const voice = message.messageType === "voice";
  return (
    <li
      class={`bubble-row bubble-${side}${voice ? " bubble-voice" : ""}`}
      data-message-id={message.id}
      data-sender={message.senderType}
    >
      <div class="bubble">
        <p class="bubble-text">{message.content}</p>
        {message.voiceUrl && (
          <audio class="bubble-audio" controls preload="none" src={message.voiceUrl} />
        )}
      </div>
      <div class="bubble-meta">
        {voice && (
          <span class="voice-tag">
            <Icon name="phone" size={12} /> Voice
          </span>
        )}
        <span>{side === "visitor" ? "Visitor" : "Agent"}</span>
        <time dateTime={message.createdAt}>{shortTime(message.createdAt)}</time>
      </div>
    </li>
  );
}

function Marker({ text, time, voice }: { text: string; time?: string; voice?: boolean }) {
  return (
    <li class={`marker${voice ? " marker-voice" : ""}`} role="separator" aria-label={text}>
      <span>
        {voice && <Icon name="phone" size={12} />}
        {text}
        {time && <time dateTime={time}>{shortTime(time)}</time>}
      </span>
    </li>
  );
}

/** The whole timeline, oldest first. */
export function Timeline({ messages }: { messages: Message[] }) {
  const items = [];
  let lastMode: "chat" | "voice" = "chat";
  for (const m of messages) {
    if (m.messageType === "system") {
      items.push(<Marker key={m.id} text={m.content} time={m.createdAt} />);
      continue;
    }
    const mode = m.messageType === "voice" ? "voice" : "chat";
    // Marks the switch even when no system message announced it (a transcript arriving later).
    if (mode !== lastMode) {
      items.push(
        <Marker
          key={`mode-${m.id}`}
          text={mode === "voice" ? "Voice call" : "Back to chat"}
          voice={mode === "voice"}
        />,
      );
      lastMode = mode;
    }
    items.push(<MessageBubble key={m.id} message={m} />);
  }
  return <ol class="timeline" aria-label="Messages">{items}</ol>;
}
