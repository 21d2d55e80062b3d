/**
 * @module The OpenAPI 3.1 document of the JSON API (SPEC v2.6), generated from the routes' own zod
 * schemas with zod's `z.toJSONSchema`, never written by hand.
 *
 * Adding a route to the document is one line beside the route: pass `doc({...})` as the first
 * handler, naming the schemas the route validates its input with and the schemas its responses
 * follow, then validate with the very same schema objects in the handler:
 *
 * ```ts
 * .post("/", doc({
 *   summary: "Create an agent",
 *   auth: "admin",
 *   body: AgentCreateSchema,
 *   responses: { 201: AgentSchema },
 * }), async (c) => {
 *   const body = await readJson(c, AgentCreateSchema);
 *   …
 * })
 * ```
 *
 * `responses` maps a status to its body schema (`null`: no body, as for 204; a string: the media
 * types of a body that is not JSON, as for a transcript); every route also
 * gets the error envelope as its `default` response, so its 4xx/5xx need no listing. Path
 * parameters (`:id`) are found in the path. `buildOpenApi(app)` walks the app's routes, so a route
 * mounted anywhere under `/api` or `/embed` lands in the document; the test suite validates every
 * response it receives against the document, so a route without `doc()` (or a response that does
 * not match its schema) fails the tests.
 *
 * Why not `@hono/zod-openapi`: it replaces `new Hono()` and every route definition with its own
 * `createRoute` + `app.openapi()` forms; `hono-openapi` adds a second schema-conversion layer
 * (standard-schema adapters) over the conversion zod 4 already ships. zod's own `z.toJSONSchema`
 * emits JSON Schema 2020-12, which is exactly OpenAPI 3.1's schema dialect, so the only code of ours
 * is this walk over the routes.
 */
import type { Hono, MiddlewareHandler } from "hono";
import { z } from "zod";

/** Who may call a route: the token it wants (`none`: public). */
export type RouteAuth = "none" | "admin" | "visitor" | "either";

/** What the document says about one route. */
export interface RouteDoc {
  summary: string;
  /** Longer prose, if the summary is not enough. */
  description?: string;
  auth: RouteAuth;
  /** The JSON body's schema (validated with `readJson(c, schema)`). */
  body?: z.ZodType;
  /** The query's schema, a `z.object` (validated with `parseWith(schema, c.req.query())`). */
  query?: z.ZodObject;
  /**
   * Status → body schema; `null` for a response without a body; a string names the media types
   * of a body that is not JSON (`"text/plain, text/html"`).
   */
  responses: Record<number, z.ZodType | string | null>;
}

const DOC = Symbol("openapi");

type Documented = MiddlewareHandler & { [DOC]: RouteDoc };

/** The route's entry in the OpenAPI document: put it first among the route's handlers. */
export function doc(route: RouteDoc): MiddlewareHandler {
  const mw = ((_c, next) => next()) as Documented;
  mw[DOC] = route;
  return mw;
}

/** Options of `buildOpenApi`. */
export interface OpenApiOptions {
  title: string;
  version: string;
  description?: string;
  /** Only routes under these prefixes are described. */
  prefixes: string[];
  /** The body of every error response (the `default` response of every route). */
  errorSchema: z.ZodType;
}

type Json = Record<string, unknown>;

/**
 * zod's JSON Schema of `schema`, with shared schemas (those with a `.meta({id})`) moved to
 * `components` and referenced from there.
 */
function jsonSchema(schema: z.ZodType, io: "input" | "output", components: Json): Json {
  const out = z.toJSONSchema(schema, {
    target: "draft-2020-12",
    io,
    unrepresentable: "any",
  }) as Json;
  delete out.$schema;
  const defs = (out.$defs ?? {}) as Record<string, Json>;
  delete out.$defs;
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (!value || typeof value !== "object") return value;
    const copy: Json = {};
    for (const [k, v] of Object.entries(value)) {
      copy[k] = k === "$ref" && typeof v === "string"
        ? v.replace("#/$defs/", "#/components/schemas/")
        : rewrite(v);
    }
    return copy;
  };
  for (const [id, def] of Object.entries(defs)) {
    components[id] ??= rewrite(def);
  }
  return rewrite(out) as Json;
}

/** The routes of `app` that carry a `doc()`, as `{method, path, doc}`. */
export function documentedRoutes(
  // deno-lint-ignore no-explicit-any
  app: Hono<any>,
): { method: string; path: string; doc: RouteDoc }[] {
  const found = new Map<string, { method: string; path: string; doc: RouteDoc }>();
  for (const r of app.routes) {
    const d = (r.handler as Partial<Documented>)[DOC];
    if (!d) continue;
    found.set(`${r.method} ${r.path}`, { method: r.method.toLowerCase(), path: r.path, doc: d });
  }
  return [...found.values()];
}

/** Builds the OpenAPI 3.1 document of `app`. */
// deno-lint-ignore no-explicit-any
export function buildOpenApi(app: Hono<any>, options: OpenApiOptions): Json {
  const schemas: Json = {};
  const paths: Record<string, Json> = {};
  const errorBody = {
    description: "Error",
    content: { "application/json": { schema: jsonSchema(options.errorSchema, "output", schemas) } },
  };
  for (const { method, path, doc } of documentedRoutes(app)) {
    if (!options.prefixes.some((p) => path === p || path.startsWith(p + "/"))) continue;
    const names = [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]);
    const oaPath = path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, "{$1}");
    const parameters: Json[] = names.map((name) => ({
      name,
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (doc.query) {
      const q = jsonSchema(doc.query, "input", schemas);
      const props = (q.properties ?? {}) as Record<string, Json>;
      const required = new Set((q.required ?? []) as string[]);
      for (const [name, schema] of Object.entries(props)) {
        parameters.push({ name, in: "query", required: required.has(name), schema });
      }
    }
    const responses: Json = {};
    for (const [status, schema] of Object.entries(doc.responses)) {
      responses[status] = schema === null
        ? { description: `${status}` }
        : typeof schema === "string"
        ? {
          description: `${status}`,
          content: Object.fromEntries(
            schema.split(",").map((type) => [type.trim(), { schema: { type: "string" } }]),
          ),
        }
        : {
          description: `${status}`,
          content: { "application/json": { schema: jsonSchema(schema, "output", schemas) } },
        };
    }
    responses.default = errorBody;
    const operation: Json = {
      summary: doc.summary,
      ...(doc.description ? { description: doc.description } : {}),
      operationId: `${method}${
        oaPath.replace(/[{}]/g, "").split(/[\/\-_:]/).map((w) =>
          w ? w[0].toUpperCase() + w.slice(1) : ""
        ).join("")
      }`,
      ...(parameters.length ? { parameters } : {}),
      ...(doc.body
        ? {
          requestBody: {
            required: true,
            content: { "application/json": { schema: jsonSchema(doc.body, "input", schemas) } },
          },
        }
        : {}),
      responses,
      security: doc.auth === "none" ? [] : [{ bearer: [] }],
      ...(doc.auth === "none" ? {} : { "x-token": doc.auth }),
    };
    (paths[oaPath] ??= {})[method] = operation;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: options.title,
      version: options.version,
      ...(options.description ? { description: options.description } : {}),
    },
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "An admin token (`/api/auth`) or a visitor token (`/embed/auth`).",
        },
      },
    },
  };
}
