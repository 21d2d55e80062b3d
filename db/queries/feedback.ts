/**
 * @module Leads (the pre-chat form's answers) and ratings: at most one of each per session, the
 * unique keys deciding races (a second one is a 409 through the 23505 mapping).
 */
import { eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chatSessions, type LeadRow, leads, type RatingRow, ratings } from "../schema.ts";

/** A lead's fields. */
export interface NewLead {
  name?: string;
  email?: string;
  phone?: string;
  consent: boolean;
  consentText: string | null;
}

/**
 * Stores the session's lead; an unverified visitor's session takes its name, email and phone
 * (shown as typed, never as verified, never sent to the agent as the customer's).
 */
export async function insertLead(db: Db, sessionId: string, lead: NewLead): Promise<LeadRow> {
  return await db.transaction(async (tx) => {
    const [row] = await tx.insert(leads).values({ chatSessionId: sessionId, ...lead }).returning();
    const [session] = await tx.select({ verified: chatSessions.visitorVerified })
      .from(chatSessions).where(eq(chatSessions.id, sessionId));
    if (session && !session.verified) {
      await tx.update(chatSessions).set({
        visitorName: lead.name ?? null,
        visitorEmail: lead.email ?? null,
        visitorPhone: lead.phone ?? null,
        updatedAt: new Date(),
      }).where(eq(chatSessions.id, sessionId));
    }
    return row;
  });
}

/** Stores the session's rating. */
export async function insertRating(
  db: Db,
  sessionId: string,
  rating: { score: number; comment?: string },
): Promise<RatingRow> {
  const [row] = await db.insert(ratings).values({
    chatSessionId: sessionId,
    score: rating.score,
    comment: rating.comment ?? null,
  }).returning();
  return row;
}

/** Leads and ratings of some sessions, by session id. */
export async function feedbackOf(db: Db, sessionIds: string[]) {
  const byLead = new Map<string, LeadRow>(), byRating = new Map<string, RatingRow>();
  if (!sessionIds.length) return { leads: byLead, ratings: byRating };
  const [l, r] = await Promise.all([
    db.select().from(leads).where(inArray(leads.chatSessionId, sessionIds)),
    db.select().from(ratings).where(inArray(ratings.chatSessionId, sessionIds)),
  ]);
  for (const row of l) byLead.set(row.chatSessionId, row);
  for (const row of r) byRating.set(row.chatSessionId, row);
  return { leads: byLead, ratings: byRating };
}

/** Each widget's average rating and number of ratings, for the organization's inbox. */
export async function averageRatings(db: Db, organizationId: string) {
  const rows = await db.select({
    widgetId: chatSessions.widgetId,
    average: sql<string>`avg(${ratings.score})`,
    count: sql<number>`count(*)::int`,
  }).from(ratings).innerJoin(chatSessions, eq(chatSessions.id, ratings.chatSessionId))
    .where(eq(chatSessions.organizationId, organizationId))
    .groupBy(chatSessions.widgetId);
  return new Map(
    rows.flatMap((r) =>
      r.widgetId ? [[r.widgetId, { average: Number(r.average), count: Number(r.count) }]] : []
    ),
  );
}
