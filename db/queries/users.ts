/** @module Queries on organizations and users. */
import { eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { organizations, users } from "../schema.ts";

/** Creates an organization and its first admin in one transaction. */
export async function createOrganizationWithUser(
  db: Db,
  input: { organizationName: string; email: string; passwordHash: string },
) {
  return await db.transaction(async (tx) => {
    const [organization] = await tx.insert(organizations).values({ name: input.organizationName })
      .returning();
    const [user] = await tx.insert(users).values({
      organizationId: organization.id,
      email: input.email,
      passwordHash: input.passwordHash,
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
