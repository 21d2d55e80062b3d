/**
 * @module Opening and ending a conversation. A visitor opens sessions only with their widget's
 * agent and only for themselves; an admin only with an agent of their organization. Ending one
 * also ends the agent's chat and hangs up its call, whatever the backend answers.
 */
import type { Deps } from "../context.ts";
import type { Actor } from "../lib/auth.ts";
import { HttpError, notFound } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { DEFAULT_WELCOME } from "../contract/defaults.ts";
import type { SessionCreate } from "../contract/requests.ts";
import type { SessionRow } from "../db/schema.ts";
import { createSessionWithWelcome, type SessionVisitorFields } from "../db/queries/sessions.ts";
import { depsForOrganization, stopCall } from "../calls/lifecycle.ts";
import { activeVisitorWidget, limitKey } from "./access.ts";
import { findOwnAgent } from "./own_agent.ts";
import { sessionVisitorFields } from "./identity.ts";
import { withPageContext } from "./page_context.ts";
import { emitConversationCreated } from "../webhooks/enqueue.ts";

const forbidden = (message: string) => new HttpError(403, "forbidden", message);

/** Opens a session with its welcome message (the first agent message). */
export async function openConversation(
  deps: Deps,
  actor: Actor,
  body: SessionCreate,
): Promise<SessionRow> {
  const db = deps.database.db;
  let fields: {
    agentId: string;
    widgetId: string | null;
    visitorId: string;
    welcome: string;
    visitor?: SessionVisitorFields;
  };
  if (actor.kind === "visitor") {
    const v = actor.visitor;
    const widget = await activeVisitorWidget(db, v);
    await deps.rateLimits.consume("sessions", limitKey(actor));
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
      // Never the visitor's text as the agent's words (SPEC v2.2): a page's pre-set welcome is
      // shown by the frame, but what is stored and handed to the voice agent is the widget's.
      welcome: widget.welcomeMessage ?? DEFAULT_WELCOME,
      visitor: sessionVisitorFields(v),
    };
  } else {
    if (!body.agentId) {
      throw new HttpError(400, "validation_failed", "Invalid body", {
        details: [{ path: "agentId", message: "is required with an admin token" }],
      });
    }
    const agent = await findOwnAgent(db, actor.organizationId, body.agentId);
    if (!agent) throw notFound("agent", body.agentId);
    fields = {
      agentId: agent.id,
      widgetId: null,
      visitorId: body.visitorId ?? `admin_${actor.admin.userId}`,
      welcome: body.welcomeMessage ?? DEFAULT_WELCOME,
    };
  }
  const { session, message } = await createSessionWithWelcome(db, {
    organizationId: actor.organizationId,
    agentId: fields.agentId,
    widgetId: fields.widgetId,
    visitorId: fields.visitorId,
    metadata: withPageContext(body.metadata ?? {}),
    ...fields.visitor,
  }, fields.welcome);
  await emitConversationCreated(db, session, [message]);
  return session;
}

/**
 * What ending a session does besides its status: the agent's chat is ended (a chat left open
 * there expires by itself, so a failure is only logged) and its call hung up (the transcript
 * still arrives by webhook).
 */
export async function afterConversationEnded(app: Deps, session: SessionRow): Promise<void> {
  // The organization's own Retell account (or the demo): never another organization's.
  const deps = await depsForOrganization(app, session.organizationId);
  await deps.agent.endChat(session).catch((err) =>
    log.warn("ending the agent chat failed", { sessionId: session.id, error: String(err) })
  );
  await stopCall(deps, session.id).catch((err) => {
    if (!(err instanceof HttpError && err.status === 404)) {
      log.warn("hanging up the session's call failed", {
        sessionId: session.id,
        error: String(err),
      });
    }
  });
}
