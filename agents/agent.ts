/**
 * @module The one small interface every agent backend implements: the built-in offline demo agent
 * (`demo.ts`) and Retell through `retell-sdk` (`retell.ts`). `select.ts` picks one from the config.
 * Voice calls will join this interface as `startCall`/`endCall`.
 */
import type { AgentRow, SessionRow } from "../db/schema.ts";

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
  /** How the backend remembers its chat (`chat_sessions.retell_chat_id`) without a database. */
  claimChat: ClaimChat;
}

/** The agent's answer: the text to show, empty when the backend said nothing to show. */
export interface AgentReply {
  content: string;
}

/** An agent backend. Failures are `HttpError`s (502 `retell_failed`, 409 for a misconfiguration). */
export interface Agent {
  readonly kind: "demo" | "retell";
  reply(input: ReplyInput): Promise<AgentReply>;
  /** Ends whatever the backend keeps for the session (a Retell chat). */
  endChat(session: SessionRow): Promise<void>;
}
