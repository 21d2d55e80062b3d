/**
 * @module The Retell dynamic variables of a conversation (chats and calls): the page context, and
 * who the visitor is only when the host vouched for it. A visitor can type any name into a form or
 * `setContext`, so unverified values never reach the agent as `customer_*`.
 */
import type { SessionRow } from "../db/schema.ts";
import { contextOf } from "./page_context.ts";

/** Variables Parley sets itself; a page's context can never stand in for them. */
const RESERVED = /^(customer_|chat_)/;

/** The dynamic variables the agent's prompt can use for this session. */
export function agentVariables(session: SessionRow): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [key, value] of Object.entries(contextOf(session.metadata ?? {}))) {
    if (!RESERVED.test(key)) vars[key] = value;
  }
  vars.chat_session_id = session.id;
  if (session.visitorVerified) {
    // The visitor's id as sessions show it: "u_" + the host's user id.
    vars.customer_id = session.visitorId;
    if (session.visitorName) vars.customer_name = session.visitorName;
    if (session.visitorEmail) vars.customer_email = session.visitorEmail;
    if (session.visitorPhone) vars.customer_phone = session.visitorPhone;
  }
  return vars;
}
