/**
 * @module The budgets of SPEC v2.1: what a call, a message, a new visitor and an agent reply cost,
 * counted under keys a caller cannot reset by minting visitors (the client address, the number
 * called, the widget, the organization). Per-address budgets are counted per organization, so the
 * visitors of one site behind a shared address cannot use up another site's budget.
 */
import type { Actor } from "../lib/auth.ts";
import { log } from "../lib/log.ts";
import type { RateLimits, Spend } from "./rate_limit.ts";

/** The one key of an actor: a visitor of a widget, or an admin. */
export function actorKey(actor: Actor): string {
  return actor.kind === "admin"
    ? `admin:${actor.admin.userId}`
    : `${actor.visitor.widgetId}:${actor.visitor.visitorId}`;
}

/** What a call is charged to. */
export interface CallCharge {
  actor: Actor;
  organizationId: string;
  widgetId: string | null;
  address: string;
  /** E.164, for a phone call. */
  phoneNumber: string | null;
}

/** Every budget one call spends, in the order they are checked. */
export function callSpends(charge: CallCharge): Spend[] {
  const spends: Spend[] = [
    ["callsPerVisitor", actorKey(charge.actor)],
    ["callsPerAddress", `${charge.organizationId}:${charge.address}`],
  ];
  if (charge.phoneNumber) {
    // Counted across every organization: one person must not be rung again and again.
    spends.push(["callsPerNumberHourly", charge.phoneNumber]);
    spends.push(["callsPerNumberDaily", charge.phoneNumber]);
  }
  if (charge.widgetId) spends.push(["callsPerWidget", charge.widgetId]);
  spends.push(["callsPerOrganization", charge.organizationId]);
  return spends;
}

/** Spends a call's budgets (before Retell is asked); throws the 429 of the first one met. */
export async function spendCall(limits: RateLimits, charge: CallCharge): Promise<Spend[]> {
  const spends = callSpends(charge);
  try {
    await limits.consumeAll(spends);
  } catch (err) {
    log.info("call budget met", { organizationId: charge.organizationId, error: String(err) });
    throw err;
  }
  return spends;
}

/** Gives a call's budgets back: the call was refused before Retell was asked (conflict). */
export async function refundCall(limits: RateLimits, spends: readonly Spend[]): Promise<void> {
  await Promise.all(spends.map(([name, key]) => limits.refund(name, key)));
}

/** Spends a message's budgets: per visitor and per client address. */
export function spendMessage(
  limits: RateLimits,
  input: { actor: Actor; organizationId: string; address: string },
): Promise<void> {
  return limits.consumeAll([
    ["messagesPerVisitor", actorKey(input.actor)],
    ["messagesPerAddress", `${input.organizationId}:${input.address}`],
  ]);
}

/** Spends a new visitor from a client address (resuming a visitor costs nothing). */
export function spendNewVisitor(
  limits: RateLimits,
  input: { organizationId: string; address: string },
): Promise<void> {
  return limits.consume("newVisitors", `${input.organizationId}:${input.address}`);
}

/**
 * Spends one agent reply of the organization's daily budget; false when it is met, and then the
 * agent is not asked at all.
 */
export async function spendAgentReply(
  limits: RateLimits,
  organizationId: string,
): Promise<boolean> {
  try {
    await limits.consume("agentReplies", organizationId);
    return true;
  } catch (err) {
    if ((err as { status?: number }).status !== 429) throw err;
    log.warn("agent reply budget met", { organizationId });
    return false;
  }
}
