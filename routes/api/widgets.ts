/** @module `/api/widgets`: widget configurations on the seed's routes. */
import { Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { adminOf } from "../../lib/auth.ts";
import { MANAGERS, requireRole } from "../../team/guard.ts";
import { HttpError, notFound } from "../../lib/errors.ts";
import { idParam } from "../../lib/validate.ts";
import {
  type WidgetCreate,
  WidgetCreateSchema,
  WidgetUpdateSchema,
} from "../../contract/requests.ts";
import { phoneCountriesProblem } from "../../calls/phone_policy.ts";
import { toWidget } from "../../db/wire.ts";
import {
  createWidget,
  deleteWidget,
  getWidget,
  listWidgets,
  updateWidget,
} from "../../db/queries/widgets.ts";
import { assertOwnAgent } from "../../conversations/own_agent.ts";
import { rotateIdentitySecret } from "../../conversations/identity.ts";
import { doc } from "../../lib/openapi.ts";
import { WidgetSchema } from "../../contract/wire.ts";
import { IdentitySecretSchema, WidgetListSchema } from "../../contract/responses.ts";

/**
 * A widget that offers phone calls must name the countries they may ring (SPEC v2.1), checked on
 * the widget as it will be saved. An update that touches neither field leaves an older widget as it
 * is: it places no phone call until its owner picks countries, and can still be renamed.
 */
function assertPhoneCountries(
  saved: Pick<WidgetCreate, "voiceMode" | "phoneCountries">,
  body: Partial<WidgetCreate>,
) {
  if (body.voiceMode === undefined && body.phoneCountries === undefined) return;
  const problem = phoneCountriesProblem(
    body.voiceMode ?? saved.voiceMode ?? "web",
    body.phoneCountries ?? saved.phoneCountries ?? [],
  );
  if (problem) {
    throw new HttpError(400, "validation_failed", "Invalid body", {
      details: [{ path: "phoneCountries", message: problem }],
    });
  }
}

export const widgetRoutes = new Hono<AppEnv>()
  .use(requireRole(...MANAGERS))
  .post(
    "/",
    doc({
      summary: "Create a widget",
      auth: "admin",
      body: WidgetCreateSchema,
      responses: { 201: WidgetSchema },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { organizationId } = adminOf(c);
      await assertOwnAgent(c.var.db, organizationId, body.agentId);
      assertPhoneCountries({}, body);
      return c.json(toWidget(await createWidget(c.var.db, organizationId, body)), 201);
    },
  )
  .get(
    "/organization/:orgId",
    doc({
      summary: "List the organization's widgets",
      auth: "admin",
      responses: { 200: WidgetListSchema },
    }),
    async (c) => {
      const { organizationId } = adminOf(c);
      // Another organization's list is as unknown to this admin as a list that does not exist.
      if (c.req.param("orgId") !== organizationId) {
        throw notFound("organization", c.req.param("orgId"));
      }
      const rows = await listWidgets(c.var.db, organizationId);
      return c.json({ widgets: rows.map(toWidget) });
    },
  )
  .get(
    "/:id",
    doc({ summary: "Read a widget", auth: "admin", responses: { 200: WidgetSchema } }),
    async (c) => {
      const id = idParam(c, "widget");
      const row = await getWidget(c.var.db, adminOf(c).organizationId, id);
      if (!row) throw notFound("widget", id);
      return c.json(toWidget(row));
    },
  )
  .put(
    "/:id",
    doc({
      summary: "Change a widget (partial)",
      auth: "admin",
      body: WidgetUpdateSchema,
      responses: { 200: WidgetSchema },
    }),
    async (c) => {
      const id = idParam(c, "widget");
      const body = c.req.valid("json");
      const { organizationId } = adminOf(c);
      const saved = await getWidget(c.var.db, organizationId, id);
      if (!saved) throw notFound("widget", id);
      await assertOwnAgent(c.var.db, organizationId, body.agentId);
      assertPhoneCountries(saved, body);
      const row = await updateWidget(c.var.db, organizationId, id, body);
      if (!row) throw notFound("widget", id);
      // Its visitors' sockets close now (4403), in every process; their REST calls then get 403.
      if (!row.isActive) await c.var.deps.hub.closeWidget(row.id);
      return c.json(toWidget(row));
    },
  )
  // A new identity secret each time, shown once; the old one stops verifying at once.
  .post(
    "/:id/identity-secret",
    doc({
      summary: "Generate a new identity secret (shown once)",
      auth: "admin",
      responses: { 201: IdentitySecretSchema },
    }),
    async (c) => {
      const id = idParam(c, "widget");
      if (!await getWidget(c.var.db, adminOf(c).organizationId, id)) throw notFound("widget", id);
      const secret = await rotateIdentitySecret(c.var.db, c.var.config, id);
      c.header("Cache-Control", "no-store");
      return c.json({ secret }, 201);
    },
  )
  .delete(
    "/:id",
    doc({ summary: "Delete a widget", auth: "admin", responses: { 204: null } }),
    async (c) => {
      const id = idParam(c, "widget");
      if (!await deleteWidget(c.var.db, adminOf(c).organizationId, id)) {
        throw notFound(
          "widget",
          id,
        );
      }
      await c.var.deps.hub.closeWidget(id);
      return c.body(null, 204);
    },
  );
