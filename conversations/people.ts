/**
 * @module People in the loop: a teammate's reply, taking a conversation over or handing it back,
 * assignment, and the visitor's request for a person. The AI and the team share one conversation;
 * `handler` says who answers the visitor.
 */
import { HttpError } from "../lib/errors.ts";
import type { HumanAuthor } from "../contract/wire.ts";
import { toMessage, toSession } from "../db/wire.ts";
import { event } from "../contract/events.ts";
import { type Hub, publishMessage } from "../hub/hub.ts";
import type { Db } from "../db/client.ts";
import type { MessageRow, SessionHandler, SessionRow, User } from "../db/schema.ts";
import { insertMessage, insertMessageOnce } from "../db/queries/messages.ts";
import { markHumanReply, type SessionPatch, updateSession } from "../db/queries/sessions.ts";
import { findOrganizationUser } from "../db/queries/users.ts";
import { emitMessagesCreated, enqueueWebhookEvent } from "../webhooks/enqueue.ts";
import { systemText } from "../lib/system_text.ts";

/** What a people-in-the-loop action needs. */
export interface PeopleDeps {
  db: Db;
  hub: Hub;
}

/** `metadata.author` of a person's message. */
export function authorOf(user: User): HumanAuthor {
  return { kind: "human", userId: user.id, name: user.name };
}

/** The person who wrote a message, when a person did. */
export function humanAuthor(message: { metadata: Record<string, unknown> }): HumanAuthor | null {
  const a = message.metadata?.author as Partial<HumanAuthor> | undefined;
  return a?.kind === "human" && typeof a.name === "string" && typeof a.userId === "string"
    ? { kind: "human", userId: a.userId, name: a.name }
    : null;
}

/** Tells every socket of the session its new state. */
export async function publishSession(hub: Hub, row: SessionRow): Promise<void> {
  await hub.publish(row.id, event({ type: "session:updated", session: toSession(row) }));
}

/** A handoff was asked for and no person has replied since (the SQL twin: `waitingWhere`). */
export function isWaiting(s: SessionRow): boolean {
  return s.status === "active" && !!s.handoffRequestedAt &&
    (!s.humanRepliedAt || s.humanRepliedAt < s.handoffRequestedAt);
}

/**
 * A teammate's reply: stored as the agent side's text with its author, never answered by the AI.
 * The session becomes human-handled and, when unassigned, the replier's. A repeated
 * `clientMessageId` returns the stored message and changes nothing.
 */
export async function postHumanReply(
  deps: PeopleDeps,
  session: SessionRow,
  user: User,
  body: { content: string; metadata?: Record<string, unknown>; clientMessageId?: string },
): Promise<{ message: MessageRow; created: boolean }> {
  const fields = {
    sessionId: session.id,
    senderType: "agent" as const,
    messageType: "text" as const,
    content: body.content,
    // The author is the server's word: a client-sent `author` is overwritten.
    metadata: { ...body.metadata, author: authorOf(user) },
  };
  const { row: message, created } = body.clientMessageId
    ? await insertMessageOnce(deps.db, { ...fields, clientMessageId: body.clientMessageId })
    : { row: await insertMessage(deps.db, fields), created: true };
  if (!created) return { message, created };
  await emitMessagesCreated(deps.db, session, [message]);
  await publishMessage(deps.hub, message);
  const updated = await markHumanReply(deps.db, session.id, user.id);
  if (updated) await publishSession(deps.hub, updated);
  return { message, created };
}

const invalidAssignee = () =>
  new HttpError(400, "validation_failed", "Invalid body", {
    details: [{ path: "assigneeId", message: "is not a user of this organization" }],
  });

/**
 * The patch of a handler/assignee change by `caller`. `{handler: "human"}` without `assigneeId`
 * assigns the caller when nobody has the session ("Take over"); an assignee must be a user of
 * the session's organization.
 */
export async function handlingPatch(
  db: Db,
  session: SessionRow,
  caller: User,
  body: { handler?: SessionHandler; assigneeId?: string | null },
): Promise<SessionPatch> {
  const patch: SessionPatch = {};
  if (body.assigneeId !== undefined) {
    if (body.assigneeId !== null) {
      const assignee = await findOrganizationUser(db, session.organizationId, body.assigneeId);
      if (!assignee) throw invalidAssignee();
    }
    patch.assigneeId = body.assigneeId;
  }
  if (body.handler) {
    patch.handler = body.handler;
    if (body.handler === "human" && body.assigneeId === undefined && !session.assigneeId) {
      patch.assigneeId = caller.id;
    }
  }
  return patch;
}

/**
 * The visitor asks for a person: the time is recorded, a system message tells them a teammate
 * was asked, and the inbox hears of it. The AI keeps answering until a person takes over. A
 * request while one is already waiting changes nothing (no second notice).
 */
export async function requestHandoff(
  deps: PeopleDeps,
  session: SessionRow,
  reason?: string,
): Promise<SessionRow> {
  if (isWaiting(session)) return session;
  if (session.status === "ended") {
    throw new HttpError(409, "conflict", "This session has ended");
  }
  const row = await updateSession(deps.db, session.id, { handoffRequestedAt: new Date() });
  if (!row) return session;
  const notice = await insertMessage(deps.db, {
    sessionId: session.id,
    senderType: "system",
    messageType: "system",
    content: systemText(session.metadata).handoff,
    metadata: { handoff: true, ...(reason ? { reason } : {}) },
  });
  await emitMessagesCreated(deps.db, row, [notice]);
  await enqueueWebhookEvent(deps.db, {
    organizationId: row.organizationId,
    type: "handoff.requested",
    data: { session: toSession(row), message: toMessage(notice), reason: reason ?? null },
  });
  await publishMessage(deps.hub, notice);
  await publishSession(deps.hub, row);
  return row;
}
