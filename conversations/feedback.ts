/**
 * @module What a visitor tells the owner about a conversation (SPEC v2.4): the pre-chat form's
 * lead, validated against the widget's form (required fields, consent when the owner asks for
 * it), and one rating. Each is announced to the organization's webhooks.
 */
import { isValidPhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js";
import type { LeadCreate, RatingCreate } from "../contract/requests.ts";
import type { Db } from "../db/client.ts";
import type { LeadRow, RatingRow, SessionRow, WidgetRow } from "../db/schema.ts";
import { insertLead, insertRating } from "../db/queries/feedback.ts";
import { getSessionById } from "../db/queries/sessions.ts";
import { dbErrorCode, HttpError } from "../lib/errors.ts";
import { toLead, toRating, toSession } from "../db/wire.ts";
import { enqueueWebhookEvent } from "../webhooks/enqueue.ts";

const invalid = (path: string, message: string) =>
  new HttpError(400, "validation_failed", "Invalid body", { details: [{ path, message }] });

/** Checks a lead against the widget's form; returns it with the phone in E.164. */
export function validateLead(widget: WidgetRow | undefined, lead: LeadCreate): LeadCreate {
  const form = widget?.preChatForm ?? null;
  let phone = lead.phone;
  if (phone !== undefined) {
    const parsed = parsePhoneNumberFromString(phone);
    if (!parsed || !isValidPhoneNumber(phone)) {
      throw invalid("phone", "must be a phone number with its country code, such as +14155552671");
    }
    phone = parsed.number;
  }
  for (const field of form?.fields ?? []) {
    if (field.required && !lead[field.name]) throw invalid(field.name, "is required");
  }
  if (!lead.name && !lead.email && !phone) {
    throw invalid("name", "a name, an email or a phone number is required");
  }
  if (form?.consentText && lead.consent !== true) {
    throw invalid("consent", "must be given to continue");
  }
  return { ...lead, phone };
}

/** A unique-key race or repeat as the 409 a client understands. */
async function once<T>(what: string, insert: Promise<T>): Promise<T> {
  try {
    return await insert;
  } catch (err) {
    if (dbErrorCode(err) === "23505") {
      throw new HttpError(409, "conflict", `This conversation already has a ${what}`);
    }
    throw err;
  }
}

/** Stores the session's lead (one per session: a second is a 409) and announces it. */
export async function recordLead(
  db: Db,
  session: SessionRow,
  widget: WidgetRow | undefined,
  lead: LeadCreate,
): Promise<{ lead: LeadRow; session: SessionRow }> {
  const valid = validateLead(widget, lead);
  const row = await once(
    "lead",
    insertLead(db, session.id, {
      name: valid.name,
      email: valid.email,
      phone: valid.phone,
      consent: valid.consent,
      consentText: widget?.preChatForm?.consentText ?? null,
    }),
  );
  const updated = await getSessionById(db, session.id) ?? session;
  await enqueueWebhookEvent(db, {
    organizationId: session.organizationId,
    type: "lead.created",
    data: { session: toSession(updated), lead: { ...toLead(row) } },
  });
  return { lead: row, session: updated };
}

/** Stores the session's one rating (a second is a 409) and announces it. */
export async function recordRating(
  db: Db,
  session: SessionRow,
  rating: RatingCreate,
): Promise<RatingRow> {
  const row = await once("rating", insertRating(db, session.id, rating));
  await enqueueWebhookEvent(db, {
    organizationId: session.organizationId,
    type: "conversation.rated",
    data: { session: toSession(session), rating: { ...toRating(row) } },
  });
  return row;
}
