/**
 * @module Everything stored about one visitor, to hand over (export) or erase (deletion, SPEC
 * v2.4). Sessions are the root: messages, calls, leads and ratings go with them (ON DELETE
 * CASCADE), and the visitor's key row goes too.
 */
import { and, asc, eq, inArray, type SQL } from "drizzle-orm";
import type { Db } from "../client.ts";
import {
  calls,
  chatMessages,
  chatSessions,
  leads,
  ratings,
  visitors,
  widgetConfigurations,
} from "../schema.ts";

/** Whose data: one visitor of an organization, narrowed to one widget for the visitor's own. */
export interface VisitorSelector {
  organizationId: string;
  visitorId: string;
  widgetId?: string;
}

function sessionsWhere(v: VisitorSelector): SQL {
  return and(
    eq(chatSessions.organizationId, v.organizationId),
    eq(chatSessions.visitorId, v.visitorId),
    ...(v.widgetId ? [eq(chatSessions.widgetId, v.widgetId)] : []),
  )!;
}

/** The visitor's sessions with their messages, calls, leads and ratings, oldest first. */
export async function visitorData(db: Db, v: VisitorSelector) {
  const sessions = await db.select().from(chatSessions).where(sessionsWhere(v))
    .orderBy(asc(chatSessions.createdAt), asc(chatSessions.id));
  const ids = sessions.map((s) => s.id);
  if (!ids.length) return { sessions, messages: [], calls: [], leads: [], ratings: [] };
  const [m, c, l, r] = await Promise.all([
    db.select().from(chatMessages).where(inArray(chatMessages.chatSessionId, ids))
      .orderBy(asc(chatMessages.seq)),
    db.select().from(calls).where(inArray(calls.chatSessionId, ids)).orderBy(asc(calls.createdAt)),
    db.select().from(leads).where(inArray(leads.chatSessionId, ids)),
    db.select().from(ratings).where(inArray(ratings.chatSessionId, ids)),
  ]);
  return { sessions, messages: m, calls: c, leads: l, ratings: r };
}

/** Erases the visitor's sessions (and all that hangs on them) and keys; returns sessions erased. */
export async function deleteVisitorData(db: Db, v: VisitorSelector): Promise<string[]> {
  return await db.transaction(async (tx) => {
    const gone = await tx.delete(chatSessions).where(sessionsWhere(v))
      .returning({ id: chatSessions.id });
    const orgWidgets = tx.select({ id: widgetConfigurations.id }).from(widgetConfigurations)
      .where(eq(widgetConfigurations.organizationId, v.organizationId));
    await tx.delete(visitors).where(and(
      eq(visitors.id, v.visitorId),
      inArray(visitors.widgetId, orgWidgets),
      ...(v.widgetId ? [eq(visitors.widgetId, v.widgetId)] : []),
    ));
    return gone.map((s) => s.id);
  });
}
