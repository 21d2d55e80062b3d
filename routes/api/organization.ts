/**
 * @module `/api/organization`: the organization's own Retell account. The key is checked with
 * Retell, sealed at rest and never returned; the answer says only whether one is connected, its
 * last four characters and where it comes from.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { adminOf } from "../../lib/auth.ts";
import { MANAGERS, requireRole } from "../../team/guard.ts";
import { RetellKeySchema } from "../../contract/requests.ts";
import { createRetellClient } from "../../agents/retell.ts";
import { checkKey } from "../../agents/retell_account.ts";
import { doc } from "../../lib/openapi.ts";
import { type RetellConnection, RetellConnectionSchema } from "../../contract/responses.ts";

/** `GET /api/organization/retell`'s answer. */
async function connection(c: Context<AppEnv>): Promise<RetellConnection> {
  const { db, deps } = c.var;
  const account = await deps.tenants.accountOf(db, adminOf(c).organizationId);
  return account
    ? { connected: true, keyHint: account.keyHint, source: account.source }
    : { connected: false, keyHint: null, source: null };
}

export const organizationRoutes = new Hono<AppEnv>()
  // Members work conversations only (SPEC v2.3): the Retell account is for owners and admins.
  .use(requireRole(...MANAGERS))
  .get(
    "/retell",
    doc({
      summary: "The organization's Retell connection",
      auth: "admin",
      responses: { 200: RetellConnectionSchema },
    }),
    async (c) => c.json(await connection(c)),
  )
  .put(
    "/retell",
    doc({
      summary: "Connect or replace the organization's Retell key",
      auth: "admin",
      body: RetellKeySchema,
      responses: { 200: RetellConnectionSchema },
    }),
    async (c) => {
      const { apiKey } = c.req.valid("json");
      const { config, db, deps } = c.var;
      // A client of its own: a refused key must not take a place among the cached ones.
      await checkKey(createRetellClient({
        apiKey,
        baseUrl: config.retellBaseUrl,
        timeoutMs: config.retellTimeoutMs,
        maxRetries: 0,
      }));
      await deps.tenants.connect(db, adminOf(c).organizationId, apiKey);
      return c.json(await connection(c));
    },
  )
  .delete(
    "/retell",
    doc({
      summary: "Disconnect Retell",
      auth: "admin",
      responses: { 204: null },
    }),
    async (c) => {
      await c.var.deps.tenants.disconnect(c.var.db, adminOf(c).organizationId);
      return c.body(null, 204);
    },
  );
