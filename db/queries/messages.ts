/**
 * @module Queries on chat messages. Order is `seq` (a table-wide sequence), never a clock, so that
 * `after=<id>` and WebSocket resume agree with the order messages were stored in.
 */
import { and, asc, eq, gt, inArray, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { oncePerDb } from "../prepared.ts";
import { chatMessages, type MessageRow, type MessageType, type SenderType } from "../schema.ts";

/** Fields of a new message. */
export interface NewMessage {
  sessionId: string;
  senderType: SenderType;
  messageType: MessageType;
  content: string;
  metadata?: Record<string, unknown>;
  voiceUrl?: string | null;
  clientMessageId?: string | null;
}

const values = (m: NewMessage) => ({
  chatSessionId: m.sessionId,
  senderType: m.senderType,
  messageType: m.messageType,
  content: m.content,
  metadata: m.metadata ?? {},
  voiceUrl: m.voiceUrl ?? null,
  clientMessageId: m.clientMessageId ?? null,
});

/** Stores a message. */
export async function insertMessage(db: Db, message: NewMessage): Promise<MessageRow> {
  const [row] = await db.insert(chatMessages).values(values(message)).returning();
  return row;
}

/**
 * Stores a message once per `(session, clientMessageId)`: a repeat (even a concurrent one, which
 * the unique index settles) returns the stored row with `created: false`.
 */
export async function insertMessageOnce(
  db: Db,
  message: NewMessage & { clientMessageId: string },
): Promise<{ row: MessageRow; created: boolean }> {
  const [row] = await db.insert(chatMessages).values(values(message))
    .onConflictDoNothing({ target: [chatMessages.chatSessionId, chatMessages.clientMessageId] })
    .returning();
  if (row) return { row, created: true };
  const existing = await findMessageByClientId(db, message.sessionId, message.clientMessageId);
  if (!existing) throw new Error("A conflicting message vanished"); // only if deleted meanwhile
  return { row: existing, created: false };
}

/** The message of a session with that client id. */
export async function findMessageByClientId(db: Db, sessionId: string, clientMessageId: string) {
  const [row] = await db.select().from(chatMessages).where(and(
    eq(chatMessages.chatSessionId, sessionId),
    eq(chatMessages.clientMessageId, clientMessageId),
  )).limit(1);
  return row;
}

/** A message of the session, or undefined (also when it belongs to another session). */
export async function findMessage(db: Db, sessionId: string, id: string) {
  const [row] = await db.select().from(chatMessages)
    .where(and(eq(chatMessages.id, id), eq(chatMessages.chatSessionId, sessionId))).limit(1);
  return row;
}

/** Messages by id, for the fan-out (which carries ids, not rows), in `seq` order. */
export function getMessagesByIds(db: Db, ids: string[]) {
  if (ids.length === 0) return Promise.resolve([]);
  return db.select().from(chatMessages).where(inArray(chatMessages.id, ids))
    .orderBy(asc(chatMessages.seq));
}

/** Messages of a session after a `seq` (0: from the start), oldest first. */
export function listMessages(
  db: Db,
  sessionId: string,
  options: { afterSeq?: number; limit: number },
) {
  return db.select().from(chatMessages).where(and(
    eq(chatMessages.chatSessionId, sessionId),
    gt(chatMessages.seq, options.afterSeq ?? 0),
  )).orderBy(asc(chatMessages.seq)).limit(options.limit);
}

const lastSeqQuery = oncePerDb((db) =>
  db.select({ seq: sql<number>`coalesce(max(${chatMessages.seq}), 0)::bigint` })
    .from(chatMessages).where(eq(chatMessages.chatSessionId, sql.placeholder("sessionId")))
    .prepare("last_seq_of")
);
/** The highest `seq` of the session's messages (0 when none): where a new socket starts. */
export async function lastSeqOf(db: Db, sessionId: string): Promise<number> {
  const [row] = await lastSeqQuery(db).execute({ sessionId });
  return Number(row?.seq ?? 0);
}

/** True when an earlier attempt to answer the user message failed (its system message exists). */
export async function hasFailedReply(db: Db, sessionId: string, userMessageId: string) {
  const [row] = await db.select({ id: chatMessages.id }).from(chatMessages).where(and(
    eq(chatMessages.chatSessionId, sessionId),
    eq(chatMessages.senderType, "system"),
    sql`${chatMessages.metadata}->>'replyTo' = ${userMessageId}`,
  )).limit(1);
  return row !== undefined;
}

/** The idempotency key of the agent's reply to a user message. */
export function replyKey(userMessageId: string): string {
  return `reply:${userMessageId}`;
}
