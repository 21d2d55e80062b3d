/**
 * @module Simulated voice calls of the offline demo agent. A call produces the very payloads
 * Retell's webhooks would (`call_started`, `call_ended` with a transcript that picks up the chat,
 * `call_analyzed`) and hands them to the same lifecycle handler, so the demo exercises the real
 * code path. Timings are injectable so tests run in milliseconds.
 */
import type { CallRow } from "../db/schema.ts";
import type { CallEvent, RetellCall } from "./call_event.ts";
import { log } from "../lib/log.ts";
import type { Agent, CallStart, DeliverCallEvent, StartedCall } from "./agent.ts";

/** When each event of a simulated call fires, in ms after the call was created. */
export interface DemoCallTimings {
  startedMs: number;
  endedMs: number;
  analyzedMs: number;
}

/** About 2 s to answer, 10 s of conversation, the analysis shortly after. */
export const DEFAULT_DEMO_CALL_TIMINGS: DemoCallTimings = {
  startedMs: 2_000,
  endedMs: 10_000,
  analyzedMs: 11_500,
};

interface LiveCall {
  base: RetellCall;
  createdAt: number;
  startedAt?: number;
  lastUser: string | null;
  kind: CallRow["kind"];
  deliver: DeliverCallEvent;
  timers: ReturnType<typeof setTimeout>[];
}

/** The newest thing the visitor wrote, from the chat transcript the call was given. */
function lastUserLine(chatTranscript: string): string | null {
  const lines = chatTranscript.split("\n").filter((l) => l.startsWith("User: "));
  const last = lines.at(-1)?.slice("User: ".length).trim();
  if (!last) return null;
  return last.length > 140 ? `${last.slice(0, 140)}…` : last;
}

/** The scripted conversation: it refers to the chat, as a real voice agent given it would. */
function script(call: LiveCall): { role: "agent" | "user"; content: string }[] {
  const hello = call.kind === "web"
    ? "Hi, it's Parley's demo assistant, talking to you right here in your browser."
    : "Hi, this is Parley's demo assistant calling about your chat.";
  return [
    { role: "agent", content: hello },
    {
      role: "agent",
      content: call.lastUser
        ? `You wrote "${call.lastUser}". I have our whole chat in front of me, so there's no need to repeat anything.`
        : "We hadn't chatted yet, so tell me: what can I do for you?",
    },
    { role: "user", content: "Great, thanks. Can you put a summary in the chat?" },
    {
      role: "agent",
      content:
        "Of course. This call is simulated because no Retell API key is set; with a real Retell agent you would be talking to it now. The transcript goes into the chat when we hang up.",
    },
    { role: "user", content: "Perfect, bye!" },
    { role: "agent", content: "Bye for now!" },
  ];
}

/** The call methods of the demo agent. */
export function demoCalls(timings: DemoCallTimings): Pick<Agent, "startCall" | "stopCall"> {
  const live = new Map<string, LiveCall>();

  function send(call: LiveCall, event: string, patch: Partial<RetellCall>): Promise<void> {
    const payload: CallEvent = { event, call: { ...call.base, ...patch } };
    return call.deliver(payload).catch((err) =>
      log.warn("demo call event failed", { event, callId: call.base.call_id, error: String(err) })
    );
  }

  function ended(call: LiveCall, reason: string, early: boolean): Partial<RetellCall> {
    const now = Date.now();
    if (!call.startedAt) {
      return {
        call_status: "not_connected",
        end_timestamp: now,
        disconnection_reason: reason,
      };
    }
    // A call hung up early keeps the part of the script that fits its length.
    const lines = script(call);
    const share = early
      ? (now - call.startedAt) / Math.max(1, timings.endedMs - timings.startedMs)
      : 1;
    const said = lines.slice(
      0,
      Math.max(1, Math.min(lines.length, Math.ceil(share * lines.length))),
    );
    return {
      call_status: "ended",
      end_timestamp: now,
      duration_ms: now - call.startedAt,
      disconnection_reason: reason,
      transcript: said.map((l) => `${l.role === "agent" ? "Agent" : "User"}: ${l.content}`)
        .join("\n"),
      transcript_object: said.map((l) => ({ ...l, words: [] })),
    };
  }

  function finish(call: LiveCall, reason: string, early = false): Promise<void> {
    for (const timer of call.timers) clearTimeout(timer);
    live.delete(call.base.call_id);
    const final = ended(call, reason, early);
    const done = send(call, "call_ended", final);
    if (!call.startedAt) return done;
    const summary = call.lastUser
      ? `Simulated demo call following up on the chat about "${call.lastUser}".`
      : "Simulated demo call; the visitor had not chatted before.";
    const wait = Math.max(0, timings.analyzedMs - timings.endedMs);
    setTimeout(() => {
      send(call, "call_analyzed", { ...final, call_analysis: { call_summary: summary } });
    }, wait);
    return done;
  }

  return {
    startCall(input: CallStart): Promise<StartedCall> {
      const { call, session } = input;
      const retellCallId = `demo_call_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
      const state: LiveCall = {
        base: {
          call_id: retellCallId,
          call_type: call.kind === "web" ? "web_call" : "phone_call",
          call_status: "registered",
          metadata: {
            chatSessionId: session.id,
            callId: call.id,
            organizationId: session.organizationId,
          },
        },
        createdAt: Date.now(),
        lastUser: lastUserLine(input.chatTranscript),
        kind: call.kind,
        deliver: input.deliver,
        timers: [],
      };
      live.set(retellCallId, state);
      state.timers.push(
        setTimeout(() => {
          state.startedAt = Date.now();
          send(state, "call_started", { call_status: "ongoing", start_timestamp: state.startedAt });
        }, timings.startedMs),
        setTimeout(() => finish(state, "agent_hangup"), timings.endedMs),
      );
      return Promise.resolve({
        retellCallId,
        ...(call.kind === "web" ? { accessToken: `demo_web_${crypto.randomUUID()}` } : {}),
      });
    },

    async stopCall(call: CallRow, deliver: DeliverCallEvent): Promise<void> {
      const state = call.retellCallId ? live.get(call.retellCallId) : undefined;
      if (state) return await finish(state, "user_hangup", true);
      // Not ours (another process, or a restart): close it as Retell would report it.
      await deliver({
        event: "call_ended",
        call: {
          call_id: call.retellCallId ?? `demo_call_${call.id}`,
          call_status: "ended",
          metadata: { callId: call.id },
          disconnection_reason: "user_hangup",
          end_timestamp: Date.now(),
        },
      });
    },
  };
}
