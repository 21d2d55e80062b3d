/** @module `/api/agents`: the organization's agents. */
import { Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { adminOf } from "../../lib/auth.ts";
import { MANAGERS, requireRole } from "../../team/guard.ts";
import { notFound } from "../../lib/errors.ts";
import { idParam } from "../../lib/validate.ts";
import { AgentCreateSchema, AgentUpdateSchema } from "../../contract/requests.ts";
import { toAgent } from "../../db/wire.ts";
import { checkAgentResources } from "../../agents/tenancy.ts";
import {
  createAgent,
  deleteAgent,
  getAgent,
  listAgents,
  updateAgent,
} from "../../db/queries/agents.ts";
import { doc } from "../../lib/openapi.ts";
import { AgentSchema } from "../../contract/wire.ts";
import { AgentListSchema } from "../../contract/responses.ts";

export const agentRoutes = new Hono<AppEnv>()
  .use(requireRole(...MANAGERS))
  .post(
    "/",
    doc({
      summary: "Create an agent",
      auth: "admin",
      body: AgentCreateSchema,
      responses: { 201: AgentSchema },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { organizationId } = adminOf(c);
      await checkAgentResources(c.var.deps, organizationId, body);
      const row = await createAgent(c.var.db, organizationId, body);
      return c.json(toAgent(row), 201);
    },
  )
  .get(
    "/",
    doc({
      summary: "List the organization's agents",
      auth: "admin",
      responses: { 200: AgentListSchema },
    }),
    async (c) => {
      const rows = await listAgents(c.var.db, adminOf(c).organizationId);
      return c.json({ agents: rows.map(toAgent) });
    },
  )
  .get(
    "/:id",
    doc({ summary: "Read an agent", auth: "admin", responses: { 200: AgentSchema } }),
    async (c) => {
      const id = idParam(c, "agent");
      const row = await getAgent(c.var.db, adminOf(c).organizationId, id);
      if (!row) throw notFound("agent", id);
      return c.json(toAgent(row));
    },
  )
  .put(
    "/:id",
    doc({
      summary: "Change an agent (partial)",
      auth: "admin",
      body: AgentUpdateSchema,
      responses: { 200: AgentSchema },
    }),
    async (c) => {
      const id = idParam(c, "agent");
      const body = c.req.valid("json");
      const { organizationId } = adminOf(c);
      await checkAgentResources(c.var.deps, organizationId, body);
      const row = await updateAgent(c.var.db, organizationId, id, body);
      if (!row) throw notFound("agent", id);
      return c.json(toAgent(row));
    },
  )
  .delete(
    "/:id",
    doc({ summary: "Delete an agent", auth: "admin", responses: { 204: null } }),
    async (c) => {
      const id = idParam(c, "agent");
      if (!await deleteAgent(c.var.db, adminOf(c).organizationId, id)) throw notFound("agent", id);
      return c.body(null, 204);
    },
  );
