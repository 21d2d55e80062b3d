import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import { dbTest } from "../helpers/test_app.ts";
import { documentedRoutes } from "../../lib/openapi.ts";

dbTest("GET /api/openapi.json is a valid OpenAPI 3.1 document of the JSON API", async (t) => {
  const res = await t.get("/api/openapi.json");
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
  const document = await res.json();
  assert.equal(document.openapi, "3.1.0");
  const result = await new Validator().validate(document);
  assert.ok(result.valid, JSON.stringify(result.errors));

  // The SPEC's routes are there, with the schemas their handlers validate with.
  const create = document.paths["/api/chat/sessions/{id}/messages"].post;
  const body = create.requestBody.content["application/json"].schema;
  assert.deepEqual(body.required, ["content"]);
  assert.equal(body.properties.content.type, "string");
  assert.ok(create.responses["201"] && create.responses["200"] && create.responses.default);
  assert.equal(document.paths["/api/agents/{id}"].delete.responses["204"].content, undefined);
  assert.equal(
    document.components.schemas.Message.properties.clientMessageId.type,
    "string",
  );
});

dbTest("every JSON route under /api and /embed is in the OpenAPI document", async (t) => {
  const document = await (await t.get("/api/openapi.json")).json();
  const described = new Set(
    documentedRoutes(t.app).map((r) => `${r.method} ${r.path}`),
  );
  // The loader, the frame and its assets are files, not JSON routes.
  const isAsset = (path: string) => /\.(js|css|html)$|\{/.test(path);
  const missing = t.app.routes
    .filter((r) => r.method !== "ALL" && /^\/(api|embed)\//.test(r.path) && !isAsset(r.path))
    .map((r) => `${r.method.toLowerCase()} ${r.path}`)
    .filter((key) => !described.has(key));
  assert.deepEqual([...new Set(missing)], []);
  for (const key of described) {
    const [method, path] = key.split(" ");
    if (!/^\/(api|embed)\//.test(path)) continue;
    const oaPath = path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    assert.ok(document.paths[oaPath]?.[method], `${key} is in the document`);
  }
});

dbTest(
  "no JSON body in the OpenAPI document is left open (every one names its fields)",
  async (t) => {
    const document = await (await t.get("/api/openapi.json")).json();
    const schemas = document.components.schemas as Record<string, Record<string, unknown>>;
    const resolve = (s: Record<string, unknown>) =>
      typeof s.$ref === "string" ? schemas[s.$ref.split("/").pop()!] : s;
    /** Why a schema accepts more than its route sends, or null when it is exact. */
    function open(schema: Record<string, unknown>): string | null {
      const s = resolve(schema);
      if (!s || Object.keys(s).length === 0) return "accepts anything";
      for (const key of ["oneOf", "anyOf"]) {
        for (const branch of (s[key] ?? []) as Record<string, unknown>[]) {
          const why = open(branch);
          if (why) return why;
        }
      }
      if (s.type === "object" && s.additionalProperties !== false) return "allows unnamed fields";
      return null;
    }
    // The document describes itself only as far as its version: the rest is OpenAPI's own schema.
    const selfDescribed = new Set(["get /api/openapi.json"]);
    const loose: string[] = [];
    for (const [path, ops] of Object.entries(document.paths as Record<string, object>)) {
      for (const [method, op] of Object.entries(ops as Record<string, Json>)) {
        if (selfDescribed.has(`${method} ${path}`)) continue;
        for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
          const schema = (response.content as Json | undefined)?.["application/json"] as
            | Json
            | undefined;
          const why = schema && open(schema.schema as Record<string, unknown>);
          if (why) loose.push(`${method} ${path} ${status}: ${why}`);
        }
      }
    }
    assert.deepEqual(loose, []);
  },
);

type Json = Record<string, unknown>;
