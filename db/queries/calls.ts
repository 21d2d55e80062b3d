/**
 * @module Queries on voice calls. Every status change is a compare-and-set on the current status,
 * so a redelivered or late webhook changes nothing twice; the partial unique index
 * `calls_one_active_idx` keeps a session to one call in progress.
 */
import { and, desc, eq, inArray, isNull, lt, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import {
  type CallKind,
  type CallRow,
  calls,
  chatMessages,
  chatSessions,
  type SessionMode,
} from "../schema.ts";

const ACTIVE = ["connecting", "ongoing"] as const;

/** Fields of a new call. */
export interface NewCall {
  sessionId: string;
  kind: CallKind;
  phoneNumber: string | null;
  metadata?: Record<string, unknown>;
  /** When the caller agreed to the widget's voice consent text, if it has one. */
  consentAt?: Date | null;
}

/** Stores a `connecting` call; a second active call of the session fails with 23505. */
export async function insertCall(db: Db, input: NewCall): Promise<CallRow> {
  const [row] = await db.insert(calls).values({
    chatSessionId: input.sessionId,
    kind: input.kind,
    phoneNumber: input.phoneNumber,
    metadata: input.metadata ?? {},
    consentAt: input.consentAt ?? null,
  }).returning();
  return row;
}

/**
 * Reserves a call like `insertCall`, but only while the organization has fewer than `cap.max`
 * calls in progress; undefined when it has that many. The count and the insert run under a
 * transaction-scoped advisory lock of the organization, so concurrent reservations are counted
 * one after the other. Calls that Retell never reported ended stop counting after 4 hours.
 */
export async function reserveCall(
  db: Db,
  input: NewCall,
  cap?: { organizationId: string; max: number },
): Promise<CallRow | undefined> {
  if (!cap) return insertCall(db, input);
  return await db.transaction(async (tx) => {
    await tx.execute(sql`SELECT pg_advisory_xact_lock(hashtext(${"calls:" + cap.organizationId}))`);
    const [{ active }] = await tx.select({ active: sql<number>`count(*)::int` }).from(calls)
      .innerJoin(chatSessions, eq(chatSessions.id, calls.chatSessionId))
      .where(and(
        eq(chatSessions.organizationId, cap.organizationId),
        inArray(calls.status, [...ACTIVE]),
        sql`${calls.createdAt} > now() - interval '4 hours'`,
      ));
    if (active >= cap.max) return undefined;
    return await insertCall(tx, input);
  });
}

/** A call by id. */
export async function getCallById(db: Db, id: string): Promise<CallRow | undefined> {
  const [row] = await db.select().from(calls).where(eq(calls.id, id)).limit(1);
  return row;
}

/** A call by Retell's id. */
export async function getCallByRetellId(db: Db, retellCallId: string) {
  const [row] = await db.select().from(calls).where(eq(calls.retellCallId, retellCallId)).limit(1);
  return row;
}

/** The session's call in progress, if any. */
export async function activeCallOf(db: Db, sessionId: string): Promise<CallRow | undefined> {
  const [row] = await db.select().from(calls).where(and(
    eq(calls.chatSessionId, sessionId),
    inArray(calls.status, [...ACTIVE]),
  )).limit(1);
  return row;
}

/** The session's calls, newest first. */
export function listCallsOf(db: Db, sessionId: string, limit = 50) {
  return db.select().from(calls).where(eq(calls.chatSessionId, sessionId))
    .orderBy(desc(calls.createdAt)).limit(limit);
}

/** Records Retell's id; returns the row only while the call is still in progress. */
export async function setRetellCallId(db: Db, id: string, retellCallId: string) {
  const [row] = await db.update(calls).set({ retellCallId, updatedAt: new Date() })
    .where(and(eq(calls.id, id), inArray(calls.status, [...ACTIVE]))).returning();
  if (row) return row;
  // Ended already (a very early webhook): keep the id for the record all the same.
  await db.update(calls).set({ retellCallId }).where(
    and(eq(calls.id, id), isNull(calls.retellCallId)),
  );
  return undefined;
}

/** connecting → ongoing; undefined when the call was not connecting. */
export async function markCallStarted(db: Db, id: string, startedAt: Date) {
  const [row] = await db.update(calls).set({ status: "ongoing", startedAt, updatedAt: new Date() })
    .where(and(eq(calls.id, id), eq(calls.status, "connecting"))).returning();
  return row;
}

/** What a finished call records. */
export interface CallOutcome {
  status: "ended" | "error";
  startedAt: Date | null;
  endedAt: Date;
  transcript: string | null;
  recordingUrl: string | null;
  disconnectionReason: string | null;
  metadata?: Record<string, unknown>;
}

/** In progress → ended/error; undefined when the call had already finished. */
export async function finishCall(db: Db, id: string, outcome: CallOutcome) {
  const [row] = await db.update(calls).set({
    status: outcome.status,
    startedAt: sql`coalesce(${calls.startedAt}, ${
      outcome.startedAt?.toISOString() ?? null
    }::timestamptz)`,
    endedAt: outcome.endedAt,
    transcript: outcome.transcript,
    recordingUrl: outcome.recordingUrl,
    disconnectionReason: outcome.disconnectionReason,
    metadata: sql`${calls.metadata} || ${JSON.stringify(outcome.metadata ?? {})}::jsonb`,
    updatedAt: new Date(),
  }).where(and(eq(calls.id, id), inArray(calls.status, [...ACTIVE]))).returning();
  return row;
}

/**
 * Fills what an already finished call is missing (a `call_ended` after the call was closed
 * locally); never overwrites what is there.
 */
export async function completeCall(
  db: Db,
  id: string,
  details: Pick<CallOutcome, "transcript" | "recordingUrl" | "disconnectionReason">,
) {
  await db.update(calls).set({
    transcript: sql`coalesce(${calls.transcript}, ${details.transcript})`,
    recordingUrl: sql`coalesce(${calls.recordingUrl}, ${details.recordingUrl})`,
    disconnectionReason:
      sql`coalesce(${calls.disconnectionReason}, ${details.disconnectionReason})`,
  }).where(eq(calls.id, id));
}

/** Any state → error (a call Retell refused to place). */
export async function markCallFailed(db: Db, id: string, reason: string) {
  const [row] = await db.update(calls).set({
    status: "error",
    endedAt: new Date(),
    disconnectionReason: reason.slice(0, 100),
    updatedAt: new Date(),
  }).where(eq(calls.id, id)).returning();
  return row;
}

/**
 * Releases a session's reservation that never got a Retell id and is older than `before` (the
 * process placing it died): it becomes `error`, so the session can call again.
 */
export async function abandonStaleCall(db: Db, sessionId: string, before: Date) {
  const [row] = await db.update(calls).set({
    status: "error",
    endedAt: new Date(),
    disconnectionReason: "abandoned",
    updatedAt: new Date(),
  }).where(and(
    eq(calls.chatSessionId, sessionId),
    eq(calls.status, "connecting"),
    isNull(calls.retellCallId),
    lt(calls.createdAt, before),
  )).returning();
  return row;
}

/** Stores the summary once; undefined when one was already stored. */
export async function saveSummary(db: Db, id: string, summary: string) {
  const [row] = await db.update(calls).set({ summary, updatedAt: new Date() })
    .where(and(eq(calls.id, id), isNull(calls.summary))).returning();
  return row;
}

/** Sets the session's mode (a call started or ended). */
export async function setSessionMode(db: Db, sessionId: string, mode: SessionMode) {
  const [row] = await db.update(chatSessions).set({ mode, updatedAt: new Date() })
    .where(eq(chatSessions.id, sessionId)).returning();
  return row;
}

/** The session's newest `limit` messages, oldest first (what a voice agent is told). */
export async function lastMessagesOf(db: Db, sessionId: string, limit: number) {
  const rows = await db.select().from(chatMessages)
    .where(eq(chatMessages.chatSessionId, sessionId))
    .orderBy(desc(chatMessages.seq)).limit(limit);
  return rows.reverse();
}
