/**
 * @module `/api/webhooks`: the organization's outbound webhook endpoints, their delivery log and a
 * test event. Owners and admins only; another organization's endpoint is a 404.
 */
import { Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { adminOf } from "../../lib/auth.ts";
import { MANAGERS, requireRole } from "../../team/guard.ts";
import { HttpError, notFound } from "../../lib/errors.ts";
import { idParam } from "../../lib/validate.ts";
import {
  deleteEndpoint,
  findEndpoint,
  listDeliveries,
  listEndpoints,
} from "../../db/queries/webhooks.ts";
import { checkDestination, DestinationError } from "../../webhooks/destination.ts";
import { createWebhook } from "../../webhooks/endpoints.ts";
import { enqueueTestEvent } from "../../webhooks/enqueue.ts";
import { deliveryJson, webhookJson } from "../../webhooks/wire.ts";
import {
  DeliveryListQuerySchema,
  MAX_WEBHOOKS_PER_ORGANIZATION,
  WebhookCreateSchema,
} from "../../contract/webhooks.ts";
import { doc } from "../../lib/openapi.ts";
import {
  WebhookCreatedSchema,
  WebhookDeliveryListSchema,
  WebhookListSchema,
  WebhookTestQueuedSchema,
} from "../../contract/webhooks.ts";

export const webhookRoutes = new Hono<AppEnv>()
  .use(requireRole(...MANAGERS))
  .post(
    "/",
    doc({
      summary: "Add a webhook endpoint (its secret is shown once)",
      auth: "admin",
      body: WebhookCreateSchema,
      responses: { 201: WebhookCreatedSchema },
    }),
    async (c) => {
      const { organizationId } = adminOf(c);
      const body = c.req.valid("json");
      try {
        await checkDestination(body.url, {
          allowPrivate: c.var.config.webhooksAllowPrivate,
          resolveDns: c.var.deps.resolveDns,
          requireResolved: false,
        });
      } catch (err) {
        if (!(err instanceof DestinationError)) throw err;
        throw new HttpError(400, "validation_failed", "Invalid body", {
          details: [{ path: "url", message: err.message }],
        });
      }
      const existing = await listEndpoints(c.var.db, organizationId);
      if (existing.length >= MAX_WEBHOOKS_PER_ORGANIZATION) {
        throw new HttpError(
          409,
          "conflict",
          `An organization may have at most ${MAX_WEBHOOKS_PER_ORGANIZATION} webhooks`,
        );
      }
      const { row, secret } = await createWebhook(c.var.db, c.var.config, {
        organizationId,
        url: body.url,
        events: body.events,
      });
      // The only time the secret is shown.
      return c.json({ ...webhookJson(row), secret }, 201);
    },
  )
  .get(
    "/",
    doc({
      summary: "The organization's webhook endpoints",
      auth: "admin",
      responses: { 200: WebhookListSchema },
    }),
    async (c) => {
      const rows = await listEndpoints(c.var.db, adminOf(c).organizationId);
      return c.json({ webhooks: rows.map(webhookJson) });
    },
  )
  .delete(
    "/:id",
    doc({ summary: "Remove a webhook endpoint", auth: "admin", responses: { 204: null } }),
    async (c) => {
      const id = idParam(c, "webhook");
      if (!await deleteEndpoint(c.var.db, adminOf(c).organizationId, id)) {
        throw notFound("webhook", id);
      }
      return c.body(null, 204);
    },
  )
  .get(
    "/:id/deliveries",
    doc({
      summary: "The endpoint's delivery log, newest first",
      auth: "admin",
      query: DeliveryListQuerySchema,
      responses: { 200: WebhookDeliveryListSchema },
    }),
    async (c) => {
      const id = idParam(c, "webhook");
      const endpoint = await findEndpoint(c.var.db, adminOf(c).organizationId, id);
      if (!endpoint) throw notFound("webhook", id);
      const query = c.req.valid("query");
      const rows = await listDeliveries(c.var.db, endpoint.id, query.limit);
      return c.json({ deliveries: rows.map(deliveryJson) });
    },
  )
  .post(
    "/:id/test",
    doc({
      summary: "Send a test event",
      auth: "admin",
      responses: { 202: WebhookTestQueuedSchema },
    }),
    async (c) => {
      const id = idParam(c, "webhook");
      const endpoint = await findEndpoint(c.var.db, adminOf(c).organizationId, id);
      if (!endpoint) throw notFound("webhook", id);
      const eventId = await enqueueTestEvent(c.var.db, endpoint);
      return c.json({ eventId }, 202);
    },
  );
