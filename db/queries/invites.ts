/** @module Queries on invitations. A token is looked up by its SHA-256, never stored itself. */
import { and, desc, eq, gt, isNull } from "drizzle-orm";
import type { Db } from "../client.ts";
import { type InviteRole, invites, users } from "../schema.ts";

/** Fields of a new invitation. */
export interface NewInvite {
  organizationId: string;
  email: string;
  role: InviteRole;
  tokenHash: string;
  invitedBy: string;
  expiresAt: Date;
}

/** Stores an invitation. */
export async function createInvite(db: Db, input: NewInvite) {
  const [row] = await db.insert(invites).values(input).returning();
  return row;
}

/** Invitations not yet accepted nor expired, newest first. */
export async function listPendingInvites(db: Db, organizationId: string) {
  return await db.select().from(invites).where(and(
    eq(invites.organizationId, organizationId),
    isNull(invites.acceptedAt),
    gt(invites.expiresAt, new Date()),
  )).orderBy(desc(invites.createdAt));
}

/** Withdraws a pending invitation; true when there was one. */
export async function deleteInvite(db: Db, organizationId: string, id: string) {
  const rows = await db.delete(invites)
    .where(
      and(
        eq(invites.id, id),
        eq(invites.organizationId, organizationId),
        isNull(invites.acceptedAt),
      ),
    )
    .returning({ id: invites.id });
  return rows.length > 0;
}

/** An invitation by its token's hash. */
export async function findInviteByHash(db: Db, tokenHash: string) {
  const [row] = await db.select().from(invites).where(eq(invites.tokenHash, tokenHash)).limit(1);
  return row;
}

/**
 * Accepts an invitation and creates its user in one transaction. The update claims the invite
 * only while it is unused and unexpired, so two concurrent accepts create one user; undefined
 * when the claim lost.
 */
export async function acceptInvite(
  db: Db,
  inviteId: string,
  user: { name: string; passwordHash: string },
) {
  return await db.transaction(async (tx) => {
    const [invite] = await tx.update(invites).set({ acceptedAt: new Date() }).where(and(
      eq(invites.id, inviteId),
      isNull(invites.acceptedAt),
      gt(invites.expiresAt, new Date()),
    )).returning();
    if (!invite) return undefined;
    const [row] = await tx.insert(users).values({
      organizationId: invite.organizationId,
      email: invite.email,
      name: user.name,
      passwordHash: user.passwordHash,
      role: invite.role,
    }).returning();
    return row;
  });
}
