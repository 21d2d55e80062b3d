/**
 * @module The pure helpers the call lifecycle uses to turn Retell's call events
 * (`agents/call_event.ts`) into chat messages.
 */
import type { RetellCall } from "../agents/call_event.ts";
import type { NotConnected, SystemText } from "../lib/system_text.ts";

/** A turn of the call as a chat message. */
export interface Turn {
  senderType: "agent" | "user";
  content: string;
  /** Seconds into the recording where the turn starts, when Retell says. */
  startSeconds?: number;
}

/** The longest single transcript message stored (a monologue is cut, not refused). */
const MAX_TURN_CHARS = 10_000;

/**
 * The call's turns in order: `transcript_object` when present (role agent/user, empty ones
 * skipped), else the `transcript` text's "Agent: …"/"User: …" lines.
 */
export function transcriptTurns(call: RetellCall): Turn[] {
  const cut = (s: string) => s.length > MAX_TURN_CHARS ? s.slice(0, MAX_TURN_CHARS) + "…" : s;
  if (call.transcript_object?.length) {
    return call.transcript_object.flatMap((u) => {
      const content = u.content.trim();
      if (!content || (u.role !== "agent" && u.role !== "user")) return [];
      const start = u.words?.find((w) => typeof w.start === "number")?.start;
      const turn: Turn = { senderType: u.role, content: cut(content) };
      if (typeof start === "number") turn.startSeconds = start;
      return [turn];
    });
  }
  const turns: Turn[] = [];
  for (const line of (call.transcript ?? "").split("\n")) {
    const m = /^(Agent|User):\s*(.*)$/.exec(line.trim());
    if (m && m[2].trim()) {
      turns.push({ senderType: m[1] === "Agent" ? "agent" : "user", content: cut(m[2].trim()) });
    } else if (turns.length && line.trim()) {
      // A continuation line of the previous turn.
      turns[turns.length - 1].content = cut(`${turns[turns.length - 1].content} ${line.trim()}`);
    }
  }
  return turns;
}

/** Only http(s) URLs are kept: the widget renders them as links. */
export function safeUrl(value: string | null | undefined): string | null {
  if (!value || value.length > 1024) return null;
  try {
    const url = new URL(value);
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : null;
  } catch {
    return null;
  }
}

/** A Retell ms timestamp as a Date (null when absent or absurd). */
export function dateOf(ms: number | null | undefined): Date | null {
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms <= 0) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** "45s", "2m 14s", "1h 02m". */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600), m = Math.floor((total % 3600) / 60), s = total % 60;
  if (h) return `${h}h ${String(m).padStart(2, "0")}m`;
  if (m) return `${m}m ${s}s`;
  return `${s}s`;
}

/** Disconnection reasons of calls that never connected, in words. */
const NOT_CONNECTED: Record<string, NotConnected> = {
  dial_no_answer: "noAnswer",
  dial_busy: "busy",
  dial_failed: "unreachable",
  invalid_destination: "unreachable",
  error_user_not_joined: "notJoined",
  registered_call_timeout: "notJoined",
  no_valid_payment: "noService",
  concurrency_limit_reached: "full",
  no_concurrency_fallback: "full",
};

/** The system message that closes a call in the chat, in the session's language. */
export function endedText(
  text: SystemText,
  reason: string | null,
  durationMs: number | null,
): string {
  const why = reason ? NOT_CONNECTED[reason] : undefined;
  if (why) return text.callNotConnected(why);
  return text.callEnded(durationMs !== null ? formatDuration(durationMs) : undefined);
}

/** True when Retell reports the call failed rather than ended. */
export function endedInError(call: RetellCall): boolean {
  return call.call_status === "error" ||
    (call.disconnection_reason?.startsWith("error") ?? false);
}

/** The label of a turn: a teammate's turns are named, so the voice agent knows a person spoke. */
function speakerOf(m: { senderType: string; metadata?: Record<string, unknown> }): string {
  if (m.senderType === "user") return "User: ";
  const author = m.metadata?.author as { kind?: unknown; name?: unknown } | undefined;
  if (author?.kind === "human" && typeof author.name === "string") {
    return `Agent (${author.name.replace(/[\s:()]+/g, " ").trim() || "teammate"}, a person): `;
  }
  return "Agent: ";
}

/** The chat history a voice agent gets, newest kept within `maxChars`. */
export function chatTranscript(
  messages: { senderType: string; content: string; metadata?: Record<string, unknown> }[],
  maxChars = 4000,
): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i];
    if (m.senderType !== "user" && m.senderType !== "agent") continue;
    const content = m.content.replace(/\s+/g, " ").trim();
    if (!content) continue;
    const label = speakerOf(m);
    let line = label + content;
    const room = maxChars - size - (lines.length ? 1 : 0);
    if (line.length > room) {
      // The newest message is always kept: its end, when it alone is too long.
      if (lines.length > 0 || room <= label.length + 20) break;
      line = label + "…" + content.slice(-(room - label.length - 1));
    }
    lines.push(line);
    size += line.length + (lines.length > 1 ? 1 : 0);
  }
  return lines.reverse().join("\n");
}
