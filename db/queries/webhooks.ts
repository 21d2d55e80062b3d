/**
 * @module Queries on webhook endpoints and the delivery queue. The queue is `webhook_deliveries`:
 * a process claims due rows with `FOR UPDATE SKIP LOCKED`, moving `next_attempt_at` past the end
 * of its lease, so concurrent processes never take the same row and a crashed one's rows come
 * back once its lease expires.
 */
import { and, desc, eq, inArray, lte, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import {
  webhookDeliveries,
  type WebhookEndpointRow,
  webhookEndpoints,
  webhookEvents,
} from "../schema.ts";

/** The NOTIFY channel that wakes workers when deliveries are queued. */
export const WEBHOOK_CHANNEL = "parley_webhooks";

function rowsOf<T>(result: unknown): T[] {
  // postgres.js answers an array, PGlite `{ rows }`.
  return ((result as { rows?: T[] }).rows ?? result) as T[];
}

/** Creates an endpoint. */
export async function createEndpoint(
  db: Db,
  input: { id: string; organizationId: string; url: string; events: string[]; secret: string },
): Promise<WebhookEndpointRow> {
  const [row] = await db.insert(webhookEndpoints).values(input).returning();
  return row;
}

/** The organization's endpoints, oldest first. */
export function listEndpoints(db: Db, organizationId: string) {
  return db.select().from(webhookEndpoints)
    .where(eq(webhookEndpoints.organizationId, organizationId))
    .orderBy(webhookEndpoints.createdAt, webhookEndpoints.id);
}

/** One of the organization's endpoints, or undefined. */
export async function findEndpoint(db: Db, organizationId: string, id: string) {
  const [row] = await db.select().from(webhookEndpoints).where(and(
    eq(webhookEndpoints.id, id),
    eq(webhookEndpoints.organizationId, organizationId),
  )).limit(1);
  return row;
}

/** Deletes an endpoint and its delivery log; false when it is not the organization's. */
export async function deleteEndpoint(db: Db, organizationId: string, id: string) {
  const rows = await db.delete(webhookEndpoints).where(and(
    eq(webhookEndpoints.id, id),
    eq(webhookEndpoints.organizationId, organizationId),
  )).returning({ id: webhookEndpoints.id });
  return rows.length > 0;
}

/** An endpoint's deliveries, newest first, with each one's event type. */
export function listDeliveries(db: Db, endpointId: string, limit: number) {
  return db.select({
    id: webhookDeliveries.id,
    eventId: webhookDeliveries.eventId,
    event: webhookEvents.type,
    status: webhookDeliveries.status,
    attempts: webhookDeliveries.attempts,
    lastStatusCode: webhookDeliveries.lastStatusCode,
    lastError: webhookDeliveries.lastError,
    lastResponse: webhookDeliveries.lastResponse,
    lastAttemptAt: webhookDeliveries.lastAttemptAt,
    nextAttemptAt: webhookDeliveries.nextAttemptAt,
    createdAt: webhookDeliveries.createdAt,
    deliveredAt: webhookDeliveries.deliveredAt,
  }).from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(eq(webhookDeliveries.endpointId, endpointId))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(limit);
}

/** One row of `listDeliveries`. */
export type DeliveryListRow = Awaited<ReturnType<typeof listDeliveries>>[number];

/** An event to queue: its id, type and the exact body to send. */
export interface QueuedEvent {
  id: string;
  organizationId: string;
  type: string;
  body: string;
}

/**
 * Stores the event and one delivery per endpoint of the organization that subscribes to its type
 * (or only `endpointId`, for a test event) in one statement; stores nothing when no endpoint
 * listens. Returns how many deliveries were queued.
 */
export async function queueEvent(db: Db, e: QueuedEvent, endpointId?: string): Promise<number> {
  const targets = endpointId
    ? sql`select id from webhook_endpoints where organization_id = ${e.organizationId}::uuid and id = ${endpointId}::uuid`
    : sql`select id from webhook_endpoints where organization_id = ${e.organizationId}::uuid and ${e.type}::text = any(events)`;
  const result = await db.execute(sql`
    with targets as (${targets}),
    event as (
      insert into webhook_events (id, organization_id, type, body)
      select ${e.id}::uuid, ${e.organizationId}::uuid, ${e.type}::varchar, ${e.body}::text
      where exists (select 1 from targets)
      returning id
    ),
    queued as (
      insert into webhook_deliveries (event_id, endpoint_id)
      select event.id, targets.id from event, targets
      returning id
    )
    select count(*)::int as queued
    from queued cross join lateral (select pg_notify(${WEBHOOK_CHANNEL}, '')) as wake`);
  // The NOTIFY (one per transaction: PostgreSQL folds identical ones) wakes every process's
  // worker at commit; with no delivery queued there is none, and no second round trip either way.
  return Number(rowsOf<{ queued: number }>(result)[0]?.queued ?? 0);
}

/** A claimed delivery with what sending it needs. */
export interface ClaimedDelivery {
  id: string;
  leaseId: string;
  eventId: string;
  endpointId: string;
  attempts: number;
  createdAt: Date;
  url: string;
  secret: string;
  body: string;
}

/**
 * Claims up to `limit` due deliveries for this process until `leaseEnd`: rows another process has
 * locked are skipped, and the moved `next_attempt_at` keeps them from everyone until then.
 */
export async function claimDue(
  db: Db,
  options: { now: Date; leaseEnd: Date; leaseId: string; limit: number },
): Promise<ClaimedDelivery[]> {
  const result = await db.execute(sql`
    update webhook_deliveries set next_attempt_at = ${options.leaseEnd.toISOString()}::timestamptz,
      lease_id = ${options.leaseId}::uuid
    where id in (
      select id from webhook_deliveries
      where status = 'pending' and next_attempt_at <= ${options.now.toISOString()}::timestamptz
      order by next_attempt_at limit ${options.limit}
      for update skip locked
    )
    returning id`);
  const ids = rowsOf<{ id: string }>(result).map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await db.select({
    id: webhookDeliveries.id,
    eventId: webhookDeliveries.eventId,
    endpointId: webhookDeliveries.endpointId,
    attempts: webhookDeliveries.attempts,
    createdAt: webhookDeliveries.createdAt,
    url: webhookEndpoints.url,
    secret: webhookEndpoints.secret,
    body: webhookEvents.body,
  }).from(webhookDeliveries)
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(and(
      inArray(webhookDeliveries.id, ids),
      eq(webhookDeliveries.leaseId, options.leaseId),
    ));
  return rows.map((r) => ({ ...r, leaseId: options.leaseId }));
}

/** The outcome of one attempt. */
export interface AttemptOutcome {
  at: Date;
  statusCode: number | null;
  error: string | null;
  response: string | null;
  /** delivered, failed (given up), or pending with the time of the next attempt. */
  next: { status: "delivered" } | { status: "failed" } | { status: "pending"; at: Date };
}

/** Records an attempt, if this process still holds the lease. */
export async function recordAttempt(
  db: Db,
  claim: { id: string; leaseId: string },
  outcome: AttemptOutcome,
): Promise<boolean> {
  const rows = await db.update(webhookDeliveries).set({
    status: outcome.next.status,
    attempts: sql`${webhookDeliveries.attempts} + 1`,
    lastStatusCode: outcome.statusCode,
    lastError: outcome.error?.slice(0, 200) ?? null,
    lastResponse: outcome.response?.slice(0, 1024) ?? null,
    lastAttemptAt: outcome.at,
    leaseId: null,
    ...(outcome.next.status === "pending" ? { nextAttemptAt: outcome.next.at } : {}),
    ...(outcome.next.status === "delivered" ? { deliveredAt: outcome.at } : {}),
  }).where(and(
    eq(webhookDeliveries.id, claim.id),
    eq(webhookDeliveries.leaseId, claim.leaseId),
  )).returning({ id: webhookDeliveries.id });
  return rows.length > 0;
}

/** Deletes events older than `before` whose deliveries are all settled (their rows go too). */
export async function purgeSettled(db: Db, before: Date): Promise<void> {
  await db.delete(webhookEvents).where(and(
    lte(webhookEvents.createdAt, before),
    sql`not exists (select 1 from webhook_deliveries d where d.event_id = ${webhookEvents.id} and d.status = 'pending')`,
  ));
}
