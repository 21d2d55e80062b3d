/**
 * @module A conversation as one timeline: text and voice turns as the widget's own message
 * bubbles (components/widget/MessageBubble.tsx, so owners see what visitors saw), system messages
 * and every switch between chat and voice as centred markers. Used by the conversation island, so
 * the server render and the live view are the same markup.
 */
import type { Message } from "../../contract/wire.ts";
import { MessageBubble } from "../widget/MessageBubble.tsx";
import { shortTime } from "../../islands/admin/format.ts";
import { Icon } from "./icons.tsx";

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
export function Timeline(
  { messages, agentName }: { messages: Message[]; agentName?: string },
) {
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
    // Every bubble shows its time: an inbox is read later, out of the flow of the chat.
    items.push(<MessageBubble key={m.id} message={m} last agentName={agentName} />);
  }
  return <ol class="timeline" aria-label="Messages">{items}</ol>;
}
