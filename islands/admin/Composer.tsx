/**
 * @module The inbox's reply box and handling controls: "Take over" / "Hand back to AI", the
 * assignee picker, and a textarea where Enter sends and Shift+Enter starts a new line. Replies go
 * to `POST /api/chat/sessions/:id/messages` with the page's token, so they are human replies.
 */
import { useSignal } from "@preact/signals";
import type { Session } from "../../contract/wire.ts";

/** A teammate the session can be assigned to. */
export interface Teammate {
  id: string;
  name: string;
}

/** Props of the handling bar. */
export interface HandlingProps {
  session: Session;
  me: Teammate;
  team: Teammate[];
  busy: boolean;
  onChange(patch: { handler?: "ai" | "human"; assigneeId?: string | null }): void;
}

/** "Take over" / "Hand back to AI" and the assignee picker. */
export function Handling(props: HandlingProps) {
  const s = props.session;
  const human = s.handler === "human";
  return (
    <div class="handling">
      <span class="handling-text">
        {human
          ? "A person is answering this visitor"
          : s.handoffRequestedAt
          ? "The visitor asked for a person"
          : "The AI agent is answering"}
      </span>
      <label class="sr-only" for="assignee">Assignee</label>
      <select
        id="assignee"
        class="assignee"
        value={s.assigneeId ?? ""}
        disabled={props.busy}
        onChange={(e) => props.onChange({ assigneeId: e.currentTarget.value || null })}
      >
        <option value="">Unassigned</option>
        {props.team.map((t) => (
          <option key={t.id} value={t.id}>
            {t.id === props.me.id ? `${t.name} (you)` : t.name}
          </option>
        ))}
      </select>
      {s.status === "active" && (
        <button
          type="button"
          class={`btn btn-sm ${human ? "btn-secondary" : "btn-primary"}`}
          disabled={props.busy}
          onClick={() => props.onChange({ handler: human ? "ai" : "human" })}
        >
          {human ? "Hand back to AI" : "Take over"}
        </button>
      )}
    </div>
  );
}

/** Props of the reply box. */
export interface ComposerProps {
  session: Session;
  onSend(text: string): Promise<boolean>;
  onTyping(): void;
}

/** The reply box under the timeline. */
export function Composer(props: ComposerProps) {
  const text = useSignal("");
  const sending = useSignal(false);
  const human = props.session.handler === "human";
  async function send() {
    const value = text.value;
    if (!value.trim() || sending.value) return;
    sending.value = true;
    if (await props.onSend(value)) text.value = "";
    sending.value = false;
  }
  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        send();
      }}
    >
      <label class="sr-only" for="reply">Reply</label>
      <textarea
        id="reply"
        rows={2}
        maxLength={4000}
        placeholder={human
          ? "Reply to the visitor…"
          : "Reply as yourself (the AI stops answering)…"}
        value={text.value}
        onInput={(e) => {
          text.value = e.currentTarget.value;
          props.onTyping();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send();
          }
        }}
      />
      <div class="composer-bar">
        <span class="composer-hint">
          <kbd>Enter</kbd> to send · <kbd>Shift</kbd>+<kbd>Enter</kbd> for a new line
        </span>
        <button type="submit" class="btn btn-primary btn-sm" disabled={sending.value}>
          {sending.value ? "Sending…" : "Send"}
        </button>
      </div>
    </form>
  );
}
