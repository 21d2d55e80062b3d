/**
 * @module `/api/chat`: chat sessions and their messages. A visitor token acts on that visitor's own
 * sessions of its widget, an admin token on its organization's; anything else is a 404.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { type Actor, actorOf, requireActor } from "../../lib/auth.ts";
import { HttpError, notFound } from "../../lib/errors.ts";
import { idParam } from "../../lib/validate.ts";
import { loadUser, userOf } from "../../team/guard.ts";
import { handlingPatch, publishSession, requestHandoff } from "../../conversations/people.ts";
import {
  HandoffSchema,
  messageCreateSchema,
  MessageListQuerySchema,
  SessionCreateSchema,
  SessionListQuerySchema,
  SessionUpdateSchema,
} from "../../contract/requests.ts";
import { toLead, toMessage, toRating, toSession } from "../../db/wire.ts";
import { feedbackOf } from "../../db/queries/feedback.ts";
import type { SessionRow } from "../../db/schema.ts";
import { listSessions, updateSession } from "../../db/queries/sessions.ts";
import { findMessage, listMessages } from "../../db/queries/messages.ts";
import { type Conversation, loadConversation, scopeOf } from "../../conversations/access.ts";
import { sendMessage } from "../../conversations/messages.ts";
import { clientIp } from "../../limits/rate_limit.ts";
import { withPageContext } from "../../conversations/page_context.ts";
import { afterConversationEnded, openConversation } from "../../conversations/sessions.ts";
import { doc } from "../../lib/openapi.ts";
import { SessionSchema } from "../../contract/wire.ts";
import {
  MessageListSchema,
  MessagePairSchema,
  SessionListSchema,
} from "../../contract/responses.ts";

type Ctx = Context<AppEnv>;

/** A session with its lead and rating (SPEC v2.4: "the session shows lead"). */
function withFeedback(row: SessionRow, feedback: Awaited<ReturnType<typeof feedbackOf>>) {
  const lead = feedback.leads.get(row.id), rating = feedback.ratings.get(row.id);
  return {
    ...toSession(row),
    lead: lead ? toLead(lead) : null,
    rating: rating ? toRating(rating) : null,
  };
}

/** The `:id` session with its widget and agent, if the actor may see it. */
function conversationOf(c: Ctx, actor: Actor): Promise<Conversation> {
  return loadConversation(c.var.db, actor, idParam(c, "session"));
}

export const chatRoutes = new Hono<AppEnv>()
  .use(requireActor(), loadUser())
  .post(
    "/sessions",
    doc({
      summary: "Start a chat session",
      auth: "either",
      body: SessionCreateSchema,
      responses: { 201: SessionSchema },
    }),
    async (c) => {
      const actor = actorOf(c);
      const body = c.req.valid("json");
      const session = await openConversation(c.var.deps, actor, body);
      return c.json(toSession(session), 201);
    },
  )
  .get(
    "/sessions",
    doc({
      summary: "List sessions, newest first",
      auth: "either",
      query: SessionListQuerySchema,
      responses: { 200: SessionListSchema },
    }),
    async (c) => {
      const actor = actorOf(c);
      const query = c.req.valid("query");
      const rows = await listSessions(c.var.db, scopeOf(actor), query);
      if (!rows) throw notFound("session", query.before);
      const last = rows.at(-1);
      const feedback = await feedbackOf(c.var.db, rows.map((r) => r.id));
      return c.json({
        sessions: rows.map((r) => withFeedback(r, feedback)),
        nextBefore: rows.length === query.limit && last ? last.id : null,
      });
    },
  )
  .get(
    "/sessions/:id",
    doc({ summary: "Read a session", auth: "either", responses: { 200: SessionSchema } }),
    async (c) => {
      const { session } = await conversationOf(c, actorOf(c));
      return c.json(withFeedback(session, await feedbackOf(c.var.db, [session.id])));
    },
  )
  .put(
    "/sessions/:id",
    doc({
      summary: "Change a session (partial)",
      auth: "either",
      body: SessionUpdateSchema,
      responses: { 200: SessionSchema },
    }),
    async (c) => {
      const actor = actorOf(c);
      const { session } = await conversationOf(c, actor);
      const body = c.req.valid("json");
      if (body.status === "active" && session.status === "ended") {
        throw new HttpError(409, "conflict", "An ended session cannot be reopened");
      }
      const handling = body.handler !== undefined || body.assigneeId !== undefined;
      if (handling && actor.kind !== "admin") {
        throw new HttpError(
          403,
          "forbidden",
          "Only the organization's users decide who handles a conversation",
        );
      }
      const ending = body.status === "ended" && session.status !== "ended";
      const row = await updateSession(c.var.db, session.id, {
        ...(ending ? { status: "ended" as const } : {}),
        ...(body.metadata ? { metadata: withPageContext(body.metadata) } : {}),
        ...(handling ? await handlingPatch(c.var.db, session, userOf(c), body) : {}),
      });
      if (!row) throw notFound("session", session.id);
      if (ending) await afterConversationEnded(c.var.deps, row);
      await publishSession(c.var.deps.hub, row);
      return c.json(toSession(row));
    },
  )
  .post(
    "/sessions/:id/handoff",
    doc({
      summary: "Ask for a person",
      auth: "either",
      body: HandoffSchema,
      responses: { 200: SessionSchema },
    }),
    async (c) => {
      const { session } = await conversationOf(c, actorOf(c));
      const body = c.req.valid("json");
      const row = await requestHandoff({ db: c.var.db, hub: c.var.deps.hub }, session, body.reason);
      return c.json(toSession(row));
    },
  )
  .get(
    "/sessions/:id/messages",
    doc({
      summary: "Messages of a session, oldest first",
      auth: "either",
      query: MessageListQuerySchema,
      responses: { 200: MessageListSchema },
    }),
    async (c) => {
      const { session } = await conversationOf(c, actorOf(c));
      const query = c.req.valid("query");
      let afterSeq = 0;
      if (query.after) {
        const anchor = await findMessage(c.var.db, session.id, query.after);
        if (!anchor) {
          throw new HttpError(400, "validation_failed", "Invalid query", {
            details: [{ path: "after", message: "is not a message of this session" }],
          });
        }
        afterSeq = anchor.seq;
      }
      const rows = await listMessages(c.var.db, session.id, { afterSeq, limit: query.limit });
      return c.json({ messages: rows.map(toMessage) });
    },
  )
  .post(
    "/sessions/:id/messages",
    doc({
      summary: "Send a message; the agent's answer comes back with it",
      description:
        "A repeated `clientMessageId` answers 200 with the stored pair instead of asking the agent again.",
      auth: "either",
      // The deployment's own length limit, in the document too.
      body: (c) => messageCreateSchema(c.var.config.limits.messageChars),
      responses: { 200: MessagePairSchema, 201: MessagePairSchema },
    }),
    async (c) => {
      const actor = actorOf(c);
      const conversation = await conversationOf(c, actor);
      const body = c.req.valid("json");
      if (body.messageType !== "text") {
        throw new HttpError(400, "validation_failed", "Invalid body", {
          details: [{
            path: "messageType",
            message: "only text messages can be sent; system messages are the server's",
          }],
        });
      }
      // A person of the team replies as themselves (the AI stays out); a visitor asks the agent.
      const person = actor.kind === "admin" ? userOf(c) : undefined;
      const sent = await sendMessage(c.var.deps, actor, conversation, {
        ...body,
        address: clientIp(c),
      }, person);
      return c.json(
        {
          userMessage: toMessage(sent.userMessage),
          agentMessage: sent.agentMessage ? toMessage(sent.agentMessage) : null,
        },
        sent.created ? 201 : 200,
      );
    },
  );
