/**
 * @module `/api/chat/sessions/:id/voice` and `/voice/end`: move a chat to a voice call (a phone
 * call Retell places, or a call in the browser) and end it. Mounted under `/api/chat` beside
 * `chat.ts`, with the same actors: a visitor on their own sessions, an admin on the organization's.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { type Actor, actorOf, requireActor } from "../../lib/auth.ts";
import { HttpError } from "../../lib/errors.ts";
import { idParam } from "../../lib/validate.ts";
import { VoiceStartSchema } from "../../contract/requests.ts";
import type { CallKind, CallRow } from "../../db/schema.ts";
import { CallRefused, depsForOrganization, startCall, stopCall } from "../../calls/lifecycle.ts";
import { consentFor } from "../../calls/consent.ts";
import {
  allowedPhoneNumber,
  invalidPhoneNumber,
  type PhonePolicy,
} from "../../calls/phone_policy.ts";
import {
  assertWidgetActive,
  type Conversation,
  loadConversation,
} from "../../conversations/access.ts";
import { agentVariables } from "../../conversations/agent_variables.ts";
import { loadUser } from "../../team/guard.ts";
import { doc } from "../../lib/openapi.ts";
import { refundCall, spendCall } from "../../limits/budgets.ts";
import { clientIp } from "../../limits/rate_limit.ts";
import { CallStartedSchema } from "../../contract/responses.ts";

type Ctx = Context<AppEnv>;

/** The `:id` session with its widget and agent, if the actor may see it. */
function conversationOf(c: Ctx, actor: Actor): Promise<Conversation> {
  return loadConversation(c.var.db, actor, idParam(c, "session"));
}

/**
 * The voice options of the session's widget. An admin's own session without a widget may call any
 * country (the admin is the owner); the number rules still apply.
 */
function policyOf(actor: Actor, conversation: Conversation): PhonePolicy {
  const widget = actor.kind === "visitor"
    ? assertWidgetActive(actor.visitor, conversation.widget)
    : conversation.widget;
  if (!widget) return { voiceMode: "both" };
  return { voiceMode: widget.voiceMode, countries: widget.phoneCountries };
}

/** The body both voice routes answer with. */
function callBody(call: CallRow) {
  return {
    chatSessionId: call.chatSessionId,
    callId: call.id,
    retellCallId: call.retellCallId,
    status: call.status,
    phoneNumber: call.phoneNumber,
    kind: call.kind,
    consentAt: call.consentAt?.toISOString() ?? null,
  };
}

export const voiceRoutes = new Hono<AppEnv>()
  .use("/sessions/:id/voice", requireActor(), loadUser())
  .use("/sessions/:id/voice/*", requireActor(), loadUser())
  .post(
    "/sessions/:id/voice",
    doc({
      summary: "Move the conversation to a phone or browser call",
      auth: "either",
      body: VoiceStartSchema,
      // A number that is not one gets its own code, as the other phone number refusals do.
      invalid: (err) =>
        err.code === "validation_failed" &&
          (err.details as { path: string }[] | undefined)?.some((d) => d.path === "phoneNumber")
          ? invalidPhoneNumber(err.details)
          : err,
      responses: { 201: CallStartedSchema },
    }),
    async (c) => {
      const actor = actorOf(c);
      const conversation = await conversationOf(c, actor);
      const { session } = conversation;
      const body = c.req.valid("json");
      const kind: CallKind = body.mode === "web" ? "web" : "phone";
      const policy = policyOf(actor, conversation);
      if (kind === "web" && policy.voiceMode !== "web" && policy.voiceMode !== "both") {
        throw new HttpError(
          403,
          "forbidden",
          policy.voiceMode === "off"
            ? "Voice calls are turned off for this widget"
            : "This widget offers phone calls only",
        );
      }
      // Every refusal of SPEC v2.1 happens here, before any budget is spent or Retell is asked.
      const phoneNumber = kind === "phone" ? allowedPhoneNumber(body.phoneNumber!, policy) : null;
      const consentAt = consentFor(conversation.widget, body.consent);
      if (session.status === "ended") {
        throw new HttpError(
          409,
          "conflict",
          "This conversation has ended; start a new one to call",
        );
      }

      // Every call costs money: its budgets are spent before Retell is asked, and given back
      // only when the call is refused before that (another call in progress).
      const { rateLimits } = c.var.deps;
      const spent = await spendCall(rateLimits, {
        actor,
        organizationId: session.organizationId,
        widgetId: session.widgetId,
        address: clientIp(c),
        phoneNumber,
      });
      const deps = await depsForOrganization(c.var.deps, session.organizationId);
      let started;
      try {
        started = await startCall(deps, {
          session,
          agent: conversation.agent,
          kind,
          phoneNumber,
          variables: agentVariables(session),
          consentAt,
        });
      } catch (err) {
        if (err instanceof CallRefused) await refundCall(rateLimits, spent);
        throw err;
      }
      const { call, accessToken } = started;
      return c.json({
        ...callBody(call),
        ...(accessToken ? { accessToken } : {}),
        ...(deps.agent.kind === "demo" ? { simulated: true } : {}),
      }, 201);
    },
  )
  .post(
    "/sessions/:id/voice/end",
    doc({
      summary: "End the session's active call",
      auth: "either",
      responses: { 200: CallStartedSchema },
    }),
    async (c) => {
      const { session } = await conversationOf(c, actorOf(c));
      const call = await stopCall(
        await depsForOrganization(c.var.deps, session.organizationId),
        session.id,
      );
      return c.json(callBody(call));
    },
  );
