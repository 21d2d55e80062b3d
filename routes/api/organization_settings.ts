/**
 * @module `PUT /api/organization`: the organization's own settings; today `retentionDays`
 * (SPEC v2.4), how long a conversation may stay untouched before the retention job deletes it.
 */
import { Hono } from "hono";
import { OrganizationUpdateSchema } from "../../contract/requests.ts";
import type { AppEnv } from "../../context.ts";
import { adminOf } from "../../lib/auth.ts";
import { MANAGERS, requireRole } from "../../team/guard.ts";
import { notFound } from "../../lib/errors.ts";
import { getOrganization, setRetentionDays } from "../../db/queries/retention.ts";
import { doc } from "../../lib/openapi.ts";
import { OrganizationSettingsSchema } from "../../contract/responses.ts";

export const organizationSettingsRoutes = new Hono<AppEnv>()
  .put(
    "/",
    requireRole(...MANAGERS),
    doc({
      summary: "Change the organization's settings",
      auth: "admin",
      body: OrganizationUpdateSchema,
      responses: { 200: OrganizationSettingsSchema },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { organizationId } = adminOf(c);
      const row = body.retentionDays !== undefined
        ? await setRetentionDays(c.var.db, organizationId, body.retentionDays)
        : await getOrganization(c.var.db, organizationId);
      if (!row) throw notFound("organization", organizationId);
      return c.json({
        id: row.id,
        name: row.name,
        retentionDays: row.retentionDays,
        createdAt: row.createdAt.toISOString(),
      });
    },
  );
