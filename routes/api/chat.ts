/**
 * @module `/api/chat`: chat sessions and their messages. A visitor token acts on that visitor's own
 * sessions of its widget, an admin token on its organization's; anything else is a 404.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { type Actor, actorOf, requireActor } from "../../lib/auth.ts";
import { HttpError, notFound } from "../../lib/errors.ts";
import { idParam, parseWith, readJson } from "../../lib/validate.ts";
import { loadUser, userOf } from "../../team/guard.ts";
import {
  handlingPatch,
  postHumanReply,
  publishSession,
  requestHandoff,
} from "../../conversations/people.ts";
import {
  HandoffSchema,
  messageCreateSchema,
  MessageListQuerySchema,
  SessionCreateSchema,
  SessionListQuerySchema,
  SessionUpdateSchema,
} from "../../contract/requests.ts";
import { DEFAULT_WELCOME } from "../../contract/defaults.ts";
import { toLead, toMessage, toRating, toSession } from "../../db/wire.ts";
import { feedbackOf } from "../../db/queries/feedback.ts";
import type { VisitorClaims } from "../../lib/tokens.ts";
import { log } from "../../lib/log.ts";
import { event } from "../../contract/events.ts";
import { publishMessage } from "../../hub/hub.ts";
import { stopCall } from "../../calls/lifecycle.ts";
import { getAgent, getAgentById } from "../../db/queries/agents.ts";
import { getWidgetById } from "../../db/queries/widgets.ts";
import {
  claimRetellChat,
  createSessionWithWelcome,
  findSession,
  listSessions,
  type SessionScope,
  updateSession,
} from "../../db/queries/sessions.ts";
import {
  findMessage,
  findMessageByClientId,
  hasFailedReply,
  insertMessage,
  insertMessageOnce,
  listMessages,
  replyKey,
} from "../../db/queries/messages.ts";
import type { MessageRow, SessionRow } from "../../db/schema.ts";
import { agentVariables } from "../../conversations/agent_variables.ts";
import { withPageContext } from "../../conversations/page_context.ts";
import { sessionVisitorFields } from "../../conversations/identity.ts";
import type { SessionVisitorFields as VisitorFields } from "../../db/queries/sessions.ts";
import { emitConversationCreated, emitMessagesCreated } from "../../webhooks/enqueue.ts";

type Ctx = Context<AppEnv>;

/** What the actor may see. */
export function scopeOf(actor: Actor): SessionScope {
  return actor.kind === "admin" ? { organizationId: actor.organizationId } : {
    organizationId: actor.organizationId,
    visitor: { widgetId: actor.visitor.widgetId, visitorId: actor.visitor.visitorId },
  };
}

/** The visitor's widget, which must still exist and be active for the visitor to chat. */
export async function activeVisitorWidget(c: Ctx, visitor: VisitorClaims) {
  const widget = await getWidgetById(c.var.db, visitor.widgetId);
  if (!widget || widget.organizationId !== visitor.organizationId) {
    throw notFound("widget", visitor.widgetId);
  }
  if (!widget.isActive) throw new HttpError(403, "forbidden", "This widget is not active");
  return widget;
}

async function sessionOf(c: Ctx, actor: Actor): Promise<SessionRow> {
  const id = idParam(c, "session");
  const session = await findSession(c.var.db, scopeOf(actor), id);
  if (!session) throw notFound("session", id);
  return session;
}

/** Whose budget a request spends: one visitor of one widget, or one admin. */
function limitKey(actor: Actor): string {
  return actor.kind === "admin"
    ? `admin:${actor.admin.userId}`
    : `${actor.visitor.widgetId}:${actor.visitor.visitorId}`;
}

const forbidden = (message: string) => new HttpError(403, "forbidden", message);
const invalid = (path: string, message: string) =>
  new HttpError(400, "validation_failed", "Invalid body", { details: [{ path, message }] });

const FAILED_REPLY =
  "The assistant could not answer just now. Your message was kept; please try again.";

/**
 * Asks the agent to answer a stored user message: typing indicators around the call, the reply
 * stored once (keyed `reply:<userMessageId>`) and published. On failure a system message says so,
 * and the error carries the stored user message so the client can show it was kept.
 */
async function answer(c: Ctx, session: SessionRow, user: MessageRow): Promise<MessageRow | null> {
  const { db, deps } = c.var;
  const { hub, agent } = deps;
  await hub.publish(session.id, event({ type: "typing:start", senderId: "agent" }));
  try {
    const agentRow = await getAgentById(db, session.agentId);
    if (!agentRow) throw notFound("agent", session.agentId);
    const reply = await agent.reply({
      agent: agentRow,
      session,
      content: user.content,
      variables: agentVariables(session),
      claimChat: (chatId, previous) => claimRetellChat(db, session.id, chatId, previous),
    });
    if (!reply.content.trim()) return null;
    const { row, created } = await insertMessageOnce(db, {
      sessionId: session.id,
      senderType: "agent",
      messageType: "text",
      content: reply.content,
      metadata: { replyTo: user.id, ...(reply.offer ? { offer: reply.offer } : {}) },
      clientMessageId: replyKey(user.id),
    });
    if (created) {
      await emitMessagesCreated(db, session, [row]);
      await publishMessage(hub, row);
    }
    return row;
  } catch (err) {
    const failure = err instanceof HttpError
      ? err
      : new HttpError(502, "retell_failed", "The agent could not answer", { cause: err });
    log.warn("agent reply failed", {
      sessionId: session.id,
      agent: agent.kind,
      status: failure.status,
      error: String(err),
    });
    const system = await insertMessage(db, {
      sessionId: session.id,
      senderType: "system",
      messageType: "system",
      content: FAILED_REPLY,
      metadata: { replyTo: user.id, error: failure.code },
    });
    await emitMessagesCreated(db, session, [system]);
    await publishMessage(hub, system);
    throw new HttpError(failure.status, failure.code, failure.message, {
      cause: err,
      details: { userMessage: toMessage(user) },
    });
  } finally {
    await hub.publish(session.id, event({ type: "typing:stop", senderId: "agent" }));
  }
}

/** A session with its lead and rating (SPEC v2.4: "the session shows lead"). */
function withFeedback(row: SessionRow, feedback: Awaited<ReturnType<typeof feedbackOf>>) {
  const lead = feedback.leads.get(row.id), rating = feedback.ratings.get(row.id);
  return {
    ...toSession(row),
    lead: lead ? toLead(lead) : null,
    rating: rating ? toRating(rating) : null,
  };
}

export const chatRoutes = new Hono<AppEnv>()
  .use(requireActor(), loadUser())
  .post("/sessions", async (c) => {
    const actor = actorOf(c);
    const body = await readJson(c, SessionCreateSchema);
    let fields: {
      agentId: string;
      widgetId: string | null;
      visitorId: string;
      welcome: string;
      visitor?: VisitorFields;
    };
    if (actor.kind === "visitor") {
      const v = actor.visitor;
      const widget = await activeVisitorWidget(c, v);
      await c.var.deps.rateLimits.consume("sessions", limitKey(actor));
      if (body.agentId && body.agentId !== widget.agentId && body.agentId !== v.agentId) {
        throw forbidden("A visitor may only chat with the widget's agent");
      }
      if (body.visitorId && body.visitorId !== v.visitorId) {
        throw forbidden("A visitor may only create sessions for themselves");
      }
      fields = {
        agentId: widget.agentId,
        widgetId: widget.id,
        visitorId: v.visitorId,
        welcome: body.welcomeMessage ?? widget.welcomeMessage ?? DEFAULT_WELCOME,
        visitor: sessionVisitorFields(v),
      };
    } else {
      if (!body.agentId) throw invalid("agentId", "is required with an admin token");
      const agentRow = await getAgent(c.var.db, actor.organizationId, body.agentId);
      if (!agentRow) throw notFound("agent", body.agentId);
      fields = {
        agentId: agentRow.id,
        widgetId: null,
        visitorId: body.visitorId ?? `admin_${actor.admin.userId}`,
        welcome: body.welcomeMessage ?? DEFAULT_WELCOME,
      };
    }
    const { session, message } = await createSessionWithWelcome(c.var.db, {
      organizationId: actor.organizationId,
      agentId: fields.agentId,
      widgetId: fields.widgetId,
      visitorId: fields.visitorId,
      metadata: withPageContext(body.metadata ?? {}),
      ...fields.visitor,
    }, fields.welcome);
    await emitConversationCreated(c.var.db, session, [message]);
    return c.json(toSession(session), 201);
  })
  .get("/sessions", async (c) => {
    const actor = actorOf(c);
    const query = parseWith(SessionListQuerySchema, c.req.query(), "query");
    const rows = await listSessions(c.var.db, scopeOf(actor), query);
    if (!rows) throw notFound("session", query.before);
    const last = rows.at(-1);
    const feedback = await feedbackOf(c.var.db, rows.map((r) => r.id));
    return c.json({
      sessions: rows.map((r) => withFeedback(r, feedback)),
      nextBefore: rows.length === query.limit && last ? last.id : null,
    });
  })
  .get("/sessions/:id", async (c) => {
    const session = await sessionOf(c, actorOf(c));
    return c.json(withFeedback(session, await feedbackOf(c.var.db, [session.id])));
  })
  .put("/sessions/:id", async (c) => {
    const actor = actorOf(c);
    const session = await sessionOf(c, actor);
    const body = await readJson(c, SessionUpdateSchema);
    if (body.status === "active" && session.status === "ended") {
      throw new HttpError(409, "conflict", "An ended session cannot be reopened");
    }
    const handling = body.handler !== undefined || body.assigneeId !== undefined;
    if (handling && actor.kind !== "admin") {
      throw forbidden("Only the organization's users decide who handles a conversation");
    }
    const ending = body.status === "ended" && session.status !== "ended";
    const row = await updateSession(c.var.db, session.id, {
      ...(ending ? { status: "ended" as const } : {}),
      ...(body.metadata ? { metadata: withPageContext(body.metadata) } : {}),
      ...(handling ? await handlingPatch(c.var.db, session, userOf(c), body) : {}),
    });
    if (!row) throw notFound("session", session.id);
    if (ending) {
      // The session is ended here whatever Retell says; a chat left open there expires by itself.
      await c.var.deps.agent.endChat(row).catch((err) =>
        log.warn("ending the agent chat failed", { sessionId: row.id, error: String(err) })
      );
      // Ending the conversation hangs up its call too; the transcript still arrives by webhook.
      await stopCall(c.var.deps, row.id).catch((err) => {
        if (!(err instanceof HttpError && err.status === 404)) {
          log.warn("hanging up the session's call failed", {
            sessionId: row.id,
            error: String(err),
          });
        }
      });
    }
    await publishSession(c.var.deps.hub, row);
    return c.json(toSession(row));
  })
  .post("/sessions/:id/handoff", async (c) => {
    const session = await sessionOf(c, actorOf(c));
    const body = await readJson(c, HandoffSchema);
    const row = await requestHandoff({ db: c.var.db, hub: c.var.deps.hub }, session, body.reason);
    return c.json(toSession(row));
  })
  .get("/sessions/:id/messages", async (c) => {
    const session = await sessionOf(c, actorOf(c));
    const query = parseWith(MessageListQuerySchema, c.req.query(), "query");
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
  })
  .post("/sessions/:id/messages", async (c) => {
    const actor = actorOf(c);
    const session = await sessionOf(c, actor);
    const body = await readJson(c, messageCreateSchema(c.var.config.limits.messageChars));
    if (body.messageType !== "text") {
      throw invalid(
        "messageType",
        "only text messages can be sent; system messages are the server's",
      );
    }
    if (actor.kind === "visitor") await activeVisitorWidget(c, actor.visitor);
    const { db, deps } = c.var;
    await deps.rateLimits.consume("messages", limitKey(actor));

    if (session.status === "ended") {
      // A retry of a message sent before the end still gets its stored answer.
      const stored = body.clientMessageId &&
        await findMessageByClientId(db, session.id, body.clientMessageId);
      if (!stored) throw new HttpError(409, "conflict", "This session has ended");
      const reply = await findMessageByClientId(db, session.id, replyKey(stored.id));
      return c.json({
        userMessage: toMessage(stored),
        agentMessage: reply ? toMessage(reply) : null,
      });
    }

    if (actor.kind === "admin") {
      // A person of the team replies: stored as the agent side's words, and the AI stays out.
      const { message, created } = await postHumanReply(
        { db, hub: deps.hub },
        session,
        userOf(c),
        body,
      );
      return c.json({ userMessage: toMessage(message), agentMessage: null }, created ? 201 : 200);
    }

    const userFields = {
      sessionId: session.id,
      senderType: "user" as const,
      messageType: "text" as const,
      content: body.content,
      metadata: body.metadata ?? {},
    };
    let user: MessageRow, created = true;
    if (body.clientMessageId) {
      ({ row: user, created } = await insertMessageOnce(db, {
        ...userFields,
        clientMessageId: body.clientMessageId,
      }));
    } else {
      user = await insertMessage(db, userFields);
    }

    if (created) {
      await emitMessagesCreated(db, session, [user]);
      await publishMessage(deps.hub, user);
      // A person handles the conversation: the visitor's message is theirs to answer.
      if (session.handler === "human") {
        return c.json({ userMessage: toMessage(user), agentMessage: null }, 201);
      }
    } else {
      const reply = await findMessageByClientId(db, session.id, replyKey(user.id));
      // Answered already, or still being answered by the first request: never ask twice.
      if (reply || !await hasFailedReply(db, session.id, user.id)) {
        return c.json({
          userMessage: toMessage(user),
          agentMessage: reply ? toMessage(reply) : null,
        });
      }
      // The first attempt failed and the client retries: asking again is what it wants.
    }

    const agentMessage = await answer(c, session, user);
    return c.json(
      { userMessage: toMessage(user), agentMessage: agentMessage ? toMessage(agentMessage) : null },
      created ? 201 : 200,
    );
  });
