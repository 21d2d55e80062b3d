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
