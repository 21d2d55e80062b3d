/** @module `GET /api/openapi.json`: the OpenAPI 3.1 document of every JSON route (SPEC v2.6). */
import { Hono } from "hono";
import type { AppEnv } from "../context.ts";
import { buildOpenApi, doc } from "../lib/openapi.ts";
import { ErrorEnvelopeSchema } from "../contract/errors.ts";
import { z } from "zod";

/** Describes `app` (built once, on first request: the routes do not change after start). */
export function openApiRoutes(app: Hono<AppEnv>): Hono<AppEnv> {
  let document: Record<string, unknown> | undefined;
  return new Hono<AppEnv>().get(
    "/openapi.json",
    doc({
      summary: "This document",
      auth: "none",
      responses: { 200: z.looseObject({ openapi: z.literal("3.1.0") }) },
    }),
    (c) => {
      document ??= buildOpenApi(app, {
        title: "Parley API",
        version: "2.6",
        description: "Chat and voice widget for Retell AI agents. Errors are " +
          '`{"error": {"code", "message", "details"?}}`; the WebSocket protocol is in SPEC.md.',
        prefixes: ["/api", "/embed"],
        errorSchema: ErrorEnvelopeSchema,
        context: c,
      });
      c.header("Cache-Control", "public, max-age=300");
      return c.json(document);
    },
  );
}
