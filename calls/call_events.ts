/**
 * @module Retell's call events applied to our calls (started, ended, analyzed): each a
 * compare-and-set on the call's status, every stored message keyed `call:<callId>:…`, so an event
 * delivered twice stores and publishes nothing twice. Placing and stopping calls is in
 * `lifecycle.ts`.
 */
import type { Deps } from "../context.ts";

import { isUuid } from "../lib/validate.ts";
import { toCall, toMessage } from "../db/wire.ts";
import type { Db } from "../db/client.ts";
import type { CallRow, MessageRow } from "../db/schema.ts";
import { insertMessageOnce } from "../db/queries/messages.ts";
import { getSessionById } from "../db/queries/sessions.ts";
import {
  completeCall,
  finishCall,
  getCallById,
  getCallByRetellId,
  markCallStarted,
  saveSummary,
  setSessionMode,
} from "../db/queries/calls.ts";
import { emitCallEnded, emitMessagesCreated } from "../webhooks/enqueue.ts";
import { type CallDetails, event } from "../contract/events.ts";
import { publishMessage } from "../hub/hub.ts";

import type { CallEvent } from "../agents/call_event.ts";
import { dateOf, endedInError, endedText, safeUrl, transcriptTurns } from "./payload.ts";
import { systemText } from "../lib/system_text.ts";

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
