/**
 * @module The outbound webhooks' wire shapes (SPEC v2.3): the event types, the `/api/webhooks`
 * bodies and answers, and the body every delivery POSTs.
 */
import { z } from "zod";
import { CallSchema, MessageSchema, SessionSchema } from "./wire.ts";

/** The events an endpoint may subscribe to, in the order the admin page lists them. */
export const WEBHOOK_EVENT_TYPES = [
  "conversation.created",
  "message.created",
  "handoff.requested",
  "call.ended",
  "lead.created",
  "conversation.rated",
] as const;
/** Sent only by "Send test event", to one endpoint, whatever it subscribes to. */
export const WEBHOOK_TEST_EVENT = "webhook.test";
export const WEBHOOK_DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;

export const WebhookEventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES).meta({ id: "WebhookEventType" });
export type WebhookEventType = z.infer<typeof WebhookEventTypeSchema>;

/** Each endpoint multiplies every event; a bound keeps one organization from flooding the queue. */
export const MAX_WEBHOOKS_PER_ORGANIZATION = 20;

/** `POST /api/webhooks`. */
export const WebhookCreateSchema = z.strictObject({
  url: z.string().trim().min(1).max(2048),
  events: z.array(WebhookEventTypeSchema).min(1).max(WEBHOOK_EVENT_TYPES.length)
    .transform((events) => WEBHOOK_EVENT_TYPES.filter((e) => events.includes(e))),
}).meta({ id: "WebhookCreate" });
export type WebhookCreate = z.infer<typeof WebhookCreateSchema>;

/** `GET /api/webhooks/:id/deliveries?limit=`. */
export const DeliveryListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** An endpoint (its secret is shown once, at creation). */
export const WebhookSchema = z.object({
  id: z.uuid(),
  url: z.string(),
  events: z.array(WebhookEventTypeSchema),
  createdAt: z.string(),
}).meta({ id: "Webhook" });

/** `POST /api/webhooks` → 201. */
export const WebhookCreatedSchema = WebhookSchema.extend({ secret: z.string() }).meta({
  id: "WebhookCreated",
});

/** `GET /api/webhooks`. */
export const WebhookListSchema = z.object({ webhooks: z.array(WebhookSchema) }).meta({
  id: "WebhookList",
});

/** One delivery of the log; `event` is the event's type. */
export const WebhookDeliverySchema = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  event: z.string(),
  status: z.enum(WEBHOOK_DELIVERY_STATUSES),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastResponse: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  nextAttemptAt: z.string().nullable(),
  createdAt: z.string(),
  deliveredAt: z.string().nullable(),
}).meta({ id: "WebhookDelivery" });

/** `GET /api/webhooks/:id/deliveries`. */
export const WebhookDeliveryListSchema = z.object({
  deliveries: z.array(WebhookDeliverySchema),
}).meta({ id: "WebhookDeliveryList" });

/** `POST /api/webhooks/:id/test` → 202. */
export const WebhookTestQueuedSchema = z.object({ eventId: z.uuid() }).meta({
  id: "WebhookTestQueued",
});

/** What a delivery POSTs: `data` holds the session and, where there is one, the rest. */
export const WebhookEventBodySchema = z.object({
  id: z.uuid(),
  type: z.union([WebhookEventTypeSchema, z.literal(WEBHOOK_TEST_EVENT)]),
  createdAt: z.string(),
  data: z.object({
    session: SessionSchema.optional(),
    message: MessageSchema.optional(),
    call: CallSchema.optional(),
    lead: z.record(z.string(), z.unknown()).optional(),
    rating: z.record(z.string(), z.unknown()).optional(),
    reason: z.string().nullable().optional(),
  }).loose(),
}).meta({ id: "WebhookEventBody" });
