/**
 * @module One transcript of a conversation (SPEC v2.4): chat, human and call turns together in
 * the order they happened, each with its time and who spoke, as plain text or as a small HTML
 * page. A call's turns are timed from the call's start when Retell said where each turn began.
 */
import type { CallRow, MessageRow, SessionRow } from "../db/schema.ts";

/** One line of the transcript. */
export interface TranscriptEntry {
  at: Date;
  speaker: string;
  /** "chat" | "call" | "note" (system lines such as "Voice call ended"). */
  channel: "chat" | "call" | "note";
  text: string;
}

/** Who spoke a message, in words. */
function speakerOf(m: MessageRow, visitorName: string | null): string {
  if (m.senderType === "user") return visitorName ?? "Visitor";
  if (m.senderType === "system") return "Parley";
  const author = m.metadata?.author as { kind?: unknown; name?: unknown } | undefined;
  if (author?.kind === "human") {
    return typeof author.name === "string" && author.name ? author.name : "Team";
  }
  return "Assistant";
}

/** The session's messages as transcript entries, in stored order. */
export function transcriptEntries(
  session: SessionRow,
  messages: MessageRow[],
  calls: CallRow[],
): TranscriptEntry[] {
  const callStart = new Map(calls.map((c) => [c.id, c.startedAt]));
  // Stored order is spoken order: a call's turns are stored together when it ends, before the
  // note that it ended and before anything said in the chat afterwards.
  return messages.map((m): TranscriptEntry => {
    let at = m.createdAt;
    const callId = m.metadata?.callId, offset = m.metadata?.startSeconds;
    if (m.messageType === "voice" && typeof callId === "string" && typeof offset === "number") {
      const start = callStart.get(callId);
      // Stored when the call ended, so never later than that (a skewed clock cannot reorder).
      if (start) at = new Date(Math.min(start.getTime() + offset * 1000, m.createdAt.getTime()));
    }
    return {
      at,
      speaker: speakerOf(m, session.visitorName),
      channel: m.messageType === "voice" ? "call" : m.senderType === "system" ? "note" : "chat",
      text: m.content,
    };
  });
}

const pad = (n: number) => String(n).padStart(2, "0");
/** `2026-12-02 14:05:09 UTC`: unambiguous wherever the file is read. */
export function utc(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${
    pad(d.getUTCHours())
  }:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} UTC`;
}

/** What heads a transcript. */
export interface TranscriptHeader {
  title: string;
  session: SessionRow;
}

/** The transcript as plain text. */
export function transcriptText(header: TranscriptHeader, entries: TranscriptEntry[]): string {
  const lines = [
    header.title,
    `Conversation ${header.session.id}, started ${utc(header.session.createdAt)}`,
    "",
  ];
  for (const e of entries) {
    const who = e.channel === "call" ? `${e.speaker} (call)` : e.speaker;
    const text = e.text.replace(/\r\n?/g, "\n").replace(/\n/g, "\n    ");
    lines.push(`[${utc(e.at)}] ${who}: ${text}`);
  }
  return lines.join("\n") + "\n";
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};
/** Escapes text for HTML element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

/** The transcript as a self-contained HTML page (every value escaped; no script, no remote). */
export function transcriptHtml(header: TranscriptHeader, entries: TranscriptEntry[]): string {
  const items = entries.map((e) =>
    `<li class="${e.channel}"><time datetime="${e.at.toISOString()}">${utc(e.at)}</time> ` +
    `<b>${escapeHtml(e.speaker)}${e.channel === "call" ? " (call)" : ""}</b>` +
    `<p>${escapeHtml(e.text)}</p></li>`
  ).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(header.title)}</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1f24}
ol{list-style:none;padding:0}li{margin:0 0 1rem}time{color:#57606a;font-size:.85em;margin-right:.5em}
p{margin:.2rem 0 0;white-space:pre-wrap}li.call b::after{content:" \\260E"}li.note{color:#57606a;font-style:italic}</style>
</head><body>
<h1>${escapeHtml(header.title)}</h1>
<p>Conversation ${escapeHtml(header.session.id)}, started ${utc(header.session.createdAt)}</p>
<ol>
${items}
</ol>
</body></html>
`;
}
