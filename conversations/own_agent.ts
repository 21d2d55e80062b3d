/**
 * @module The rule "the agent must be yours": a widget or an admin's session may only name an
 * agent of the same organization. Every place that accepts an agent id asks here.
 */
import { HttpError } from "../lib/errors.ts";
import type { Db } from "../db/client.ts";
import type { AgentRow } from "../db/schema.ts";
import { getAgent } from "../db/queries/agents.ts";

/** The organization's agent `agentId`, or undefined when it is not theirs (or does not exist). */
export async function findOwnAgent(
  db: Db,
  organizationId: string,
  agentId: string,
): Promise<AgentRow | undefined> {
  return await getAgent(db, organizationId, agentId);
}

/** The 400 of a body whose `agentId` is not one of the organization's agents. */
export function notYourAgent(agentId: string): HttpError {
  return new HttpError(400, "validation_failed", "Invalid body", {
    details: [{ path: "agentId", message: `Cannot find agent "${agentId}"` }],
  });
}

/** Throws `notYourAgent` unless `agentId` (when given) is one of the organization's agents. */
export async function assertOwnAgent(
  db: Db,
  organizationId: string,
  agentId: string | undefined,
): Promise<void> {
  if (agentId !== undefined && !await findOwnAgent(db, organizationId, agentId)) {
    throw notYourAgent(agentId);
  }
}
