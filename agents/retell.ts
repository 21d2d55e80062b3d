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
import type { CallRow, SessionRow } from "../db/schema.ts";
import { CallEventSchema } from "./call_event.ts";
import type {
  Agent,
  AgentReply,
  CallStart,
  DeliverCallEvent,
  ReplyInput,
  StartedCall,
} from "./agent.ts";

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
    input: ReplyInput,
    previous: string | null,
  ): Promise<string> {
    const { agent, session, claimChat: claim } = input;
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
        retell_llm_dynamic_variables: input.variables,
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
      pending = createChat(input, previous)
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
    ...retellCalls(client),
  };
}

/** `/v2/create-web-call`'s answer (the part used). */
interface WebCallResponse {
  call_id?: unknown;
  access_token?: unknown;
}

const conflict = (message: string) => new HttpError(409, "conflict", message);

/** A Retell id we can store (`calls.retell_call_id` is 100 characters). */
function callIdOf(value: unknown): string {
  if (typeof value === "string" && value.length > 0 && value.length <= 100) return value;
  throw new HttpError(502, "retell_failed", "Could not start the call: Retell sent no call id");
}

/**
 * Voice calls: phone calls with `call.createPhoneCall`, browser calls with `POST
 * /v2/create-web-call` (the v3 route's gateway token does not work with retell-client-js-sdk
 * 2.0.8, RETELL.md §5), hang-up with `call.stop`. Creation is never retried: Retell has no
 * idempotency key, and a retried phone call could ring twice.
 */
function retellCalls(client: Retell): Pick<Agent, "startCall" | "stopCall"> {
  return {
    async startCall(input: CallStart): Promise<StartedCall> {
      const { agent, session, call } = input;
      if (!agent.retellAgentId) {
        throw conflict(
          `Agent "${agent.name}" has no Retell voice agent id; set retellAgentId to take calls`,
        );
      }
      // Retell's metadata and dynamic variables: the webhook finds the call by `callId`, and the
      // agent's prompt can use {{chat_transcript}} to pick up where the chat left off.
      const metadata = {
        chatSessionId: session.id,
        callId: call.id,
        organizationId: session.organizationId,
      };
      const variables = {
        ...input.variables,
        chat_transcript: input.chatTranscript,
        chat_session_id: session.id,
        ...(call.phoneNumber ? { customer_phone_number: call.phoneNumber } : {}),
      };
      if (call.kind === "phone") {
        if (!agent.fromNumber) {
          throw conflict(
            `Agent "${agent.name}" has no number to call from; set fromNumber to place phone calls`,
          );
        }
        try {
          const res = await client.call.createPhoneCall({
            from_number: agent.fromNumber,
            to_number: call.phoneNumber!,
            override_agent_id: agent.retellAgentId,
            metadata,
            retell_llm_dynamic_variables: variables,
          }, { maxRetries: 0 });
          return { retellCallId: callIdOf(res?.call_id) };
        } catch (err) {
          throw retellFailure(err, "place the phone call");
        }
      }
      let res: WebCallResponse;
      try {
        res = await client.post<WebCallResponse>("/v2/create-web-call", {
          body: {
            agent_id: agent.retellAgentId,
            metadata,
            retell_llm_dynamic_variables: variables,
          },
          maxRetries: 0,
        });
      } catch (err) {
        throw retellFailure(err, "start the browser call");
      }
      const retellCallId = callIdOf(res?.call_id);
      if (typeof res.access_token !== "string" || !res.access_token) {
        throw new HttpError(502, "retell_failed", "Could not start the call: Retell sent no token");
      }
      return { retellCallId, accessToken: res.access_token };
    },

    async stopCall(call: CallRow, deliver: DeliverCallEvent): Promise<void> {
      const id = call.retellCallId;
      if (!id) return;
      try {
        await client.call.stop(id);
        return;
      } catch (err) {
        if (!isRetellNotFound(err)) throw retellFailure(err, "end the call");
      }
      // Retell no longer has it live: take its final state from get-call, or close it as is.
      log.info("retell call already gone, closing it", { callId: call.id, retellCallId: id });
      let final: unknown;
      try {
        final = await client.call.retrieve(id);
      } catch (err) {
        if (!isRetellNotFound(err)) throw retellFailure(err, "end the call");
      }
      const parsed = CallEventSchema.safeParse({ event: "call_ended", call: final });
      await deliver(
        parsed.success &&
          ["ended", "error", "not_connected"].includes(parsed.data.call.call_status!)
          ? parsed.data
          : {
            event: "call_ended",
            call: {
              call_id: id,
              call_status: "ended",
              metadata: { callId: call.id },
              disconnection_reason: "manual_stopped",
              end_timestamp: Date.now(),
            },
          },
      );
    },
  };
}
