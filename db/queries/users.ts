/** @module Queries on organizations and users. */
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { organizations, type Role, users } from "../schema.ts";

/** The name a user without one is shown by: their email's local part. */
export function defaultName(email: string): string {
  return email.split("@")[0].slice(0, 100);
}

/**
 * Creates an organization and its owner (the first user) in one transaction. `onlyIfFirst`: only
 * on an empty database (the table is locked while checking, so concurrent first sign-ups agree);
 * undefined when another organization exists.
 */
export async function createOrganizationWithUser(
  db: Db,
  input: { organizationName: string; email: string; passwordHash: string; name?: string },
  options: { onlyIfFirst?: boolean } = {},
) {
  return await db.transaction(async (tx) => {
    if (options.onlyIfFirst) {
      await tx.execute(sql`LOCK TABLE organizations IN SHARE ROW EXCLUSIVE MODE`);
      const [any] = await tx.select({ id: organizations.id }).from(organizations).limit(1);
      if (any) return undefined;
    }
    const [organization] = await tx.insert(organizations).values({ name: input.organizationName })
      .returning();
    const [user] = await tx.insert(users).values({
      organizationId: organization.id,
      email: input.email,
      passwordHash: input.passwordHash,
      name: input.name ?? defaultName(input.email),
      role: "owner",
    }).returning();
    return { organization, user };
  });
}

/** A user by email (lower-cased by the caller). */
export async function findUserByEmail(db: Db, email: string) {
  const [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return row;
}

/** A user and their organization. */
export async function findUserWithOrganization(db: Db, userId: string) {
  const [row] = await db.select({ user: users, organization: organizations }).from(users)
    .innerJoin(organizations, eq(organizations.id, users.organizationId))
    .where(eq(users.id, userId)).limit(1);
  return row;
}

/** A user of an organization, or undefined (another organization's user is not found). */
export async function findOrganizationUser(db: Db, organizationId: string, userId: string) {
  const [row] = await db.select().from(users)
    .where(and(eq(users.id, userId), eq(users.organizationId, organizationId))).limit(1);
  return row;
}

/** The organization's users, owner first, then by when they joined. */
export async function listOrganizationUsers(db: Db, organizationId: string) {
  return await db.select().from(users).where(eq(users.organizationId, organizationId))
    .orderBy(sql`${users.role} <> 'owner'`, asc(users.createdAt), asc(users.id));
}

/** Renames a user. */
export async function renameUser(db: Db, userId: string, name: string) {
  const [row] = await db.update(users).set({ name }).where(eq(users.id, userId)).returning();
  return row;
}

/**
 * Deletes a user who is not the owner; true when one was deleted. Their sessions are unassigned
 * and, because every admin request loads its user, their tokens stop working at once.
 */
export async function deleteNonOwner(db: Db, organizationId: string, userId: string) {
  const rows = await db.delete(users).where(and(
    eq(users.id, userId),
    eq(users.organizationId, organizationId),
    sql`${users.role} <> 'owner'`,
  )).returning({ id: users.id });
  return rows.length > 0;
}

/** Role of a new user. */
export type NewUserRole = Exclude<Role, "owner">;

/** Replaces a password hash, unless it changed since `previous` was read. */
export async function setPasswordHash(db: Db, userId: string, hash: string, previous: string) {
  await db.update(users).set({ passwordHash: hash }).where(
    and(eq(users.id, userId), eq(users.passwordHash, previous)),
  );
}
