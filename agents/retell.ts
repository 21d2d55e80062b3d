/**
 * @module The Retell agent, only through `retell-sdk`: one Retell chat per session, created on the
 * first message and remembered in `chat_sessions.retell_chat_id`; one chat completion per user
 * message; the chat ended with the session. Every failure becomes a 502 `retell_failed`.
 */
import Retell, {
  APIError,
  NotFoundError,
  RateLimitError,
  UnprocessableEntityError,
} from "retell-sdk";
import { HttpError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import type { AgentRow, SessionRow } from "../db/schema.ts";
import type { Agent, AgentReply, ClaimChat, ReplyInput } from "./agent.ts";

/** How to reach Retell. */
export interface RetellOptions {
  apiKey: string;
  baseUrl?: string;
  /** Per attempt, in ms. */
  timeoutMs: number;
  /** Retries of idempotent requests, and of completions Retell refused with 429. */
  maxRetries: number;
  sleep?: (ms: number) => Promise<void>;
}

/** A configured `retell-sdk` client (the voice paths share it). */
export function createRetellClient(options: RetellOptions): Retell {
  return new Retell({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    logLevel: "off",
  });
}

/** True for Retell's "no such chat/call/agent" (documented as 422, sometimes 404). */
export function isRetellNotFound(err: unknown): boolean {
  return err instanceof NotFoundError || err instanceof UnprocessableEntityError;
}

/** Any Retell failure as the 502 clients see; the cause is kept for the log, not the client. */
export function retellFailure(err: unknown, action: string): HttpError {
  if (err instanceof HttpError) return err;
  const status = err instanceof APIError ? err.status : undefined;
  const why = status
    ? `Retell answered ${status}`
    : "Retell did not answer in time or could not be reached";
  return new HttpError(502, "retell_failed", `Could not ${action}: ${why}`, { cause: err });
}

/** The wait Retell asked for (`retry-after-ms`, then `retry-after` seconds), within bounds. */
function retryDelay(err: APIError, attempt: number): number {
  const ms = Number(err.headers?.get("retry-after-ms"));
  if (Number.isFinite(ms) && ms >= 0) return Math.min(ms, 5_000);
  const seconds = Number(err.headers?.get("retry-after"));
  if (Number.isFinite(seconds) && seconds >= 0) return Math.min(seconds * 1000, 5_000);
  return Math.min(500 * 2 ** attempt, 4_000);
}

/** The Retell agent with its client (exposed for the voice paths and tests). */
export interface RetellAgent extends Agent {
  readonly kind: "retell";
  readonly client: Retell;
}

/** Creates the Retell agent. */
export function createRetellAgent(options: RetellOptions): RetellAgent {
  const client = createRetellClient(options);
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  /** Chat creations in flight per session, so two quick messages in this process share one. */
  const creating = new Map<string, Promise<string>>();
  /**
   * Chats this process created or adopted, for requests that loaded their session just before the
   * chat id was stored. Bounded; the database stays the source of truth (`claimChat`).
   */
  const known = new Map<string, string>();
  const remember = (sessionId: string, chatId: string) => {
    known.delete(sessionId);
    known.set(sessionId, chatId);
    if (known.size > 10_000) known.delete(known.keys().next().value!);
  };

  async function createChat(
    agent: AgentRow,
    session: SessionRow,
    claim: ClaimChat,
    previous: string | null,
  ): Promise<string> {
    let chatId: string;
    try {
      const chat = await client.chat.create({
        agent_id: agent.retellChatAgentId!,
        metadata: {
          chatSessionId: session.id,
          organizationId: session.organizationId,
          widgetId: session.widgetId,
          visitorId: session.visitorId,
          parleyAgentId: agent.id,
        },
      });
      chatId = chat.chat_id;
    } catch (err) {
      throw retellFailure(err, "start a Retell chat");
    }
    const winner = await claim(chatId, previous);
    if (winner && winner !== chatId) {
      // Another process created one first: use that one and close ours.
      client.chat.end(chatId).catch(() => {});
      return winner;
    }
    return chatId;
  }

  function ensureChat(input: ReplyInput, previous: string | null): Promise<string> {
    const key = input.session.id;
    let pending = creating.get(key);
    if (!pending) {
      pending = createChat(input.agent, input.session, input.claimChat, previous)
        .then((chatId) => (remember(key, chatId), chatId))
        .finally(() => creating.delete(key));
      creating.set(key, pending);
    }
    return pending;
  }

  /**
   * One completion. Never retried by the SDK: Retell has no idempotency key and a retried
   * completion could send the message twice. A 429 is retried here, since Retell refused it unseen.
   */
  async function complete(chatId: string, content: string): Promise<string> {
    for (let attempt = 0;; attempt++) {
      try {
        const res = await client.chat.createChatCompletion(
          { chat_id: chatId, content },
          { maxRetries: 0 },
        );
        // Tool calls and transitions carry no text for the visitor.
        return res.messages.flatMap((m) => m.role === "agent" && m.content ? [m.content] : [])
          .join("\n\n");
      } catch (err) {
        if (err instanceof RateLimitError && attempt < options.maxRetries) {
          await sleep(retryDelay(err, attempt));
          continue;
        }
        throw err;
      }
    }
  }

  /** True when the chat can no longer answer (Retell ends idle chats on its own). */
  async function chatIsOver(chatId: string): Promise<boolean> {
    try {
      const chat = await client.chat.retrieve(chatId);
      return chat.chat_status !== "ongoing";
    } catch (err) {
      if (isRetellNotFound(err)) return true;
      throw err;
    }
  }

  return {
    kind: "retell",
    client,
    async reply(input: ReplyInput): Promise<AgentReply> {
      if (!input.agent.retellChatAgentId) {
        throw new HttpError(
          409,
          "conflict",
          `Agent "${input.agent.name}" has no Retell chat agent id; set retellChatAgentId to chat by text`,
        );
      }
      let chatId = known.get(input.session.id) ?? input.session.retellChatId ??
        await ensureChat(input, null);
      try {
        return { content: await complete(chatId, input.content) };
      } catch (err) {
        const clientError = err instanceof APIError && err.status !== undefined &&
          err.status >= 400 && err.status < 500 && err.status !== 429;
        if (!clientError || !await chatIsOver(chatId).catch(() => false)) {
          throw retellFailure(err, "get the agent's reply");
        }
      }
      // The session's Retell chat has ended (idle timeout on Retell's side): start a new one.
      log.info("retell chat over, starting a new one", { sessionId: input.session.id, chatId });
      chatId = await ensureChat(input, chatId);
      try {
        return { content: await complete(chatId, input.content) };
      } catch (err) {
        throw retellFailure(err, "get the agent's reply");
      }
    },
    async endChat(session: SessionRow): Promise<void> {
      known.delete(session.id);
      if (!session.retellChatId) return;
      try {
        await client.chat.end(session.retellChatId);
      } catch (err) {
        if (isRetellNotFound(err)) return;
        throw retellFailure(err, "end the Retell chat");
      }
    },
  };
}
