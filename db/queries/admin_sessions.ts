/** @module Admin sign-ins (`admin_sessions`): created at sign-in, checked per request, revoked. */
import { and, eq, gt, isNull, lt, or } from "drizzle-orm";
import type { Db } from "../client.ts";
import { adminSessions } from "../schema.ts";

/** Records a sign-in valid until `expiresAt`; returns its id (the token's `jti`). */
export async function createAdminSession(db: Db, userId: string, expiresAt: Date) {
  // Sign-ins of this user that are over are of no further use: dropped here, where they grow.
  await db.delete(adminSessions).where(
    and(
      eq(adminSessions.userId, userId),
      or(lt(adminSessions.expiresAt, new Date()), lt(adminSessions.revokedAt, new Date())),
    ),
  );
  const [row] = await db.insert(adminSessions).values({ userId, expiresAt }).returning({
    id: adminSessions.id,
  });
  return row.id;
}

/** True while the sign-in is neither revoked nor expired (its user still exists). */
export async function isAdminSessionLive(db: Db, id: string, userId: string): Promise<boolean> {
  const [row] = await db.select({ id: adminSessions.id }).from(adminSessions).where(
    and(
      eq(adminSessions.id, id),
      eq(adminSessions.userId, userId),
      isNull(adminSessions.revokedAt),
      gt(adminSessions.expiresAt, new Date()),
    ),
  ).limit(1);
  return !!row;
}

/** Revokes one sign-in. */
export async function revokeAdminSession(db: Db, id: string): Promise<void> {
  await db.update(adminSessions).set({ revokedAt: new Date() }).where(
    and(eq(adminSessions.id, id), isNull(adminSessions.revokedAt)),
  );
}

/** Revokes every sign-in of a user ("Sign out everywhere"); returns how many were live. */
export async function revokeAllAdminSessions(db: Db, userId: string): Promise<number> {
  const rows = await db.update(adminSessions).set({ revokedAt: new Date() }).where(
    and(eq(adminSessions.userId, userId), isNull(adminSessions.revokedAt)),
  ).returning({ id: adminSessions.id });
  return rows.length;
}
