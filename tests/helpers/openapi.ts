/**
 * @module Every response the in-process test app gives under `/api` and `/embed` is checked
 * against the OpenAPI document (SPEC v2.6): its route and status must be described, and its body
 * must validate against the schema the document gives for them (errors against the envelope).
 * The document is the app's own `GET /api/openapi.json`, validated by ajv (JSON Schema 2020-12,
 * OpenAPI 3.1's dialect).
 */
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { ValidateFunction } from "ajv";

type Json = Record<string, unknown>;
type Operation = { responses: Record<string, { content?: Json }> };

/** A compiled document: its routes as patterns, and a validator per response schema. */
interface Checker {
  routes: { pattern: RegExp; params: number; path: string; ops: Record<string, Operation> }[];
  validators: Map<string, ValidateFunction>;
  // deno-lint-ignore no-explicit-any
  ajv: any;
}

let checker: Promise<Checker> | undefined;

function compile(document: Json): Checker {
  // deno-lint-ignore no-explicit-any
  const ajv = new (Ajv2020 as any)({ strict: false, allErrors: true });
  // deno-lint-ignore no-explicit-any
  (addFormats as any)(ajv);
  ajv.addSchema(document, "openapi.json");
  const paths = document.paths as Record<string, Record<string, Operation>>;
  const routes = Object.entries(paths).map(([path, ops]) => ({
    path,
    ops,
    params: (path.match(/\{/g) ?? []).length,
    pattern: new RegExp(
      "^" + path.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\\?\{[^}]+\\?\}/g, "[^/]+") + "$",
    ),
  })).sort((a, b) => a.params - b.params);
  return { routes, validators: new Map(), ajv };
}

const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

/**
 * Throws when `res` (to `method path`) does not conform to the document. `fetchDocument` gets the
 * document once per test process.
 */
export async function assertConforms(
  fetchDocument: () => Promise<Json>,
  method: string,
  url: string,
  res: Response,
): Promise<void> {
  const path = new URL(url, "http://x").pathname;
  if (!path.startsWith("/api/") && !path.startsWith("/embed/")) return;
  const type = res.headers.get("content-type") ?? "";
  // The loader, the frame and its assets are not JSON routes.
  if (res.status < 400 && type && !type.includes("json")) return;
  checker ??= fetchDocument().then(compile);
  const c = await checker;
  const m = method.toLowerCase();
  const route = c.routes.find((r) => r.pattern.test(path) && r.ops[m]);
  let ref: string;
  if (route) {
    const responses = route.ops[m].responses;
    const status = String(res.status);
    const response = responses[status] ?? responses.default;
    if (!response || (!responses[status] && res.status < 400)) {
      throw new Error(`OpenAPI: ${method} ${route.path} does not describe status ${status}`);
    }
    const key = responses[status] ? status : "default";
    if (!response.content) {
      const text = await res.clone().text();
      if (text) throw new Error(`OpenAPI: ${method} ${route.path} ${status} has a body: ${text}`);
      return;
    }
    ref = "openapi.json#/" +
      pointer("paths", route.path, m, "responses", key, "content", "application/json", "schema");
  } else {
    if (res.status < 400) {
      throw new Error(`OpenAPI: ${method} ${path} answered ${res.status} but is not documented`);
    }
    // Not a JSON route (the frame's own 404 page is HTML).
    if (!type.includes("json")) return;
    // No such route: the app's 404 (or a middleware's refusal) is still the error envelope.
    ref = "openapi.json#/components/schemas/Error";
  }
  if (!type.includes("application/json")) {
    throw new Error(`OpenAPI: ${method} ${path} ${res.status} is not JSON (${type})`);
  }
  let validate = c.validators.get(ref);
  if (!validate) c.validators.set(ref, validate = c.ajv.compile({ $ref: ref }));
  const body = await res.clone().json();
  if (!validate!(body)) {
    throw new Error(
      `OpenAPI: ${method} ${path} ${res.status} does not match the document: ${
        JSON.stringify(validate!.errors?.slice(0, 5))
      }\n${JSON.stringify(body).slice(0, 500)}`,
    );
  }
}
