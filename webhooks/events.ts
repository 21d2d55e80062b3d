/**
 * @module The outbound webhook events (SPEC v2.3) as one typed union: what `data` holds for each
 * `type`. Every delivery body is `{id, type, createdAt, data}`.
 */
import type { Call, Message, Session } from "../contract/wire.ts";
import {
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_TEST_EVENT,
  type WebhookEventType,
} from "../contract/webhooks.ts";

export { WEBHOOK_EVENT_TYPES, WEBHOOK_TEST_EVENT, type WebhookEventType };

/** An event and its data: the session, and the message, call, lead or rating where there is one. */
export type WebhookEvent =
  | { type: "conversation.created"; data: { session: Session } }
  | { type: "message.created"; data: { session: Session; message: Message } }
  | {
    type: "handoff.requested";
    data: { session: Session; message?: Message; reason?: string | null };
  }
  | { type: "call.ended"; data: { session: Session; call: Call } }
  | { type: "lead.created"; data: { session: Session; lead: Record<string, unknown> } }
  | { type: "conversation.rated"; data: { session: Session; rating: Record<string, unknown> } };

/** What a delivery's body holds. */
export interface WebhookBody {
  id: string;
  type: WebhookEventType | typeof WEBHOOK_TEST_EVENT;
  createdAt: string;
  data: unknown;
}
