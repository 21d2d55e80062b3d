/** @module Queries on visitors (`/embed/auth`'s visitor ids and the hashes of their keys). */
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chatSessions, visitors } from "../schema.ts";

/** A visitor of a widget. */
export async function findVisitor(db: Db, widgetId: string, visitorId: string) {
  const [row] = await db.select().from(visitors)
    .where(and(eq(visitors.widgetId, widgetId), eq(visitors.id, visitorId))).limit(1);
  return row;
}

/**
 * True when the id already names someone of that widget: a visitor, or the owner of sessions made
 * before visitors had keys (or by an admin for that id).
 */
export async function visitorIdInUse(db: Db, widgetId: string, visitorId: string) {
  if (await findVisitor(db, widgetId, visitorId)) return true;
  const [session] = await db.select({ id: chatSessions.id }).from(chatSessions)
    .where(and(eq(chatSessions.widgetId, widgetId), eq(chatSessions.visitorId, visitorId)))
    .limit(1);
  return !!session;
}

/** Stores a new visitor; false when the id was taken meanwhile. */
export async function insertVisitor(
  db: Db,
  visitor: { widgetId: string; id: string; domain: string; keyHash: string },
): Promise<boolean> {
  const rows = await db.insert(visitors).values(visitor).onConflictDoNothing()
    .returning({ id: visitors.id });
  return rows.length === 1;
}

/** The id of a visitor's latest conversation on a widget, if any. */
export async function latestVisitorSessionId(db: Db, widgetId: string, visitorId: string) {
  const [row] = await db.select({ id: chatSessions.id }).from(chatSessions)
    .where(and(eq(chatSessions.widgetId, widgetId), eq(chatSessions.visitorId, visitorId)))
    .orderBy(desc(chatSessions.createdAt)).limit(1);
  return row?.id;
}
