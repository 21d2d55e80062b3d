/**
 * @module Placing and stopping a voice call, for the HTTP routes and the demo agent: budgets and
 * the one call per session are settled before Retell is asked, and the call starts `connecting`.
 * What happens to it afterwards (ongoing → ended or error, from Retell's events or the demo's) is
 * `call_events.ts`. Events are published after commit.
 */
import type { Deps } from "../context.ts";
import { dbErrorCode, HttpError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";

import { toCall, toMessage } from "../db/wire.ts";

import type { AgentRow, CallKind, CallRow, SessionRow } from "../db/schema.ts";
import { insertMessageOnce } from "../db/queries/messages.ts";

import {
  abandonStaleCall,
  activeCallOf,
  getCallById,
  lastMessagesOf,
  markCallFailed,
  reserveCall,
  setRetellCallId,
  setSessionMode,
} from "../db/queries/calls.ts";
import { emitMessagesCreated } from "../webhooks/enqueue.ts";
import { event } from "../contract/events.ts";
import { publishMessage } from "../hub/hub.ts";
import type { DeliverCallEvent } from "../agents/agent.ts";

import { chatTranscript } from "./payload.ts";
import { systemText } from "../lib/system_text.ts";
import { callDetails, handleCallEvent } from "./call_events.ts";

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
