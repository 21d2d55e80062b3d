/**
 * @module Queries on chat sessions. Every read an actor makes goes through a `SessionScope`, so a
 * visitor sees only their own sessions of their widget and an admin only their organization's.
 */
import { and, desc, eq, isNull, lt, or, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { Db } from "../client.ts";
import { oncePerDb } from "../prepared.ts";
import {
  type AgentRow,
  agents,
  chatMessages,
  chatSessions,
  organizations,
  type SessionHandler,
  type SessionRow,
  type SessionStatus,
  webhookEndpoints,
  widgetConfigurations,
  type WidgetRow,
} from "../schema.ts";

/** What an actor may see: the organization, narrowed to one visitor of one widget for visitors. */
export interface SessionScope {
  organizationId: string;
  visitor?: { widgetId: string; visitorId: string };
}

/** A scope's values, or placeholders for them in a query built once (`oncePerDb`). */
type ScopeValues = {
  organizationId: string | Placeholder;
  visitor?: { widgetId: string | Placeholder; visitorId: string | Placeholder };
};

function scopeWhere(scope: ScopeValues): SQL {
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

/** A session with its widget (none for an admin's own sessions, or once deleted) and agent. */
export interface SessionWithWidgetAndAgent {
  session: SessionRow;
  widget: WidgetRow | null;
  agent: AgentRow;
  /** The organization's own Retell key, sealed (null: none connected), read in the same join. */
  retellKey: { sealed: string | null; hint: string | null };
  /** Whether an endpoint of the organization takes `message.created` (else nothing to queue). */
  messageWebhooks: boolean;
}

// The load every chat request and socket upgrade runs, built once per database (one statement for
// a visitor's scope, one for the organization's): drizzle building this 56-column join was 0.58 ms
// and 200 KB of garbage a call (bench/memory.ts's heap profile), the query itself 0.42 ms.
function sessionWithWidgetAndAgentQuery(db: Db, visitor: boolean) {
  const scope: ScopeValues = {
    organizationId: sql.placeholder("organizationId"),
    visitor: visitor
      ? { widgetId: sql.placeholder("widgetId"), visitorId: sql.placeholder("visitorId") }
      : undefined,
  };
  return db.select({
    session: chatSessions,
    widget: widgetConfigurations,
    agent: agents,
    retellKey: { sealed: organizations.retellKeySealed, hint: organizations.retellKeyHint },
    messageWebhooks: sql<boolean>`exists (select 1 from ${webhookEndpoints}
      where ${webhookEndpoints.organizationId} = ${chatSessions.organizationId}
      and 'message.created' = any(${webhookEndpoints.events}))`.mapWith(Boolean),
  }).from(chatSessions)
    .innerJoin(agents, eq(agents.id, chatSessions.agentId))
    .innerJoin(organizations, eq(organizations.id, chatSessions.organizationId))
    .leftJoin(widgetConfigurations, eq(widgetConfigurations.id, chatSessions.widgetId))
    .where(and(eq(chatSessions.id, sql.placeholder("id")), scopeWhere(scope))).limit(1)
    .prepare(visitor ? "session_with_widget_visitor" : "session_with_widget_org");
}

const visitorScopeQuery = oncePerDb((db) => sessionWithWidgetAndAgentQuery(db, true));
const organizationScopeQuery = oncePerDb((db) => sessionWithWidgetAndAgentQuery(db, false));

/**
 * A session the scope may see, joined with its widget, agent and the organization's sealed Retell
 * key, and whether anyone listens for its messages: one statement where a chat message used to
 * need four (the session, the visitor's widget, the agent, the key of the account that answers)
 * and then a webhook enqueue per stored message even with no endpoint to queue for.
 */
export async function findSessionWithWidgetAndAgent(
  db: Db,
  scope: SessionScope,
  id: string,
): Promise<SessionWithWidgetAndAgent | undefined> {
  const query = scope.visitor ? visitorScopeQuery(db) : organizationScopeQuery(db);
  const [row] = await query.execute({
    id,
    organizationId: scope.organizationId,
    widgetId: scope.visitor?.widgetId,
    visitorId: scope.visitor?.visitorId,
  });
  return row as SessionWithWidgetAndAgent | undefined;
}

/** A session by id alone: only for server-side paths (fan-out) that carry no actor. */
export async function getSessionById(db: Db, id: string) {
  const [row] = await db.select().from(chatSessions).where(eq(chatSessions.id, id)).limit(1);
  return row;
}

/** What `updateSession` may change. */
export interface SessionPatch {
  status?: SessionStatus;
  metadata?: Record<string, unknown>;
  handler?: SessionHandler;
  assigneeId?: string | null;
  handoffRequestedAt?: Date;
  humanRepliedAt?: Date;
}

/** Partial update; `endedAt` follows the status. */
export async function updateSession(
  db: Db,
  id: string,
  patch: SessionPatch,
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

/**
 * A person replies: the session becomes human-handled and, when nobody has it, theirs (in one
 * statement, so two teammates replying at once do not overwrite each other's assignment).
 */
export async function markHumanReply(db: Db, id: string, userId: string) {
  const now = new Date();
  const [row] = await db.update(chatSessions).set({
    handler: "human",
    assigneeId: sql`coalesce(${chatSessions.assigneeId}, ${userId}::uuid)`,
    humanRepliedAt: now,
    updatedAt: now,
  }).where(eq(chatSessions.id, id)).returning();
  return row;
}

/** A session is waiting for a person: a handoff was asked for and no person has replied since. */
export const waitingWhere: SQL = and(
  eq(chatSessions.status, "active"),
  sql`${chatSessions.handoffRequestedAt} is not null`,
  or(
    isNull(chatSessions.humanRepliedAt),
    lt(chatSessions.humanRepliedAt, chatSessions.handoffRequestedAt),
  ),
)!;

/** How many of the organization's sessions wait for a person. */
export async function countWaiting(db: Db, organizationId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(chatSessions)
    .where(and(eq(chatSessions.organizationId, organizationId), waitingWhere));
  return Number(row?.n ?? 0);
}

/** Filters and cursor of a session list. */
export interface SessionListOptions {
  status?: SessionStatus;
  widgetId?: string;
  handler?: SessionHandler;
  /** A user id, or "none" for unassigned sessions. */
  assigneeId?: string;
  waiting?: boolean;
  /** Only rated (true) or unrated (false) conversations. */
  rated?: boolean;
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
  if (options.handler) conditions.push(eq(chatSessions.handler, options.handler));
  if (options.assigneeId) {
    conditions.push(
      options.assigneeId === "none"
        ? isNull(chatSessions.assigneeId)
        : eq(chatSessions.assigneeId, options.assigneeId),
    );
  }
  if (options.waiting) conditions.push(waitingWhere);
  if (options.rated !== undefined) {
    const rated =
      sql`exists (select 1 from ratings r where r.chat_session_id = ${chatSessions.id})`;
    conditions.push(options.rated ? rated : sql`not ${rated}`);
  }
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
