/**
 * @module A visitor's data as a whole (SPEC v2.4): the visitor erases their own
 * (`DELETE /api/chat/visitor`), and the organization's team exports or erases a visitor's
 * (`GET /api/visitors/:visitorId/export`, `DELETE /api/visitors/:visitorId`).
 */
import { Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { actorOf, adminOf, requireActor } from "../../lib/auth.ts";
import { MANAGERS, requireRole } from "../../team/guard.ts";
import { HttpError, notFound } from "../../lib/errors.ts";
import { parseWith } from "../../lib/validate.ts";
import { z } from "zod";
import { toCall, toLead, toMessage, toRating, toSession } from "../../db/wire.ts";
import { deleteVisitorData, visitorData } from "../../db/queries/visitor_data.ts";
import { doc } from "../../lib/openapi.ts";
import { VisitorExportSchema } from "../../contract/responses.ts";

/** Visitor ids as `/embed/auth` issues them, `u_<sub>` included. */
const VisitorIdParam = z.string().regex(/^[\x21-\x7e]{1,100}$/, {
  message: "is not a visitor id",
});

/** `DELETE /api/chat/visitor`: mounted under `/api/chat`. */
export const visitorSelfRoutes = new Hono<AppEnv>()
  .delete(
    "/visitor",
    requireActor(),
    doc({
      summary: "The visitor erases their own conversations",
      auth: "visitor",
      responses: { 204: null },
    }),
    async (c) => {
      const actor = actorOf(c);
      if (actor.kind !== "visitor") {
        throw new HttpError(403, "forbidden", "Only a visitor can delete their own conversations");
      }
      await deleteVisitorData(c.var.db, {
        organizationId: actor.organizationId,
        widgetId: actor.visitor.widgetId,
        visitorId: actor.visitor.visitorId,
      });
      return c.body(null, 204);
    },
  );

/** `/api/visitors`: the organization's owner and admins (members work conversations only). */
export const visitorAdminRoutes = new Hono<AppEnv>()
  .use(requireRole(...MANAGERS))
  .get(
    "/:visitorId/export",
    doc({
      summary: "Export everything stored about a visitor",
      auth: "admin",
      responses: { 200: VisitorExportSchema },
    }),
    async (c) => {
      const visitorId = parseWith(VisitorIdParam, c.req.param("visitorId"), "visitor id");
      const data = await visitorData(c.var.db, {
        organizationId: adminOf(c).organizationId,
        visitorId,
      });
      if (!data.sessions.length) throw notFound("visitor", visitorId);
      c.header("Cache-Control", "no-store");
      c.header("Content-Disposition", `attachment; filename="visitor-export.json"`);
      return c.json({
        visitorId,
        exportedAt: new Date().toISOString(),
        sessions: data.sessions.map(toSession),
        messages: data.messages.map(toMessage),
        calls: data.calls.map((row) => ({ ...toCall(row), transcript: row.transcript })),
        leads: data.leads.map(toLead),
        ratings: data.ratings.map(toRating),
      });
    },
  )
  .delete(
    "/:visitorId",
    doc({ summary: "Erase a visitor's data", auth: "admin", responses: { 204: null } }),
    async (c) => {
      const visitorId = parseWith(VisitorIdParam, c.req.param("visitorId"), "visitor id");
      // Idempotent: erasing a visitor of whom nothing (or nothing more) is stored is done already.
      await deleteVisitorData(c.var.db, { organizationId: adminOf(c).organizationId, visitorId });
      return c.body(null, 204);
    },
  );
