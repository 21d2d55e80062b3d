/**
 * @module The one small interface every agent backend implements: the built-in offline demo agent
 * (`demo.ts`) and Retell through `retell-sdk` (`retell.ts`). `select.ts` picks one from the config.
 * Voice calls are `startCall`/`stopCall`; their events go to `calls/lifecycle.ts` (see `CallStart`).
 */
import type { AgentRow, CallRow, SessionRow } from "../db/schema.ts";
import type { CallEvent } from "./call_event.ts";

/**
 * Records the backend's chat for the session unless another request recorded one first
 * (compare-and-set on `previous`); resolves to the chat id that won.
 */
export type ClaimChat = (chatId: string, previous: string | null) => Promise<string | null>;

/** What the agent is asked to answer. */
export interface ReplyInput {
  agent: AgentRow;
  session: SessionRow;
  content: string;
  /** Retell dynamic variables of the chat (`conversations/agent_variables.ts`). */
  variables?: Record<string, string>;
  /** How the backend remembers its chat (`chat_sessions.retell_chat_id`) without a database. */
  claimChat: ClaimChat;
}

/** The agent's answer: the text to show, empty when the backend said nothing to show. */
export interface AgentReply {
  content: string;
  /** An action the reply offers the visitor: "handoff" shows a "Talk to a person" button. */
  offer?: "handoff";
}

/** Hands a call event (Retell's webhook payload shape) to the call lifecycle. */
export type DeliverCallEvent = (event: CallEvent) => Promise<void>;

/** What a backend needs to place a call (`call.kind`: phone or web). */
export interface CallStart {
  agent: AgentRow;
  session: SessionRow;
  /** Our `connecting` row: its id travels in Retell's metadata so webhooks find it. */
  call: CallRow;
  /** The chat so far ("User: …\nAgent: …", newest kept) for the voice agent. */
  chatTranscript: string;
  /** Retell dynamic variables of the conversation (page context, verified visitor). */
  variables?: Record<string, string>;
  /** Where a backend without webhooks (the demo) sends the call's events. */
  deliver: DeliverCallEvent;
}

/** A call the backend accepted. */
export interface StartedCall {
  retellCallId: string;
  /** Browser calls: the token `RetellWebClient.startCall` takes. */
  accessToken?: string;
}

/** An agent backend. Failures are `HttpError`s (502 `retell_failed`, 409 for a misconfiguration). */
export interface Agent {
  readonly kind: "demo" | "retell";
  reply(input: ReplyInput): Promise<AgentReply>;
  /** Ends whatever the backend keeps for the session (a Retell chat). */
  endChat(session: SessionRow): Promise<void>;
  /** Places a phone call or creates a browser call. */
  startCall(input: CallStart): Promise<StartedCall>;
  /**
   * Asks the backend to hang up. The final state arrives as a `call_ended` event; when the
   * backend has no such call any more, the backend delivers that event itself.
   */
  stopCall(call: CallRow, deliver: DeliverCallEvent): Promise<void>;
}
