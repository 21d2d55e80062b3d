/** @module Queries on organizations: the sealed Retell key and whether any exists (sign-up). */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { organizations } from "../schema.ts";

/** The organization's sealed Retell key and hint, or undefined when none is stored. */
export async function getRetellKey(db: Db, organizationId: string) {
  const [row] = await db.select({
    sealed: organizations.retellKeySealed,
    hint: organizations.retellKeyHint,
  }).from(organizations).where(eq(organizations.id, organizationId)).limit(1);
  return row?.sealed ? { sealed: row.sealed, hint: row.hint } : undefined;
}

/** Stores (or, with null, removes) the organization's sealed Retell key. */
export async function setRetellKey(
  db: Db,
  organizationId: string,
  key: { sealed: string; hint: string } | null,
): Promise<void> {
  await db.update(organizations).set({
    retellKeySealed: key?.sealed ?? null,
    retellKeyHint: key?.hint ?? null,
    retellKeyUpdatedAt: new Date(),
  }).where(eq(organizations.id, organizationId));
}

/** True while the database holds no organization at all (the first sign-up is always allowed). */
export async function noOrganizationYet(db: Db): Promise<boolean> {
  const [row] = await db.select({ one: sql<number>`1` }).from(organizations).limit(1);
  return !row;
}

/** True when the organization exists. */
export async function organizationExists(db: Db, organizationId: string): Promise<boolean> {
  const [row] = await db.select({ id: organizations.id }).from(organizations)
    .where(eq(organizations.id, organizationId)).limit(1);
  return !!row;
}
