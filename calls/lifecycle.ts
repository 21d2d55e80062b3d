/**
 * @module The life of a voice call, in one place for the HTTP routes, Retell's webhooks and the
 * demo agent: connecting → ongoing → ended (or error). Each step is a compare-and-set on the call's
 * status, and every message it stores has a `call:<callId>:…` client id, so an event delivered
 * twice (Retell retries) stores and publishes nothing twice. Events are published after commit.
 */
import type { Deps } from "../context.ts";
import { dbErrorCode, HttpError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { isUuid } from "../lib/validate.ts";
import { toCall, toMessage } from "../db/wire.ts";
import type { Db } from "../db/client.ts";
import type { AgentRow, CallKind, CallRow, MessageRow, SessionRow } from "../db/schema.ts";
import { insertMessageOnce } from "../db/queries/messages.ts";
import { getSessionById } from "../db/queries/sessions.ts";
import {
  abandonStaleCall,
  activeCallOf,
  completeCall,
  finishCall,
  getCallById,
  getCallByRetellId,
  lastMessagesOf,
  markCallFailed,
  markCallStarted,
  reserveCall,
  saveSummary,
  setRetellCallId,
  setSessionMode,
} from "../db/queries/calls.ts";
import { emitCallEnded, emitMessagesCreated } from "../webhooks/enqueue.ts";
import { type CallDetails, event } from "../contract/events.ts";
import { publishMessage } from "../hub/hub.ts";
import type { DeliverCallEvent } from "../agents/agent.ts";
import type { CallEvent } from "../agents/call_event.ts";
import {
  chatTranscript,
  dateOf,
  endedInError,
  endedText,
  safeUrl,
  transcriptTurns,
} from "./payload.ts";
import { systemText } from "../lib/system_text.ts";

/**
 * A reservation still without a Retell id after this long was left by a process that died while
 * placing it: past the longest a Retell request may take.
 */
function staleAfterMs(deps: Deps): number {
  return deps.config.retellTimeoutMs + 60_000;
}

/** A call refused before Retell was asked (its budgets are given back). */
export class CallRefused extends HttpError {}

/** How much of the chat the voice agent is given, and from how many messages. */
const TRANSCRIPT_CHARS = 4000;
const TRANSCRIPT_MESSAGES = 200;

/** The seed's `callDetails`, plus our call id and kind. */
export function callDetails(call: CallRow): CallDetails {
  return {
    retellCallId: call.retellCallId,
    status: call.status,
    phoneNumber: call.phoneNumber,
    callId: call.id,
    kind: call.kind,
  };
}

/**
 * The app's dependencies with the organization's own agent backend (agents/tenancy.ts): calls of
 * that organization are placed and stopped through its own Retell account only.
 */
export async function depsForOrganization(deps: Deps, organizationId: string): Promise<Deps> {
  const agent = await deps.tenants.agentFor(deps.database.db, organizationId, deps.agent);
  return agent === deps.agent ? deps : { ...deps, agent };
}

/** The `deliver` function backends hand their call events to. */
export function deliverTo(deps: Deps): DeliverCallEvent {
  return async (e) => {
    await handleCallEvent(deps, e);
  };
}

/** What `startCall` needs. */
export interface StartCallInput {
  session: SessionRow;
  agent: AgentRow;
  kind: CallKind;
  phoneNumber: string | null;
  /** Retell dynamic variables of the conversation (page context, verified visitor). */
  variables?: Record<string, string>;
  /** When the caller agreed to the widget's voice consent text (`calls/consent.ts`). */
  consentAt?: Date | null;
}

/**
 * Places a call for a session: reserves it (the unique index makes a second active call a 409),
 * asks the backend with the chat so far, then switches the session to voice and says so. When
 * the backend fails the call is marked `error`, the session stays in chat, and a system message
 * tells the visitor; nothing of the conversation is lost.
 */
export async function startCall(
  deps: Deps,
  input: StartCallInput,
): Promise<{ call: CallRow; accessToken?: string }> {
  const { hub, agent } = deps;
  const db = deps.database.db;
  const { session } = input;
  const history = await lastMessagesOf(db, session.id, TRANSCRIPT_MESSAGES);
  const { config } = deps;
  // The organization's concurrent calls are counted under a lock as the call is reserved, so a
  // burst cannot pass the cap together (SPEC v2.1).
  const cap = config.rateLimits
    ? { organizationId: session.organizationId, max: config.limits.concurrentCallsPerOrganization }
    : undefined;
  const reserve = async () => {
    const row = await reserveCall(
      db,
      {
        sessionId: session.id,
        kind: input.kind,
        phoneNumber: input.phoneNumber,
        consentAt: input.consentAt,
      },
      cap,
    );
    if (!row) {
      throw new CallRefused(
        429,
        "rate_limited",
        "Too many calls are in progress for this site; try again in 1 minute",
        {
          headers: { "Retry-After": "60" },
          details: { retryAfterSeconds: 60, limit: "concurrentCalls" },
        },
      );
    }
    return row;
  };
  let call: CallRow;
  try {
    call = await reserve();
  } catch (err) {
    if (dbErrorCode(err) !== "23505") throw err;
    if (!await releaseStale(deps, session.id)) {
      throw new CallRefused(409, "conflict", "A call is already in progress in this conversation");
    }
    call = await reserve();
  }

  let started;
  try {
    started = await agent.startCall({
      agent: input.agent,
      session,
      call,
      chatTranscript: chatTranscript(history, TRANSCRIPT_CHARS),
      variables: input.variables,
      deliver: deliverTo(deps),
    });
  } catch (err) {
    const failure = err instanceof HttpError
      ? err
      : new HttpError(502, "retell_failed", "Could not start the call", { cause: err });
    log.warn("call start failed", { callId: call.id, status: failure.status, error: String(err) });
    const failed = await markCallFailed(db, call.id, failure.code);
    await setSessionMode(db, session.id, "chat");
    if (failed) {
      await hub.publish(session.id, event({ type: "call:updated", call: toCall(failed) }));
    }
    if (failure.status >= 500) {
      const { row, created } = await insertMessageOnce(db, {
        sessionId: session.id,
        senderType: "system",
        messageType: "system",
        content: systemText(session.metadata).callStartFailed,
        metadata: { callId: call.id, error: failure.code },
        clientMessageId: `call:${call.id}:failed`,
      });
      if (created) await publishMessage(hub, row);
    }
    throw failure;
  }

  const text = systemText(session.metadata);
  const content = input.kind === "phone"
    ? text.callStartPhone(input.phoneNumber!)
    : text.callStartWeb;
  const opened = await db.transaction(async (tx) => {
    const row = await setRetellCallId(tx, call.id, started.retellCallId);
    // An early webhook may have closed the call already; then the session stays in chat.
    if (!row) return undefined;
    await setSessionMode(tx, session.id, "voice");
    const { row: message } = await insertMessageOnce(tx, {
      sessionId: session.id,
      senderType: "system",
      messageType: "system",
      content,
      metadata: { callId: call.id, kind: input.kind },
      clientMessageId: `call:${call.id}:start`,
    });
    await emitMessagesCreated(tx, { ...session, mode: "voice" }, [message]);
    return { row, message };
  });
  if (opened) {
    await hub.publish(
      session.id,
      event({
        type: "mode:changed",
        mode: "voice",
        callDetails: callDetails(opened.row),
        message: toMessage(opened.message),
        seq: opened.message.seq,
      }),
    );
  }
  const final = opened?.row ?? await getCallById(db, call.id) ?? call;
  return { call: final, accessToken: started.accessToken };
}

/**
 * Asks the backend to hang up the session's call. 404 when there is none; 409 while the call is
 * still being placed (there is nothing to hang up yet). The final state arrives as `call_ended`.
 */
export async function stopCall(deps: Deps, sessionId: string): Promise<CallRow> {
  const call = await activeCallOf(deps.database.db, sessionId);
  if (!call) throw new HttpError(404, "not_found", "There is no call in progress to end");
  if (!call.retellCallId) {
    const released = await releaseStale(deps, sessionId);
    if (released) return released;
    throw new HttpError(409, "conflict", "The call is still being placed; try again in a moment");
  }
  await deps.agent.stopCall(call, deliverTo(deps));
  return await getCallById(deps.database.db, call.id) ?? call;
}

/** Frees the session's stale reservation, if there is one (see `staleAfterMs`). */
async function releaseStale(deps: Deps, sessionId: string): Promise<CallRow | undefined> {
  const before = new Date(Date.now() - staleAfterMs(deps));
  const row = await abandonStaleCall(deps.database.db, sessionId, before);
  if (!row) return undefined;
  log.warn("stale call reservation released", { callId: row.id, sessionId });
  await deps.hub.publish(sessionId, event({ type: "call:updated", call: toCall(row) }));
  return row;
}

/** What handling an event did (the webhook logs it). */
export type HandleResult = "applied" | "duplicate" | "ignored" | "unknown_call" | "not_yours";

/** Options of `handleCallEvent`. */
export interface HandleOptions {
  /**
   * Whether the sender may speak for calls of this organization (a webhook verified with one
   * organization's key must not touch another's calls); a refused event changes nothing.
   */
  accepts?: (organizationId: string) => boolean | Promise<boolean>;
}

/** Applies one call event (a verified webhook or the demo's): the single entry of both. */
export async function handleCallEvent(
  deps: Deps,
  e: CallEvent,
  options: HandleOptions = {},
): Promise<HandleResult> {
  const call = await findCallOf(deps.database.db, e);
  if (!call) return "unknown_call";
  if (options.accepts) {
    const session = await getSessionById(deps.database.db, call.chatSessionId);
    if (!session || !await options.accepts(session.organizationId)) return "not_yours";
  }
  switch (e.event) {
    case "call_started":
      return await callStarted(deps, call, e);
    case "call_ended":
      return await callEnded(deps, call, e);
    case "call_analyzed": {
      // Retell does not make events wait for each other: the analysis may come first.
      const ended = await callEnded(deps, call, e);
      const analyzed = await callAnalyzed(deps, call, e);
      return ended === "applied" || analyzed === "applied" ? "applied" : "duplicate";
    }
    default:
      return "ignored";
  }
}

/** The call an event is about: our id in its metadata, else Retell's id. */
async function findCallOf(db: Db, e: CallEvent): Promise<CallRow | undefined> {
  const ours = e.call.metadata?.callId;
  if (typeof ours === "string" && isUuid(ours)) {
    const row = await getCallById(db, ours);
    // A mismatched pair is not ours to trust.
    if (row && (!row.retellCallId || row.retellCallId === e.call.call_id)) return row;
    if (row) return undefined;
  }
  return await getCallByRetellId(db, e.call.call_id);
}

async function callStarted(deps: Deps, call: CallRow, e: CallEvent): Promise<HandleResult> {
  const row = await markCallStarted(
    deps.database.db,
    call.id,
    dateOf(e.call.start_timestamp) ?? new Date(),
  );
  if (!row) return "duplicate";
  await deps.hub.publish(row.chatSessionId, event({ type: "call:updated", call: toCall(row) }));
  return "applied";
}

async function callEnded(deps: Deps, call: CallRow, e: CallEvent): Promise<HandleResult> {
  const { hub } = deps;
  const db = deps.database.db;
  const c = e.call;
  const recordingUrl = safeUrl(c.recording_url);
  const turns = transcriptTurns(c);
  const startedAt = dateOf(c.start_timestamp);
  const endedAt = dateOf(c.end_timestamp) ?? new Date();
  const durationMs = typeof c.duration_ms === "number"
    ? c.duration_ms
    : startedAt
    ? Math.max(0, endedAt.getTime() - startedAt.getTime())
    : null;
  const transcript = turns.length
    ? turns.map((t) => `${t.senderType === "agent" ? "Agent" : "User"}: ${t.content}`).join("\n")
    : null;
  const reason = c.disconnection_reason ?? null;

  const result = await db.transaction(async (tx) => {
    const stored: MessageRow[] = [];
    // One voice message per turn, in order; the client id makes a redelivery store nothing.
    for (const [i, turn] of turns.entries()) {
      const { row, created } = await insertMessageOnce(tx, {
        sessionId: call.chatSessionId,
        senderType: turn.senderType,
        messageType: "voice",
        content: turn.content,
        voiceUrl: recordingUrl,
        metadata: {
          callId: call.id,
          turn: i,
          ...(turn.startSeconds !== undefined ? { startSeconds: turn.startSeconds } : {}),
        },
        clientMessageId: `call:${call.id}:${i}`,
      });
      if (created) stored.push(row);
    }
    const ended = await finishCall(tx, call.id, {
      status: endedInError(c) ? "error" : "ended",
      startedAt,
      endedAt,
      transcript,
      recordingUrl,
      disconnectionReason: reason,
      metadata: durationMs !== null ? { durationMs } : {},
    });
    // The events are queued in the same transaction: a redelivered call_ended queues nothing.
    const session = await getSessionById(tx, call.chatSessionId);
    if (!ended) {
      await completeCall(tx, call.id, { transcript, recordingUrl, disconnectionReason: reason });
      if (session) await emitMessagesCreated(tx, session, stored);
      return { stored };
    }
    await setSessionMode(tx, call.chatSessionId, "chat");
    const { row: message } = await insertMessageOnce(tx, {
      sessionId: call.chatSessionId,
      senderType: "system",
      messageType: "system",
      content: endedText(
        systemText(session?.metadata),
        reason,
        ended.startedAt ? durationMs : null,
      ),
      metadata: { callId: call.id, durationMs, disconnectionReason: reason },
      clientMessageId: `call:${call.id}:ended`,
    });
    if (session) {
      await emitMessagesCreated(tx, session, [...stored, message]);
      await emitCallEnded(tx, { ...session, mode: "chat" }, ended);
    }
    return { stored, ended, message };
  });

  for (const row of result.stored) await publishMessage(hub, row);
  if (!result.ended) return result.stored.length ? "applied" : "duplicate";
  await hub.publish(
    call.chatSessionId,
    event({ type: "call:updated", call: toCall(result.ended) }),
  );
  await hub.publish(
    call.chatSessionId,
    event({
      type: "mode:changed",
      mode: "chat",
      callDetails: callDetails(result.ended),
      message: toMessage(result.message!),
      seq: result.message!.seq,
    }),
  );
  return "applied";
}

async function callAnalyzed(deps: Deps, call: CallRow, e: CallEvent): Promise<HandleResult> {
  const summary = e.call.call_analysis?.call_summary?.trim();
  if (!summary) return "ignored";
  const text = summary.length > 4000 ? `${summary.slice(0, 4000)}…` : summary;
  const result = await deps.database.db.transaction(async (tx) => {
    const row = await saveSummary(tx, call.id, text);
    if (!row) return undefined;
    const session = await getSessionById(tx, call.chatSessionId);
    const { row: message } = await insertMessageOnce(tx, {
      sessionId: call.chatSessionId,
      senderType: "system",
      messageType: "system",
      content: systemText(session?.metadata).callSummary(text),
      metadata: { callId: call.id, summary: true },
      clientMessageId: `call:${call.id}:summary`,
    });
    if (session) await emitMessagesCreated(tx, session, [message]);
    return { row, message };
  });
  if (!result) return "duplicate";
  await publishMessage(deps.hub, result.message);
  await deps.hub.publish(
    call.chatSessionId,
    event({ type: "call:updated", call: toCall(result.row) }),
  );
  return "applied";
}
