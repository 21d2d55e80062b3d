/**
 * @module Who may act on a session. A visitor token acts on that visitor's own sessions of its
 * widget, and only while the widget is active; an admin token on its organization's sessions.
 * A session outside the actor's scope is a 404, never a 403 that would confirm it exists.
 */
import type { Actor } from "../lib/auth.ts";
import { HttpError, notFound } from "../lib/errors.ts";
import type { VisitorClaims } from "../lib/tokens.ts";
import type { Db } from "../db/client.ts";
import type { WidgetRow } from "../db/schema.ts";
import {
  findSessionWithWidgetAndAgent,
  type SessionScope,
  type SessionWithWidgetAndAgent,
} from "../db/queries/sessions.ts";
import { getWidgetById } from "../db/queries/widgets.ts";

/** A session an actor may see, with its widget and agent (loaded together, in one query). */
export type Conversation = SessionWithWidgetAndAgent;

/** What the actor may see. */
export function scopeOf(actor: Actor): SessionScope {
  return actor.kind === "admin" ? { organizationId: actor.organizationId } : {
    organizationId: actor.organizationId,
    visitor: { widgetId: actor.visitor.widgetId, visitorId: actor.visitor.visitorId },
  };
}

/** The session `id` with its widget and agent, if the actor may see it; else a 404. */
export async function loadConversation(db: Db, actor: Actor, id: string): Promise<Conversation> {
  const found = await findSessionWithWidgetAndAgent(db, scopeOf(actor), id);
  if (!found) throw notFound("session", id.slice(0, 100));
  return found;
}

/** A conversation of the organization, for its team's inbox; else a 404. */
export async function loadOrganizationConversation(
  db: Db,
  organizationId: string,
  id: string,
): Promise<Conversation> {
  const found = await findSessionWithWidgetAndAgent(db, { organizationId }, id);
  if (!found) throw notFound("conversation", id.slice(0, 100));
  return found;
}

/**
 * A visitor may chat, call or listen only while their widget exists and is active (an owner
 * switching a widget off stops its visitors at once, whatever their tokens say).
 */
export function assertWidgetActive(
  visitor: VisitorClaims,
  widget: WidgetRow | null | undefined,
): WidgetRow {
  if (!widget || widget.organizationId !== visitor.organizationId) {
    throw notFound("widget", visitor.widgetId);
  }
  if (!widget.isActive) throw new HttpError(403, "forbidden", "This widget is not active");
  return widget;
}

/** `assertWidgetActive` for an actor on a loaded conversation; admins are not bound by widgets. */
export function assertMayChat(actor: Actor, conversation: Conversation): void {
  if (actor.kind === "visitor") assertWidgetActive(actor.visitor, conversation.widget);
}

/** The visitor's widget, which must still exist and be active (before any session exists). */
export async function activeVisitorWidget(db: Db, visitor: VisitorClaims): Promise<WidgetRow> {
  return assertWidgetActive(visitor, await getWidgetById(db, visitor.widgetId));
}

/** Whose budget a request spends: one visitor of one widget, or one admin. */
export function limitKey(actor: Actor): string {
  return actor.kind === "admin"
    ? `admin:${actor.admin.userId}`
    : `${actor.visitor.widgetId}:${actor.visitor.visitorId}`;
}
