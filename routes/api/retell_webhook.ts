/**
 * @module Retell's call events. `POST /api/retell/webhook/:organizationId` is verified with that
 * organization's Retell key and touches only that organization's calls; `POST
 * /api/retell/webhook` is verified with the deployment's `RETELL_API_KEY` and touches only calls
 * of organizations that key serves. The raw body is verified with the `x-retell-signature` header
 * (`v=<ms>,d=<hex HMAC-SHA256>`) through the SDK's `verify`, which is async (an un-awaited Promise
 * is always truthy, RETELL.md §8) and refuses a signature more than 5 minutes old. A replay of a
 * delivery already handled, inside those 5 minutes, is acknowledged and not handled again (its
 * digest is claimed in `retell_deliveries`, shared by every process); handling is idempotent as
 * well, so a retry Retell signs anew changes nothing twice. A call we do not know (or not the
 * sender's) is acknowledged and dropped so that Retell stops retrying it.
 */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { verify } from "retell-sdk";
import type { AppEnv } from "../../context.ts";
import { HttpError } from "../../lib/errors.ts";
import { log } from "../../lib/log.ts";
import { isUuid } from "../../lib/validate.ts";
import { CallEventSchema } from "../../agents/call_event.ts";
import { organizationExists } from "../../db/queries/organizations.ts";
import { claimDelivery, forgetDelivery } from "../../db/queries/retell_deliveries.ts";
import { handleCallEvent, type HandleOptions } from "../../calls/call_events.ts";
import { doc } from "../../lib/openapi.ts";
import { rateLimitByIp } from "../../limits/rate_limit.ts";

/** Where Retell posts (the global 64 KB body limit skips it and its per-organization paths). */
export const RETELL_WEBHOOK_PATH = "/api/retell/webhook";

/** A long call's `call_ended` carries every word with its timing; 64 KB is far too little. */
export const WEBHOOK_MAX_BYTES = 4 * 1024 * 1024;

const SIGNATURE_RE = /^v=(\d{1,16}),d=([0-9a-f]{64})$/i;
const MAX_AGE_MS = 5 * 60_000;

/** What the document says of both webhook routes beyond their call-event body and bare 204. */
const WEBHOOK_DESCRIPTION = "The body is Retell's call event (`call_started`, `call_ended`, " +
  "`call_analyzed`; Retell's call object is kept whole). Any other event (chat events, kinds " +
  "newer than Parley) is answered 204 and ignored, and so is a delivery already handled, so " +
  "Retell stops retrying; the answer never has a body.";

const unauthorized = (message: string) => new HttpError(401, "unauthorized", message);

const limit = bodyLimit({
  maxSize: WEBHOOK_MAX_BYTES,
  onError: () => {
    throw new HttpError(413, "payload_too_large", "Webhook body is too large", {
      details: { maxBytes: WEBHOOK_MAX_BYTES },
    });
  },
});

async function sha256Hex(text: string): Promise<string> {
  const hash = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(hash), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Verifies the body with `apiKey` and applies the event within `options`. */
async function receive(
  c: Context<AppEnv>,
  apiKey: string,
  options: HandleOptions & { scope: string },
): Promise<Response> {
  const signature = c.req.header("x-retell-signature") ?? "";
  const m = SIGNATURE_RE.exec(signature);
  if (!m) throw unauthorized("Missing or malformed x-retell-signature");
  if (Math.abs(Date.now() - Number(m[1])) > MAX_AGE_MS) {
    throw unauthorized("Webhook signature is too old");
  }
  // The exact bytes Retell signed: any re-serialisation would break the signature.
  const raw = await c.req.text();
  if (!await verify(raw, apiKey, signature)) {
    throw unauthorized("Webhook signature does not verify");
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new HttpError(400, "invalid_json", "Body is not valid JSON");
  }
  const type = (json as { event?: unknown })?.event;
  if (typeof type !== "string" || !type.startsWith("call_")) {
    // Chat events and anything newer: acknowledged, not ours to handle.
    log.info("retell webhook ignored", { event: String(type).slice(0, 50) });
    return c.body(null, 204);
  }
  const parsed = CallEventSchema.safeParse(json);
  if (!parsed.success) {
    throw new HttpError(400, "validation_failed", "Not a Retell call event", {
      details: parsed.error.issues.slice(0, 10).map((i) => ({
        path: i.path.join("."),
        message: i.message,
      })),
    });
  }
  // The HMAC names the delivery (it binds the body, the timestamp and the key), within the path it
  // was posted to: whose call it is, each path decides for itself. Hex case is folded because
  // `verify` accepts either.
  const digest = await sha256Hex(`${options.scope}:${m[2].toLowerCase()}`);
  const { db } = c.var;
  if (!await claimDelivery(db, digest, new Date(Number(m[1]) + MAX_AGE_MS))) {
    log.info("retell webhook replay dropped", { event: parsed.data.event });
    return c.body(null, 204);
  }
  let result;
  try {
    result = await handleCallEvent(c.var.deps, parsed.data, options);
  } catch (err) {
    // Not handled after all: Retell's retry of these very bytes must be handled, not dropped.
    await forgetDelivery(db, digest).catch(() => {});
    throw err;
  }
  log.info("retell webhook", {
    event: parsed.data.event,
    retellCallId: parsed.data.call.call_id,
    result,
  });
  return c.body(null, 204);
}

export const retellWebhookRoutes = new Hono<AppEnv>()
  .post(
    "/webhook",
    rateLimitByIp("webhooks"),
    limit,
    doc({
      summary: "Retell's call events (signed with x-retell-signature)",
      description: WEBHOOK_DESCRIPTION,
      auth: "none",
      body: CallEventSchema,
      rawBody: true,
      responses: { 204: null },
    }),
    async (c) => {
      const apiKey = c.var.config.retellApiKey;
      // Without a key nothing can be verified, so nothing is accepted (the demo needs no webhooks).
      if (!apiKey) throw unauthorized("Webhooks are not accepted: RETELL_API_KEY is not set");
      const { db, deps } = c.var;
      return await receive(c, apiKey, {
        scope: "deployment",
        // Only calls placed with the deployment's key: never those of an organization with its own.
        accepts: async (organizationId) =>
          (await deps.tenants.accountOf(db, organizationId))?.source === "deployment",
      });
    },
  )
  .post(
    "/webhook/:organizationId",
    rateLimitByIp("webhooks"),
    limit,
    doc({
      summary: "An organization's Retell call events (signed with its key)",
      description: WEBHOOK_DESCRIPTION,
      auth: "none",
      body: CallEventSchema,
      rawBody: true,
      responses: { 204: null },
    }),
    async (c) => {
      const organizationId = c.req.param("organizationId");
      const { db, deps } = c.var;
      const account = isUuid(organizationId) && await organizationExists(db, organizationId)
        ? await deps.tenants.accountOf(db, organizationId)
        : undefined;
      if (!account) {
        throw unauthorized("Webhooks are not accepted: this organization has no Retell key");
      }
      return await receive(c, account.apiKey, {
        scope: organizationId,
        accepts: (owner) => owner === organizationId,
      });
    },
  );
