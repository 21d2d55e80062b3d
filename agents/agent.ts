/**
 * @module The one small interface every agent backend implements: the built-in offline demo agent
 * (`demo.ts`) and Retell through `retell-sdk` (`retell.ts`).
 */
import type { AgentRow, SessionRow } from "../db/schema.ts";

/** What the agent is asked to answer. */
export interface ReplyInput {
  agent: AgentRow;
  session: SessionRow;
  content: string;
}

/** The agent's answer; `retellChatId` is set when a Retell chat was created for the session. */
export interface AgentReply {
  content: string;
  retellChatId?: string;
}

/** An agent backend. */
export interface Agent {
  readonly kind: "demo" | "retell";
  reply(input: ReplyInput): Promise<AgentReply>;
  /** Ends whatever the backend keeps for the session (a Retell chat). */
  endChat(session: SessionRow): Promise<void>;
}
