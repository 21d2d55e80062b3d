/**
 * @module Retention (SPEC v2.4): an organization's `retention_days` deletes its conversations
 * untouched for longer: no session update, message or call change since the cutoff.
 */
import { eq, sql } from "drizzle-orm";
import { organizations } from "../schema.ts";
import type { Db } from "../client.ts";

/** Deletes every organization's expired conversations as of `now`; returns how many. */
export async function purgeExpiredSessions(db: Db, now: Date): Promise<number> {
  // One statement: the cutoff is per organization, and a conversation touched by a message or a
  // call after it stays. Messages, calls, leads and ratings go with their session (CASCADE).
  const result = await db.execute(sql`
    delete from chat_sessions s
    using organizations o
    where s.organization_id = o.id
      and o.retention_days is not null
      and s.updated_at < ${now.toISOString()}::timestamptz - make_interval(days => o.retention_days)
      and not exists (
        select 1 from chat_messages m where m.chat_session_id = s.id
          and m.created_at >= ${now.toISOString()}::timestamptz - make_interval(days => o.retention_days))
      and not exists (
        select 1 from calls c where c.chat_session_id = s.id
          and c.updated_at >= ${now.toISOString()}::timestamptz - make_interval(days => o.retention_days))
    returning s.id`);
  const rows = (result as { rows?: unknown[] }).rows ?? (result as unknown as unknown[]);
  return Array.from(rows).length;
}

/** Sets (or, with null, clears) the organization's retention; returns the organization. */
export async function setRetentionDays(db: Db, organizationId: string, days: number | null) {
  const [row] = await db.update(organizations).set({ retentionDays: days })
    .where(eq(organizations.id, organizationId)).returning();
  return row;
}

/** The organization, for its settings. */
export async function getOrganization(db: Db, organizationId: string) {
  const [row] = await db.select().from(organizations).where(eq(organizations.id, organizationId));
  return row;
}
