/**
 * @module `/api/chat/sessions/:id/voice` and `/voice/end`: move a chat to a voice call (a phone
 * call Retell places, or a call in the browser) and end it. Mounted under `/api/chat` beside
 * `chat.ts`, with the same actors: a visitor on their own sessions, an admin on the organization's.
 */
import { type Context, Hono } from "hono";
import { isValidPhoneNumber, parsePhoneNumberFromString } from "libphonenumber-js";
import type { AppEnv } from "../../context.ts";
import { type Actor, actorOf, requireActor } from "../../lib/auth.ts";
import { HttpError, notFound } from "../../lib/errors.ts";
import { idParam, readJson } from "../../lib/validate.ts";
import { VoiceStartSchema } from "../../lib/schemas.ts";
import type { CallKind, CallRow, SessionRow, VoiceMode } from "../../db/schema.ts";
import { findSession } from "../../db/queries/sessions.ts";
import { getAgentById } from "../../db/queries/agents.ts";
import { getWidgetById } from "../../db/queries/widgets.ts";
import { startCall, stopCall } from "../../calls/lifecycle.ts";
import { activeVisitorWidget, scopeOf } from "./chat.ts";

type Ctx = Context<AppEnv>;

const PHONE_HELP = "Enter a valid phone number with its country code, such as +14155552671";

async function sessionOf(c: Ctx, actor: Actor): Promise<SessionRow> {
  const id = idParam(c, "session");
  const session = await findSession(c.var.db, scopeOf(actor), id);
  if (!session) throw notFound("session", id);
  return session;
}

/** The voice options of the session's widget (an admin's own sessions have none: both). */
async function voiceModeOf(c: Ctx, actor: Actor, session: SessionRow): Promise<VoiceMode> {
  if (actor.kind === "visitor") return (await activeVisitorWidget(c, actor.visitor)).voiceMode;
  if (!session.widgetId) return "both";
  return (await getWidgetById(c.var.db, session.widgetId))?.voiceMode ?? "both";
}

function allows(mode: VoiceMode, kind: CallKind): boolean {
  return mode === "both" || mode === kind;
}

/** The number in E.164, or a 400 that says what is wrong in words the widget can show. */
function e164(input: string): string {
  const parsed = parsePhoneNumberFromString(input);
  if (!parsed || !isValidPhoneNumber(input)) {
    throw new HttpError(400, "validation_failed", PHONE_HELP, {
      details: [{ path: "phoneNumber", message: "is not a valid phone number" }],
    });
  }
  return parsed.number;
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
  };
}

export const voiceRoutes = new Hono<AppEnv>()
  .use("/sessions/:id/voice", requireActor())
  .use("/sessions/:id/voice/*", requireActor())
  .post("/sessions/:id/voice", async (c) => {
    const actor = actorOf(c);
    const session = await sessionOf(c, actor);
    let body;
    try {
      body = await readJson(c, VoiceStartSchema);
    } catch (err) {
      const phone = err instanceof HttpError && err.code === "validation_failed" &&
        (err.details as { path: string }[] | undefined)?.some((d) => d.path === "phoneNumber");
      if (!phone) throw err;
      throw new HttpError(400, "validation_failed", PHONE_HELP, { details: err.details });
    }
    const kind: CallKind = body.mode === "web" ? "web" : "phone";
    const voiceMode = await voiceModeOf(c, actor, session);
    if (!allows(voiceMode, kind)) {
      throw new HttpError(
        403,
        "forbidden",
        voiceMode === "off"
          ? "Voice calls are turned off for this widget"
          : `This widget offers ${voiceMode === "web" ? "browser" : "phone"} calls only`,
      );
    }
    if (session.status === "ended") {
      throw new HttpError(409, "conflict", "This conversation has ended; start a new one to call");
    }
    const phoneNumber = kind === "phone" ? e164(body.phoneNumber!) : null;

    // Every call costs money and rings someone: a budget per visitor, and per number called so
    // that many visitors cannot be used to ring one person again and again.
    const { rateLimits } = c.var.deps;
    if (phoneNumber) await rateLimits.consume("calls", `to:${phoneNumber}`);
    await rateLimits.consume(
      "calls",
      actor.kind === "visitor"
        ? `visitor:${actor.visitor.widgetId}:${actor.visitor.visitorId}`
        : `admin:${actor.admin.userId}`,
    );

    const agent = await getAgentById(c.var.db, session.agentId);
    if (!agent) throw notFound("agent", session.agentId);
    const { call, accessToken } = await startCall(c.var.deps, {
      session,
      agent,
      kind,
      phoneNumber,
    });
    return c.json({
      ...callBody(call),
      ...(accessToken ? { accessToken } : {}),
      ...(c.var.deps.agent.kind === "demo" ? { simulated: true } : {}),
    }, 201);
  })
  .post("/sessions/:id/voice/end", async (c) => {
    const session = await sessionOf(c, actorOf(c));
    const call = await stopCall(c.var.deps, session.id);
    return c.json(callBody(call));
  });
