/**
 * @module What a conversation's visitor adds and takes away (SPEC v2.4), mounted under
 * `/api/chat` beside `chat.ts`: the lead and the rating (the visitor's own session), and the
 * transcript (the visitor or the organization's team) in text or HTML.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { type Actor, actorOf, requireActor } from "../../lib/auth.ts";
import { HttpError, notFound } from "../../lib/errors.ts";
import { idParam } from "../../lib/validate.ts";
import { toLead, toRating } from "../../db/wire.ts";
import { findSession } from "../../db/queries/sessions.ts";
import { getWidgetById } from "../../db/queries/widgets.ts";
import { listMessages } from "../../db/queries/messages.ts";
import { listCallsOf } from "../../db/queries/calls.ts";
import type { SessionRow } from "../../db/schema.ts";
import { recordLead, recordRating } from "../../conversations/feedback.ts";
import {
  LeadCreateSchema,
  RatingCreateSchema,
  TranscriptQuerySchema,
} from "../../contract/requests.ts";
import {
  transcriptEntries,
  transcriptHtml,
  transcriptText,
} from "../../conversations/transcript.ts";
import { doc } from "../../lib/openapi.ts";
import { LeadSchema, RatingSchema } from "../../contract/wire.ts";

type Ctx = Context<AppEnv>;

/** The session if the actor may see it (a visitor: their own of their widget), else a 404. */
async function sessionOf(c: Ctx, actor: Actor): Promise<SessionRow> {
  const id = idParam(c, "session");
  const session = await findSession(c.var.db, {
    organizationId: actor.organizationId,
    ...(actor.kind === "visitor"
      ? { visitor: { widgetId: actor.visitor.widgetId, visitorId: actor.visitor.visitorId } }
      : {}),
  }, id);
  if (!session) throw notFound("session", id);
  return session;
}

/** Only the conversation's visitor speaks for themselves in a lead or a rating. */
function visitorOnly(actor: Actor): void {
  if (actor.kind !== "visitor") {
    throw new HttpError(403, "forbidden", "Only the conversation's visitor can do this");
  }
}

/** The most messages a transcript holds (a conversation is far shorter in practice). */
const TRANSCRIPT_MESSAGES = 5000;

export const conversationExtraRoutes = new Hono<AppEnv>()
  .post(
    "/sessions/:id/lead",
    requireActor(),
    doc({
      summary: "Answer the pre-chat form",
      auth: "either",
      body: LeadCreateSchema,
      responses: { 201: LeadSchema },
    }),
    async (c) => {
      const actor = actorOf(c);
      visitorOnly(actor);
      const session = await sessionOf(c, actor);
      const body = c.req.valid("json");
      const widget = session.widgetId ? await getWidgetById(c.var.db, session.widgetId) : undefined;
      const { lead } = await recordLead(c.var.db, session, widget, body);
      return c.json(toLead(lead), 201);
    },
  )
  .post(
    "/sessions/:id/rating",
    requireActor(),
    doc({
      summary: "Rate the conversation (once)",
      auth: "either",
      body: RatingCreateSchema,
      responses: { 201: RatingSchema },
    }),
    async (c) => {
      const actor = actorOf(c);
      visitorOnly(actor);
      const session = await sessionOf(c, actor);
      const body = c.req.valid("json");
      return c.json(toRating(await recordRating(c.var.db, session, body)), 201);
    },
  )
  .get(
    "/sessions/:id/transcript",
    requireActor(),
    doc({
      summary: "The conversation's transcript, chat and call turns in order",
      auth: "either",
      query: TranscriptQuerySchema,
      responses: { 200: "text/plain, text/html" },
    }),
    async (c) => {
      const session = await sessionOf(c, actorOf(c));
      const { format } = c.req.valid("query");
      const [messages, calls, widget] = await Promise.all([
        listMessages(c.var.db, session.id, { afterSeq: 0, limit: TRANSCRIPT_MESSAGES }),
        listCallsOf(c.var.db, session.id, 500),
        session.widgetId ? getWidgetById(c.var.db, session.widgetId) : undefined,
      ]);
      const header = { title: widget?.headerText ?? "Conversation", session };
      const entries = transcriptEntries(session, messages, calls);
      const date = session.createdAt.toISOString().slice(0, 10);
      c.header("Cache-Control", "no-store");
      c.header(
        "Content-Disposition",
        `inline; filename="conversation-${date}.${format === "html" ? "html" : "txt"}"`,
      );
      if (format === "html") {
        // A page of escaped text: it may run nothing, load nothing and frame nothing.
        c.header(
          "Content-Security-Policy",
          "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox",
        );
        return c.html(transcriptHtml(header, entries));
      }
      return c.text(transcriptText(header, entries));
    },
  );
