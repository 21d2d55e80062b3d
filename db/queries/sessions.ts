/**
 * @module Queries on chat sessions. Every read an actor makes goes through a `SessionScope`, so a
 * visitor sees only their own sessions of their widget and an admin only their organization's.
 */
import { and, desc, eq, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { chatMessages, chatSessions, type SessionRow, type SessionStatus } from "../schema.ts";

/** What an actor may see: the organization, narrowed to one visitor of one widget for visitors. */
export interface SessionScope {
  organizationId: string;
  visitor?: { widgetId: string; visitorId: string };
}

function scopeWhere(scope: SessionScope): SQL {
  const org = eq(chatSessions.organizationId, scope.organizationId);
  if (!scope.visitor) return org;
  return and(
    org,
    eq(chatSessions.widgetId, scope.visitor.widgetId),
    eq(chatSessions.visitorId, scope.visitor.visitorId),
  )!;
}

/** Who the visitor is, as a session stores it. */
export interface SessionVisitorFields {
  visitorVerified: boolean;
  visitorName?: string | null;
  visitorEmail?: string | null;
  visitorPhone?: string | null;
}

/** Fields of a new session. */
export interface NewSession extends Partial<SessionVisitorFields> {
  organizationId: string;
  agentId: string;
  widgetId: string | null;
  visitorId: string;
  metadata: Record<string, unknown>;
}

/** Creates a session and its welcome message (the first agent message) in one transaction. */
export async function createSessionWithWelcome(db: Db, input: NewSession, welcome: string) {
  return await db.transaction(async (tx) => {
    const [session] = await tx.insert(chatSessions).values(input).returning();
    const [message] = await tx.insert(chatMessages).values({
      chatSessionId: session.id,
      senderType: "agent",
      messageType: "text",
      content: welcome,
      metadata: { welcome: true },
    }).returning();
    return { session, message };
  });
}

/** A session the scope may see, or undefined. */
export async function findSession(db: Db, scope: SessionScope, id: string) {
  const [row] = await db.select().from(chatSessions)
    .where(and(eq(chatSessions.id, id), scopeWhere(scope))).limit(1);
  return row;
}

/** A session by id alone: only for server-side paths (fan-out) that carry no actor. */
export async function getSessionById(db: Db, id: string) {
  const [row] = await db.select().from(chatSessions).where(eq(chatSessions.id, id)).limit(1);
  return row;
}

/** Partial update of status and metadata; `endedAt` follows the status. */
export async function updateSession(
  db: Db,
  id: string,
  patch: { status?: SessionStatus; metadata?: Record<string, unknown> },
): Promise<SessionRow | undefined> {
  const now = new Date();
  const [row] = await db.update(chatSessions).set({
    ...patch,
    ...(patch.status === "ended" ? { endedAt: now } : {}),
    updatedAt: now,
  }).where(eq(chatSessions.id, id)).returning();
  return row;
}

/**
 * Records the session's Retell chat unless another request got there first (compare-and-set on
 * `previous`); returns the chat id that won.
 */
export async function claimRetellChat(
  db: Db,
  id: string,
  chatId: string,
  previous: string | null,
): Promise<string | null> {
  const [won] = await db.update(chatSessions).set({ retellChatId: chatId, updatedAt: new Date() })
    .where(and(
      eq(chatSessions.id, id),
      previous === null
        ? isNull(chatSessions.retellChatId)
        : eq(chatSessions.retellChatId, previous),
    ))
    .returning({ retellChatId: chatSessions.retellChatId });
  if (won) return won.retellChatId;
  const current = await getSessionById(db, id);
  return current?.retellChatId ?? null;
}

/** Filters and cursor of a session list. */
export interface SessionListOptions {
  status?: SessionStatus;
  widgetId?: string;
  limit: number;
  /** A session id (strictly older than that session) or an ISO time (created before it). */
  before?: string;
}

/**
 * Sessions newest first, `limit` at a time. The cursor is a session id because creation times can
 * tie; `(created_at, id)` orders the page totally.
 */
export async function listSessions(db: Db, scope: SessionScope, options: SessionListOptions) {
  const conditions: SQL[] = [scopeWhere(scope)];
  if (options.status) conditions.push(eq(chatSessions.status, options.status));
  if (options.widgetId) conditions.push(eq(chatSessions.widgetId, options.widgetId));
  if (options.before) {
    if (/^\d{4}-/.test(options.before)) {
      conditions.push(lt(chatSessions.createdAt, new Date(options.before)));
    } else {
      const cursor = await findSession(db, scope, options.before);
      if (!cursor) return undefined;
      // Compared in SQL: a JS Date would drop the microseconds PostgreSQL keeps.
      conditions.push(
        sql`(${chatSessions.createdAt}, ${chatSessions.id}) < (select s.created_at, s.id from chat_sessions s where s.id = ${cursor.id})`,
      );
    }
  }
  return await db.select().from(chatSessions).where(and(...conditions))
    .orderBy(desc(chatSessions.createdAt), desc(chatSessions.id)).limit(options.limit);
}
