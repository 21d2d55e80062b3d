/**
 * @module Retell webhook deliveries already handled (`retell_deliveries`). A claim is one
 * `INSERT … ON CONFLICT DO NOTHING`, so of two processes (or two concurrent requests) given the
 * same delivery exactly one wins, on PostgreSQL as on PGlite.
 */
import { eq, lt } from "drizzle-orm";
import type { Db } from "../client.ts";
import { retellDeliveries } from "../schema.ts";

/** Records a delivery until `expiresAt`; false when it was already recorded (a replay). */
export async function claimDelivery(db: Db, digest: string, expiresAt: Date): Promise<boolean> {
  const rows = await db.insert(retellDeliveries).values({ digest, expiresAt })
    .onConflictDoNothing().returning({ digest: retellDeliveries.digest });
  return rows.length === 1;
}

/** Forgets a claimed delivery whose handling failed, so that Retell's retry is handled. */
export async function forgetDelivery(db: Db, digest: string): Promise<void> {
  await db.delete(retellDeliveries).where(eq(retellDeliveries.digest, digest));
}

/** Deletes deliveries whose signatures are too old to verify; returns how many. */
export async function pruneDeliveries(db: Db, now = new Date()): Promise<number> {
  const rows = await db.delete(retellDeliveries).where(lt(retellDeliveries.expiresAt, now))
    .returning({ digest: retellDeliveries.digest });
  return rows.length;
}
