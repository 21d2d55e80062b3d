/**
 * The call budgets of SPEC v2.1, attacked through HTTP on both databases: each refused call gets
 * 429 with `Retry-After`, and the fake Retell shows that it was never asked.
 */
import assert from "node:assert/strict";
import type { TestApp } from "../helpers/test_app.ts";
import { newSession, retellTest, type RetellVisitor } from "../helpers/retell_app.ts";

const PHONE_CALLS = /create-phone-call/;
const TO = "+14155552671";

/** Another visitor of the same widget (a stranger minting visitors), with a session. */
async function anotherVisitor(t: TestApp, v: RetellVisitor, address = "203.0.113.7") {
  const res = await t.post("/embed/auth", { widgetId: v.widget.id, domain: "example.com" }, "", {
    "x-forwarded-for": address,
  });
  assert.equal(res.status, 200, await res.clone().text());
  const token = (await res.json()).token as string;
  return { token, sessionId: await newSession(t, token) };
}

function call(
  t: TestApp,
  who: { token: string; sessionId: string },
  body: unknown = { phoneNumber: TO },
  address = "203.0.113.7",
) {
  return t.post(`/api/chat/sessions/${who.sessionId}/voice`, body, who.token, {
    "x-forwarded-for": address,
  });
}

async function assertBudgetMet(res: Response, limit: string) {
  assert.equal(res.status, 429, await res.clone().text());
  assert.ok(Number(res.headers.get("retry-after")) >= 1);
  const body = await res.json();
  assert.equal(body.error.code, "rate_limited");
  assert.equal(body.error.details.limit, limit);
  assert.match(body.error.message, /try again in \d+ (second|minute|hour)s?/);
}

const proxied = { trustProxyHops: 1 };

retellTest(
  "calls per client address: 5 an hour, however many visitors the address mints",
  async (t, fake, v) => {
    for (let i = 0; i < 5; i++) {
      const res = await call(t, await anotherVisitor(t, v), { mode: "web" });
      assert.equal(res.status, 201, await res.clone().text());
    }
    await assertBudgetMet(
      await call(t, await anotherVisitor(t, v), { mode: "web" }),
      "callsPerAddress",
    );
    assert.equal(fake.requestsTo(/create-web-call/).length, 5);
    // Another address is not affected.
    const other = await anotherVisitor(t, v, "198.51.100.9");
    assert.equal((await call(t, other, { mode: "web" }, "198.51.100.9")).status, 201);
  },
  { config: proxied },
);

retellTest(
  "calls per number called: 3 an hour, from any number of visitors and addresses",
  async (t, fake, v) => {
    for (let i = 0; i < 3; i++) {
      const address = `203.0.113.${10 + i}`;
      assert.equal(
        (await call(t, await anotherVisitor(t, v, address), undefined, address)).status,
        201,
      );
    }
    const address = "203.0.113.99";
    await assertBudgetMet(
      await call(t, await anotherVisitor(t, v, address), undefined, address),
      "callsPerNumberHourly",
    );
    assert.equal(fake.requestsTo(PHONE_CALLS).length, 3);
  },
  { config: proxied },
);

retellTest(
  "calls per number a day, per widget a day and per organization a day are budgets too",
  async (t, fake, v) => {
    let address = 0;
    const next = async () => {
      const a = `192.0.2.${++address}`;
      return await call(t, await anotherVisitor(t, v, a), {
        phoneNumber: `+1415555${2670 + address}`,
      }, a);
    };
    assert.equal((await next()).status, 201);
    assert.equal((await next()).status, 201);
    await assertBudgetMet(await next(), "callsPerWidget");
    // A second widget of the same organization meets the organization's budget.
    const second = await t.post("/api/widgets", {
      name: "Second",
      agentId: v.agent.id,
      voiceMode: "both",
      phoneCountries: ["US"],
    }, v.admin.token);
    const widgetId = (await second.json()).id;
    const auth = await t.post("/embed/auth", { widgetId, domain: "example.com" }, "", {
      "x-forwarded-for": "192.0.2.200",
    });
    const token = (await auth.json()).token;
    const res = await call(
      t,
      { token, sessionId: await newSession(t, token) },
      undefined,
      "192.0.2.200",
    );
    await assertBudgetMet(res, "callsPerOrganization");
    assert.equal(fake.requestsTo(PHONE_CALLS).length, 2);
  },
  {
    config: {
      ...proxied,
      limits: { callsPerWidgetPerDay: 2, callsPerOrganizationPerDay: 2 },
    },
  },
);

retellTest(
  "calls per visitor: a budget met leaves the call unplaced and Retell unasked",
  async (t, fake, v) => {
    assert.equal((await call(t, { token: v.visitorToken, sessionId: v.sessionId })).status, 201);
    const second = { token: v.visitorToken, sessionId: await newSession(t, v.visitorToken) };
    await assertBudgetMet(await call(t, second), "callsPerVisitor");
    assert.equal(fake.requestsTo(PHONE_CALLS).length, 1);
  },
  { config: { limits: { callsPerVisitorPerHour: 1 } } },
);

retellTest(
  "a burst of 20 concurrent calls from one address places exactly 5",
  async (t, fake, v) => {
    const visitors = [];
    for (let i = 0; i < 20; i++) visitors.push(await anotherVisitor(t, v));
    const results = await Promise.all(visitors.map((w) => call(t, w, { mode: "web" })));
    const statuses = results.map((r) => r.status).sort();
    assert.deepEqual(statuses, [...Array(5).fill(201), ...Array(15).fill(429)]);
    assert.equal(fake.requestsTo(/create-web-call/).length, 5);
  },
  { config: proxied },
);

retellTest(
  "concurrent calls per organization: a burst never holds more than the cap",
  async (t, fake, v) => {
    const visitors = [];
    for (let i = 0; i < 8; i++) {
      const address = `198.51.100.${i + 1}`;
      visitors.push({ ...(await anotherVisitor(t, v, address)), address });
    }
    const results = await Promise.all(
      visitors.map((w) => call(t, w, { mode: "web" }, w.address)),
    );
    const placed = results.filter((r) => r.status === 201).length;
    assert.equal(placed, 3, results.map((r) => r.status).join(","));
    const refused = results.find((r) => r.status === 429)!;
    assert.equal((await refused.json()).error.details.limit, "concurrentCalls");
    assert.equal(fake.requestsTo(/create-web-call/).length, 3);
  },
  { config: { ...proxied, limits: { concurrentCallsPerOrganization: 3 } } },
);

retellTest(
  "a call refused because another is in progress gives its budget back",
  async (t, _fake, v) => {
    const me = { token: v.visitorToken, sessionId: v.sessionId };
    assert.equal((await call(t, me)).status, 201);
    for (let i = 0; i < 3; i++) assert.equal((await call(t, me)).status, 409);
  },
  { config: { limits: { callsPerVisitorPerHour: 2 } } },
);

retellTest(
  "RATE_LIMITS=off lets a load test place calls past every budget",
  async (t, fake, v) => {
    for (let i = 0; i < 8; i++) {
      assert.equal((await call(t, await anotherVisitor(t, v), { mode: "web" })).status, 201);
    }
    assert.equal(fake.requestsTo(/create-web-call/).length, 8);
  },
  { config: { ...proxied, rateLimits: false } },
);
