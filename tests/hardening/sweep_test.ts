/**
 * A bad-input sweep over every JSON route: wrong types, missing and extra fields, huge strings,
 * unicode and control characters, SQL and HTML payloads, and property-based bodies from fast-check.
 * Every answer must be a JSON 4xx (or a 2xx where the input happens to be valid): never a 5xx.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { dbTest, setupVisitor, type TestApp } from "../helpers/test_app.ts";

const NASTY: unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  "",
  " ",
  "x".repeat(5000),
  "\u0000\u0001\u001f",
  "'; DROP TABLE users; --",
  "<script>alert(1)</script>",
  "\u202e\u200b\ud83d\ude00",
  "\ud800",
  [],
  {},
  { $gt: "" },
  ["a", 1, null],
];

interface Route {
  method: string;
  path: string;
  token: "admin" | "visitor" | "none";
  fields: string[];
}

/**
 * Body fields worth aiming the nasty values at, by route pattern. The list of routes comes from
 * the app itself (`app.routes`), so a new route is swept the day it is mounted; a route missing
 * here still gets the junk bodies and these generic fields.
 */
const FIELDS: Record<string, string[]> = {
  "POST /api/auth/register": ["email", "password", "organizationName"],
  "POST /api/auth/login": ["email", "password"],
  "POST /api/agents": ["name", "retellAgentId", "retellChatAgentId", "fromNumber"],
  "PUT /api/agents/:id": ["name", "fromNumber"],
  "POST /api/widgets": [
    "name",
    "agentId",
    "themeColor",
    "allowedDomains",
    "width",
    "position",
    "voiceMode",
    "autoOpen",
  ],
  "PUT /api/widgets/:id": ["headerText", "height", "isActive"],
  "POST /embed/auth": ["widgetId", "domain", "visitorId"],
  "POST /api/chat/sessions": ["agentId", "visitorId", "welcomeMessage", "metadata"],
  "PUT /api/chat/sessions/:id": ["status", "metadata"],
  "POST /api/chat/sessions/:id/messages": ["content", "messageType", "metadata", "clientMessageId"],
  "POST /api/chat/sessions/:id/voice": ["phoneNumber", "mode"],
};
const GENERIC_FIELDS = ["name", "content", "metadata", "id"];

/** Routes whose ids are not UUIDs (visitor ids: `v_…`, `u_…`). */
const NOT_UUID_IDS = /^\/api\/visitors\//;

/** Which token a route is swept with: the one that gets past its authentication. */
function tokenFor(path: string): Route["token"] {
  if (path.startsWith("/api/chat/")) return "visitor";
  if (/^\/(api\/auth|api\/retell|embed)\//.test(path)) return "none";
  return "admin";
}

/** The app's JSON routes of `methods` (the admin pages and static files are HTML and bytes). */
function jsonRoutes(t: TestApp, methods: string[]): { method: string; pattern: string }[] {
  const seen = new Set<string>();
  return t.app.routes
    .filter((r) => methods.includes(r.method) && /^\/(api|embed)\//.test(r.path))
    .map((r) => ({ method: r.method, pattern: r.path }))
    .filter(({ method, pattern }) => {
      const key = `${method} ${pattern}`;
      return !seen.has(key) && seen.add(key);
    });
}

/** Every route with a body that an attacker can reach, its ids filled in, and the tokens. */
async function routes(t: TestApp): Promise<{ list: Route[]; tokens: Record<string, string> }> {
  const s = await setupVisitor(t);
  const session = await t.post("/api/chat/sessions", {}, s.visitorToken);
  const sessionId = session.status === 201 ? (await session.json()).id : crypto.randomUUID();
  const idFor = (segment: string, param: string) =>
    param === "orgId"
      ? s.admin.organizationId
      : param === "widgetId" || segment === "widgets"
      ? s.widget.id
      : segment === "agents"
      ? s.agent.id
      : segment === "sessions"
      ? sessionId
      : crypto.randomUUID();
  const list = jsonRoutes(t, ["POST", "PUT", "PATCH"]).map(({ method, pattern }) => ({
    method,
    path: pattern.replace(/\/([\w-]+)\/:(\w+)/g, (_, seg, param) => `/${seg}/${idFor(seg, param)}`),
    token: tokenFor(pattern),
    fields: FIELDS[`${method} ${pattern}`] ?? GENERIC_FIELDS,
  }));
  // Guards the derivation itself: the routes the seed names are all found.
  for (const known of Object.keys(FIELDS)) {
    const [method, pattern] = known.split(" ");
    assert.ok(
      jsonRoutes(t, [method]).some((r) => r.pattern === pattern),
      `${known} is not a route of the app any more: update FIELDS`,
    );
  }
  return { list, tokens: { admin: s.admin.token, visitor: s.visitorToken, none: "" } };
}

async function expectClientError(res: Response, what: string) {
  const text = await res.text();
  assert.ok(res.status < 500, `${what} → ${res.status} ${text.slice(0, 300)}`);
  if (res.status >= 400) {
    const body = JSON.parse(text);
    assert.equal(typeof body.error?.code, "string", `${what}: ${text.slice(0, 200)}`);
    assert.ok(!/\bat .*\.ts:\d+/.test(text), `${what} leaks a stack trace`);
  }
}

dbTest("every JSON route answers wrong types, odd values and junk bodies with a 4xx", async (t) => {
  const { list, tokens } = await routes(t);
  for (const route of list) {
    const token = tokens[route.token] || undefined;
    const send = (body: unknown) =>
      t.request(route.path, {
        method: route.method,
        headers: {
          "content-type": "application/json",
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
    for (const raw of ["", "{", "[1,", "null", "42", '"str"', '{"a":1}', "\u0000"]) {
      await expectClientError(
        await send(raw),
        `${route.method} ${route.path} raw ${JSON.stringify(raw)}`,
      );
    }
    for (const field of route.fields) {
      for (const value of NASTY) {
        await expectClientError(
          await send({ [field]: value }),
          `${route.method} ${route.path} {${field}: ${JSON.stringify(value)?.slice(0, 40)}}`,
        );
      }
    }
  }
});

dbTest("property-based bodies never produce a 5xx", async (t) => {
  const { list, tokens } = await routes(t);
  const value = fc.oneof(
    fc.string(),
    fc.string({ unit: "grapheme" }),
    fc.integer(),
    fc.double(),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
  );
  for (const route of list) {
    const token = tokens[route.token] || undefined;
    const body = fc.record(Object.fromEntries(route.fields.map((f) => [f, value])), {
      requiredKeys: [],
    });
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await t.request(route.path, {
          method: route.method,
          headers: {
            "content-type": "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(b),
        });
        const text = await res.text();
        return res.status < 500 ||
          assert.fail(`${route.method} ${route.path} ${JSON.stringify(b)} → ${res.status} ${text}`);
      }),
      { numRuns: 25 },
    );
  }
});

dbTest("ids in paths that are not UUIDs, or belong to nobody, are 404s", async (t) => {
  const { tokens } = await routes(t);
  const ids = [
    "1",
    "abc",
    "' OR '1'='1",
    "%00",
    crypto.randomUUID(),
    "../../etc/passwd",
    "x".repeat(300),
  ];
  // Every GET of the JSON API with an id in its path, from the app's own route list.
  const withIds = jsonRoutes(t, ["GET"]).filter((r) => /\/:\w*[iI]d\b/.test(r.pattern));
  assert.ok(withIds.length >= 5, `only ${withIds.length} GET routes with ids found`);
  for (const id of ids) {
    const enc = encodeURIComponent(id);
    for (const { pattern } of withIds) {
      const path = pattern.replace(/:\w+/g, enc);
      const token = tokens[tokenFor(pattern)] || undefined;
      const res = await t.get(path, token);
      // Visitor ids are not UUIDs: a malformed one may also be refused as a bad request.
      const allowed = NOT_UUID_IDS.test(pattern) ? [400, 404] : [404];
      assert.ok(allowed.includes(res.status), `${path} → ${res.status}`);
      await expectClientError(res, path);
    }
  }
});
