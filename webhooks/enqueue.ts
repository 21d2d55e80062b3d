/**
 * @module The one way code emits an outbound webhook event: `enqueueWebhookEvent(db, {...})`.
 * It only queues (one statement, inside the caller's transaction when given one); the worker
 * sends, off the request path.
 */
import type { Db } from "../db/client.ts";
import type { CallRow, MessageRow, SessionRow } from "../db/schema.ts";
import { queueEvent } from "../db/queries/webhooks.ts";
import { toCall, toMessage, toSession } from "../db/wire.ts";
import { WEBHOOK_TEST_EVENT, type WebhookBody, type WebhookEvent } from "./events.ts";

/** An event of an organization. */
export type WebhookEventInput = WebhookEvent & { organizationId: string };

/**
 * Queues the event for every endpoint of the organization subscribed to its type (nothing is
 * stored when none is). Pass the transaction that stores what the event is about, so the event
 * exists exactly when that does. Returns how many deliveries were queued.
 */
export async function enqueueWebhookEvent(db: Db, event: WebhookEventInput): Promise<number> {
  const body: WebhookBody = {
    id: crypto.randomUUID(),
    type: event.type,
    createdAt: new Date().toISOString(),
    data: event.data,
  };
  return await queueEvent(db, {
    id: body.id,
    organizationId: event.organizationId,
    type: body.type,
    body: JSON.stringify(body),
  });
}

/** Queues a `webhook.test` event for one endpoint only; returns its event id. */
export async function enqueueTestEvent(
  db: Db,
  endpoint: { id: string; organizationId: string; url: string },
): Promise<string> {
  const body: WebhookBody = {
    id: crypto.randomUUID(),
    type: WEBHOOK_TEST_EVENT,
    createdAt: new Date().toISOString(),
    data: { webhook: { id: endpoint.id, url: endpoint.url }, test: true },
  };
  await queueEvent(db, {
    id: body.id,
    organizationId: endpoint.organizationId,
    type: body.type,
    body: JSON.stringify(body),
  }, endpoint.id);
  return body.id;
}

/** `conversation.created`, then `message.created` for its first messages (the welcome). */
export async function emitConversationCreated(
  db: Db,
  session: SessionRow,
  messages: MessageRow[] = [],
): Promise<void> {
  await enqueueWebhookEvent(db, {
    organizationId: session.organizationId,
    type: "conversation.created",
    data: { session: toSession(session) },
  });
  await emitMessagesCreated(db, session, messages);
}

/** `message.created` for each newly stored message of the session, in order. */
export async function emitMessagesCreated(
  db: Db,
  session: SessionRow,
  messages: MessageRow[],
): Promise<void> {
  for (const message of messages) {
    await enqueueWebhookEvent(db, {
      organizationId: session.organizationId,
      type: "message.created",
      data: { session: toSession(session), message: toMessage(message) },
    });
  }
}

/** `call.ended` with the finished call. */
export async function emitCallEnded(db: Db, session: SessionRow, call: CallRow): Promise<void> {
  await enqueueWebhookEvent(db, {
    organizationId: session.organizationId,
    type: "call.ended",
    data: { session: toSession(session), call: toCall(call) },
  });
}
