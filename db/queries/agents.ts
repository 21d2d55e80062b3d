/** @module Queries on agents, always scoped to an organization. */
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../client.ts";
import { agents } from "../schema.ts";

type AgentFields = {
  name: string;
  retellAgentId?: string | null;
  retellChatAgentId?: string | null;
  fromNumber?: string | null;
};

/** Creates an agent. */
export async function createAgent(db: Db, organizationId: string, input: AgentFields) {
  const [row] = await db.insert(agents).values({ organizationId, ...input }).returning();
  return row;
}

/** The organization's agents, oldest first. */
export function listAgents(db: Db, organizationId: string) {
  return db.select().from(agents).where(eq(agents.organizationId, organizationId))
    .orderBy(asc(agents.createdAt), asc(agents.id));
}

/** One agent of the organization, or undefined. */
export async function getAgent(db: Db, organizationId: string, id: string) {
  const [row] = await db.select().from(agents)
    .where(and(eq(agents.id, id), eq(agents.organizationId, organizationId))).limit(1);
  return row;
}

/** An agent by id alone: only for server-side paths that already proved the organization. */
export async function getAgentById(db: Db, id: string) {
  const [row] = await db.select().from(agents).where(eq(agents.id, id)).limit(1);
  return row;
}

/** Partial update; undefined when not the organization's. */
export async function updateAgent(
  db: Db,
  organizationId: string,
  id: string,
  input: Partial<AgentFields>,
) {
  const [row] = await db.update(agents).set({ ...input, updatedAt: new Date() })
    .where(and(eq(agents.id, id), eq(agents.organizationId, organizationId))).returning();
  return row;
}

/** Deletes; true when a row of the organization was deleted. */
export async function deleteAgent(db: Db, organizationId: string, id: string) {
  const rows = await db.delete(agents)
    .where(and(eq(agents.id, id), eq(agents.organizationId, organizationId)))
    .returning({ id: agents.id });
  return rows.length > 0;
}
