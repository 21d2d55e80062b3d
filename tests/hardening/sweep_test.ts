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
  method: "POST" | "PUT" | "GET" | "DELETE";
  path: string;
  token: "admin" | "visitor" | "none";
  fields: string[];
}

/** Every route with a body, or with ids in its path, that an attacker can reach. */
async function routes(t: TestApp): Promise<{ list: Route[]; tokens: Record<string, string> }> {
  const s = await setupVisitor(t);
  const session = await t.post("/api/chat/sessions", {}, s.visitorToken);
  const sessionId = session.status === 201 ? (await session.json()).id : crypto.randomUUID();
  const list: Route[] = [
    {
      method: "POST",
      path: "/api/auth/register",
      token: "none",
      fields: ["email", "password", "organizationName"],
    },
    { method: "POST", path: "/api/auth/login", token: "none", fields: ["email", "password"] },
    {
      method: "POST",
      path: "/api/agents",
      token: "admin",
      fields: ["name", "retellAgentId", "retellChatAgentId", "fromNumber"],
    },
    {
      method: "PUT",
      path: `/api/agents/${s.agent.id}`,
      token: "admin",
      fields: ["name", "fromNumber"],
    },
    {
      method: "POST",
      path: "/api/widgets",
      token: "admin",
      fields: [
        "name",
        "agentId",
        "themeColor",
        "allowedDomains",
        "width",
        "position",
        "voiceMode",
        "autoOpen",
      ],
    },
    {
      method: "PUT",
      path: `/api/widgets/${s.widget.id}`,
      token: "admin",
      fields: ["headerText", "height", "isActive"],
    },
    {
      method: "POST",
      path: "/embed/auth",
      token: "none",
      fields: ["widgetId", "domain", "visitorId"],
    },
    {
      method: "POST",
      path: "/api/chat/sessions",
      token: "visitor",
      fields: ["agentId", "visitorId", "welcomeMessage", "metadata"],
    },
    {
      method: "PUT",
      path: `/api/chat/sessions/${sessionId}`,
      token: "visitor",
      fields: ["status", "metadata"],
    },
    {
      method: "POST",
      path: `/api/chat/sessions/${sessionId}/messages`,
      token: "visitor",
      fields: ["content", "messageType", "metadata", "clientMessageId"],
    },
    {
      method: "POST",
      path: `/api/chat/sessions/${sessionId}/voice`,
      token: "visitor",
      fields: ["phoneNumber", "mode"],
    },
  ];
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
  for (const id of ids) {
    const enc = encodeURIComponent(id);
    for (
      const [path, token] of [
        [`/api/agents/${enc}`, tokens.admin],
        [`/api/widgets/${enc}`, tokens.admin],
        [`/api/chat/sessions/${enc}`, tokens.visitor],
        [`/api/chat/sessions/${enc}/messages`, tokens.visitor],
        [`/embed/config/${enc}`, ""],
      ]
    ) {
      const res = await t.get(path, token || undefined);
      assert.equal(res.status, 404, `${path} → ${res.status}`);
      await expectClientError(res, path);
    }
  }
});
