/** @module Queries on widget configurations, scoped to an organization except the public lookup. */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { widgetConfigurations } from "../schema.ts";
import type { WidgetCreate } from "../../contract/requests.ts";

/** Creates a widget configuration. */
export async function createWidget(db: Db, organizationId: string, input: WidgetCreate) {
  const [row] = await db.insert(widgetConfigurations).values({ organizationId, ...input })
    .returning();
  return row;
}

/** A widget of the organization, or undefined. */
export async function getWidget(db: Db, organizationId: string, id: string) {
  const [row] = await db.select().from(widgetConfigurations)
    .where(
      and(eq(widgetConfigurations.id, id), eq(widgetConfigurations.organizationId, organizationId)),
    )
    .limit(1);
  return row;
}

/** A widget by its public id (embed routes). */
export async function getWidgetById(db: Db, id: string) {
  const [row] = await db.select().from(widgetConfigurations)
    .where(eq(widgetConfigurations.id, id)).limit(1);
  return row;
}

/** The organization's widgets, oldest first. */
export function listWidgets(db: Db, organizationId: string) {
  return db.select().from(widgetConfigurations)
    .where(eq(widgetConfigurations.organizationId, organizationId))
    .orderBy(asc(widgetConfigurations.createdAt), asc(widgetConfigurations.id));
}

/** Partial update; undefined when not the organization's. */
export async function updateWidget(
  db: Db,
  organizationId: string,
  id: string,
  input: Partial<WidgetCreate>,
) {
  const [row] = await db.update(widgetConfigurations).set({ ...input, updatedAt: new Date() })
    .where(
      and(eq(widgetConfigurations.id, id), eq(widgetConfigurations.organizationId, organizationId)),
    )
    .returning();
  return row;
}

/** Deletes; true when a row of the organization was deleted. */
export async function deleteWidget(db: Db, organizationId: string, id: string) {
  const rows = await db.delete(widgetConfigurations)
    .where(
      and(eq(widgetConfigurations.id, id), eq(widgetConfigurations.organizationId, organizationId)),
    )
    .returning({ id: widgetConfigurations.id });
  return rows.length > 0;
}
