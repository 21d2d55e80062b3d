/**
 * @module What the admin inbox reads beyond sessions and messages: each listed session's last
 * message and message count. Callers pass sessions they already scoped to the organization
 * (`listSessions`), so this takes session ids.
 */
import { inArray, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chatMessages, type MessageRow } from "../schema.ts";

/** A session's latest message and how many it has. */
export interface SessionActivity {
  last: MessageRow;
  count: number;
}

/** The last message and message count of each session (sessions without messages are absent). */
export async function sessionActivity(
  db: Db,
  sessionIds: string[],
): Promise<Map<string, SessionActivity>> {
  const out = new Map<string, SessionActivity>();
  if (sessionIds.length === 0) return out;
  const [lastRows, counts] = await Promise.all([
    db.selectDistinctOn([chatMessages.chatSessionId]).from(chatMessages)
      .where(inArray(chatMessages.chatSessionId, sessionIds))
      .orderBy(chatMessages.chatSessionId, sql`${chatMessages.seq} desc`),
    db.select({ id: chatMessages.chatSessionId, count: sql<number>`count(*)::int` })
      .from(chatMessages).where(inArray(chatMessages.chatSessionId, sessionIds))
      .groupBy(chatMessages.chatSessionId),
  ]);
  const countOf = new Map(counts.map((r) => [r.id, Number(r.count)]));
  for (const row of lastRows) {
    out.set(row.chatSessionId, { last: row, count: countOf.get(row.chatSessionId) ?? 1 });
  }
  return out;
}
