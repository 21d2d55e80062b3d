/**
 * @module Storing a visitor's (or admin's) message and asking the agent. The user message is
 * stored and published first, then the agent is asked outside any transaction, so a failing agent
 * loses nothing; a `clientMessageId` makes a retry store nothing twice and never ask twice.
 */
import type { Deps } from "../context.ts";
import type { Actor } from "../lib/auth.ts";
import { HttpError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { toMessage } from "../db/wire.ts";
import type { Db } from "../db/client.ts";
import type { MessageRow, User } from "../db/schema.ts";
import { claimRetellChat } from "../db/queries/sessions.ts";
import {
  findMessageByClientId,
  hasFailedReply,
  insertMessage,
  insertMessageOnce,
  replyKey,
} from "../db/queries/messages.ts";
import { event } from "../contract/events.ts";
import { emitMessagesCreated } from "../webhooks/enqueue.ts";
import { publishMessage } from "../hub/hub.ts";
import { assertMayChat, type Conversation } from "./access.ts";
import { agentVariables } from "./agent_variables.ts";
import { postHumanReply } from "./people.ts";
import { systemText } from "../lib/system_text.ts";
import { spendAgentReply, spendMessage } from "../limits/budgets.ts";

const UNAVAILABLE_REPLY =
  "The assistant is unavailable right now. Your message was kept; please try again later.";

/** A text message as the client sent it (validated by the route). */
export interface MessageInput {
  content: string;
  metadata?: Record<string, unknown>;
  clientMessageId?: string;
  /** The client's address, for the budget per address (SPEC v2.1). */
  address?: string;
}

/** What sending did: the stored user message, the agent's reply (if any), and whether it is new. */
export interface SentMessage {
  userMessage: MessageRow;
  agentMessage: MessageRow | null;
  created: boolean;
}

/**
 * Sends the actor's message in the conversation and asks the agent. A retry (same
 * `clientMessageId`) returns what is stored and asks again only when the first answer failed; an
 * ended session still answers a retry of a message sent before the end, and refuses new ones.
 * An admin's message is `person`'s reply to the visitor (the AI stays out); while a person
 * handles the conversation, a visitor's message waits for them instead of the agent.
 */
export async function sendMessage(
  deps: Deps,
  actor: Actor,
  conversation: Conversation,
  input: MessageInput,
  person?: User,
): Promise<SentMessage> {
  const db = deps.database.db;
  const { session } = conversation;
  assertMayChat(actor, conversation);
  await spendMessage(deps.rateLimits, {
    actor,
    organizationId: session.organizationId,
    address: input.address ?? "unknown",
  });

  if (session.status === "ended") {
    const stored = input.clientMessageId &&
      await findMessageByClientId(db, session.id, input.clientMessageId);
    if (!stored) throw new HttpError(409, "conflict", "This session has ended");
    const reply = await findMessageByClientId(db, session.id, replyKey(stored.id));
    return { userMessage: stored, agentMessage: reply ?? null, created: false };
  }

  if (actor.kind === "admin") {
    if (!person) throw new HttpError(401, "unauthorized", "This account no longer exists");
    const { message, created } = await postHumanReply(
      { db, hub: deps.hub },
      session,
      person,
      input,
    );
    return { userMessage: message, agentMessage: null, created };
  }

  const fields = {
    sessionId: session.id,
    senderType: "user" as const,
    messageType: "text" as const,
    content: input.content,
    metadata: input.metadata ?? {},
  };
  let user: MessageRow, created = true;
  if (input.clientMessageId) {
    ({ row: user, created } = await insertMessageOnce(db, {
      ...fields,
      clientMessageId: input.clientMessageId,
    }));
  } else {
    user = await insertMessage(db, fields);
  }

  if (created) {
    await announce(deps, conversation, user);
    // A person handles the conversation: the visitor's message is theirs to answer.
    if (session.handler === "human") return { userMessage: user, agentMessage: null, created };
  } else {
    const reply = await findMessageByClientId(db, session.id, replyKey(user.id));
    // Answered already, or still being answered by the first request: never ask twice.
    if (reply || !await hasFailedReply(db, session.id, user.id)) {
      return { userMessage: user, agentMessage: reply ?? null, created };
    }
    // The first attempt failed and the client retries: asking again is what it wants.
  }
  const agentMessage = await answer(deps, conversation, user);
  return { userMessage: user, agentMessage, created };
}

/**
 * A newly stored message goes to the session's sockets and, when the session's load found an
 * endpoint that takes `message.created`, to the webhook queue: an endpoint added while this
 * request runs hears from the next message on (a statement per stored message saved for the many
 * organizations without webhooks).
 */
async function announce(deps: Deps, conversation: Conversation, row: MessageRow): Promise<void> {
  if (conversation.messageWebhooks) {
    await emitMessagesCreated(deps.database.db, conversation.session, [row]);
  }
  await publishMessage(deps.hub, row);
}

/**
 * Asks the agent to answer a stored user message: typing indicators around the call, the reply
 * stored once (keyed `reply:<userMessageId>`) and published. On failure a system message says so,
 * and the error carries the stored user message so the client can show it was kept.
 */
async function answer(
  deps: Deps,
  conversation: Conversation,
  user: MessageRow,
): Promise<MessageRow | null> {
  const { hub } = deps;
  const db: Db = deps.database.db;
  // The organization's own Retell account (or the demo): never another organization's.
  const agent = await deps.tenants.agentFor(
    db,
    conversation.session.organizationId,
    deps.agent,
    conversation.retellKey,
  );
  const { session } = conversation;
  // Over the organization's daily reply budget the agent is not asked: the visitor reads why.
  if (!await spendAgentReply(deps.rateLimits, session.organizationId)) {
    const { row, created } = await insertMessageOnce(db, {
      sessionId: session.id,
      senderType: "system",
      messageType: "system",
      content: UNAVAILABLE_REPLY,
      metadata: { replyTo: user.id, error: "agent_reply_budget" },
      clientMessageId: replyKey(user.id),
    });
    if (created) await publishMessage(hub, row);
    return row;
  }
  await hub.publish(session.id, event({ type: "typing:start", senderId: "agent" }));
  try {
    const reply = await agent.reply({
      agent: conversation.agent,
      session,
      content: user.content,
      variables: agentVariables(session),
      claimChat: (chatId, previous) => claimRetellChat(db, session.id, chatId, previous),
    });
    if (!reply.content.trim()) return null;
    const { row, created } = await insertMessageOnce(db, {
      sessionId: session.id,
      senderType: "agent",
      messageType: "text",
      content: reply.content,
      metadata: { replyTo: user.id, ...(reply.offer ? { offer: reply.offer } : {}) },
      clientMessageId: replyKey(user.id),
    });
    if (created) {
      await announce(deps, conversation, row);
    }
    return row;
  } catch (err) {
    const failure = err instanceof HttpError
      ? err
      : new HttpError(502, "retell_failed", "The agent could not answer", { cause: err });
    log.warn("agent reply failed", {
      sessionId: session.id,
      agent: agent.kind,
      status: failure.status,
      error: String(err),
    });
    const system = await insertMessage(db, {
      sessionId: session.id,
      senderType: "system",
      messageType: "system",
      content: systemText(session.metadata).agentFailed,
      metadata: { replyTo: user.id, error: failure.code },
    });
    await announce(deps, conversation, system);
    throw new HttpError(failure.status, failure.code, failure.message, {
      cause: err,
      details: { userMessage: toMessage(user) },
    });
  } finally {
    await hub.publish(session.id, event({ type: "typing:stop", senderId: "agent" }));
  }
}
