/**
 * @module The OpenAPI 3.1 document of the JSON API (SPEC v2.6), generated from the routes' own zod
 * schemas with zod's `z.toJSONSchema`, never written by hand.
 *
 * Adding a route to the document is one entry beside the route: pass `doc({...})` among the
 * route's handlers, after its auth middleware and right before the handler. The entry names the
 * schemas of the route's input and responses once, and is also what validates the input: the body
 * (`readJson`'s checks and envelope) and the query are parsed before the handler runs, which reads
 * them typed with `c.req.valid("json")` and `c.req.valid("query")`:
 *
 * ```ts
 * .post("/", requireAdmin(), doc({
 *   summary: "Create an agent",
 *   auth: "admin",
 *   body: AgentCreateSchema,
 *   responses: { 201: AgentSchema },
 * }), async (c) => {
 *   const body = c.req.valid("json");
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
import type { Context, Hono, MiddlewareHandler } from "hono";
import { z } from "zod";
import { HttpError } from "./errors.ts";
import { parseWith, readJson } from "./validate.ts";

/** Who may call a route: the token it wants (`none`: public). */
export type RouteAuth = "none" | "admin" | "visitor" | "either";

/**
 * A body schema that depends on the deployment (a configured limit): built from the request's
 * context when validating, and from the serving request's context for the document, which so
 * states the limits the deployment enforces.
 */
// deno-lint-ignore no-explicit-any
export type SchemaAt<T extends z.ZodType> = (c: Context<any>) => T;

/** What the document says about one route, and how its input is validated. */
export interface RouteDoc<
  B extends z.ZodType = z.ZodType,
  Q extends z.ZodObject = z.ZodObject,
> {
  summary: string;
  /** Longer prose, if the summary is not enough. */
  description?: string;
  auth: RouteAuth;
  /** The JSON body's schema; `doc()` validates the body with it (`c.req.valid("json")`). */
  body?: B | SchemaAt<B>;
  /**
   * The handler reads the raw body itself (a signature covers its exact bytes, and the handler
   * parses only what verifies): the body is documented, not validated by `doc()`.
   */
  rawBody?: true;
  /** The query's schema, a `z.object`; `doc()` validates it (`c.req.valid("query")`). */
  query?: Q;
  /** Turns a validation failure into the route's own error (a more specific code). */
  invalid?: (error: HttpError) => HttpError;
  /**
   * Status → body schema; `null` for a response without a body; a string names the media types
   * of a body that is not JSON (`"text/plain, text/html"`).
   */
  responses: Record<number, z.ZodType | string | null>;
}

const DOC = Symbol("openapi");

type Documented = MiddlewareHandler & { [DOC]: RouteDoc };

/** What `doc()` hands the handler: the validated body and query, typed by their schemas. */
type Validated<B extends z.ZodType, Q extends z.ZodObject> = {
  in: { json: z.input<B>; query: Record<string, string> };
  out: { json: z.output<B>; query: z.output<Q> };
};

const schemaOf = <T extends z.ZodType>(s: T | SchemaAt<T>, c: Context): T =>
  typeof s === "function" ? (s as SchemaAt<T>)(c) : s;

/**
 * The route's entry in the OpenAPI document and the validator of its input: put it after the
 * route's auth middleware (a caller without a token hears 401, not what the body lacks), right
 * before the handler.
 */
export function doc<
  B extends z.ZodType = z.ZodNever,
  Q extends z.ZodObject = z.ZodObject<Record<never, never>>,
>(
  route: RouteDoc<B, Q>,
  // deno-lint-ignore no-explicit-any
): MiddlewareHandler<any, string, Validated<B, Q>> {
  const mw = (async (c, next) => {
    try {
      if (route.body && !route.rawBody) {
        c.req.addValidatedData("json", await readJson(c, schemaOf(route.body, c)) as object);
      }
      if (route.query) {
        c.req.addValidatedData("query", parseWith(route.query, c.req.query(), "query"));
      }
    } catch (err) {
      throw route.invalid && err instanceof HttpError ? route.invalid(err) : err;
    }
    await next();
  }) as Documented;
  mw[DOC] = route as unknown as RouteDoc;
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
  /** The serving request's context: what deployment-dependent schemas (`SchemaAt`) are built from. */
  context: Context;
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
            content: {
              "application/json": {
                schema: jsonSchema(schemaOf(doc.body, options.context), "input", schemas),
              },
            },
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
