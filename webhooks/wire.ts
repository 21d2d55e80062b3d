/**
 * @module The webhooks' wire shapes: request bodies as zod schemas and the JSON the routes answer.
 * TODO(contract): move the schemas into contract/ once it exists, for the OpenAPI document.
 */
import { z } from "zod";
import type { WebhookEndpointRow } from "../db/schema.ts";
import type { DeliveryListRow } from "../db/queries/webhooks.ts";
import { WEBHOOK_EVENT_TYPES } from "./events.ts";

/** Each endpoint multiplies every event; a bound keeps one organization from flooding the queue. */
export const MAX_WEBHOOKS_PER_ORGANIZATION = 20;

/** An event type an endpoint may subscribe to. */
export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);

/** `POST /api/webhooks`. */
export const WebhookCreateSchema = z.strictObject({
  url: z.string().trim().min(1).max(2048),
  events: z.array(WebhookEventTypeSchema).min(1).max(WEBHOOK_EVENT_TYPES.length)
    .transform((events) => WEBHOOK_EVENT_TYPES.filter((e) => events.includes(e))),
});
export type WebhookCreate = z.infer<typeof WebhookCreateSchema>;

/** `GET /api/webhooks/:id/deliveries?limit=`. */
export const DeliveryListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** An endpoint as the list shows it (the secret is shown once, when created). */
export function webhookJson(row: WebhookEndpointRow) {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    createdAt: row.createdAt.toISOString(),
  };
}

/** A delivery of the log. */
export function deliveryJson(row: DeliveryListRow) {
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
