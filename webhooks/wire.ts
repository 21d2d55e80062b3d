/** @module Rows → the webhooks' wire shapes (`contract/webhooks.ts`). */
import type { z } from "zod";
import type { WebhookEndpointRow } from "../db/schema.ts";
import type { DeliveryListRow } from "../db/queries/webhooks.ts";
import type {
  WebhookDeliverySchema,
  WebhookEventType,
  WebhookSchema,
} from "../contract/webhooks.ts";

/** An endpoint as the list shows it (the secret is shown once, when created). */
export function webhookJson(row: WebhookEndpointRow): z.infer<typeof WebhookSchema> {
  return {
    id: row.id,
    url: row.url,
    events: row.events as WebhookEventType[],
    createdAt: row.createdAt.toISOString(),
  };
}

/** A delivery of the log. */
export function deliveryJson(row: DeliveryListRow): z.infer<typeof WebhookDeliverySchema> {
  return {
    id: row.id,
    eventId: row.eventId,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    lastError: row.lastError,
    lastResponse: row.lastResponse,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    nextAttemptAt: row.status === "pending" ? row.nextAttemptAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}
