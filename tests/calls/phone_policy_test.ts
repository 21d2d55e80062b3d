import assert from "node:assert/strict";
import { createAgentAndWidget, dbTest, registerAdmin } from "../helpers/test_app.ts";
import { retellTest } from "../helpers/retell_app.ts";
import { seedDemo } from "../../db/seed.ts";
import { getWidgetById } from "../../db/queries/widgets.ts";

const PHONE_CALLS = /create-phone-call/;

dbTest("a new widget offers browser calls only; the demo widget keeps both", async (t) => {
  // The demo is seeded on an empty database only.
  const demo = await seedDemo(t.deps.database.db);
  const { token } = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, token);
  assert.equal(widget.voiceMode, "web");
  assert.deepEqual(widget.phoneCountries, []);
  const demoWidget = await getWidgetById(t.deps.database.db, demo!.widgetId);
  assert.equal(demoWidget!.voiceMode, "both");
  assert.ok(demoWidget!.phoneCountries.length > 0);
});

dbTest("saving a widget that offers phone calls without phoneCountries is a 400", async (t) => {
  const { token } = await registerAdmin(t);
  const { agent, widget } = await createAgentAndWidget(t, token);
  for (const fields of [{ voiceMode: "phone" }, { voiceMode: "both", phoneCountries: [] }]) {
    const res = await t.post("/api/widgets", { name: "W", agentId: agent.id, ...fields }, token);
    assert.equal(res.status, 400, JSON.stringify(fields));
    const body = await res.json();
    assert.equal(body.error.code, "validation_failed");
    assert.ok(body.error.details.some((d: { path: string }) => d.path === "phoneCountries"));
    assert.equal((await t.put(`/api/widgets/${widget.id}`, fields, token)).status, 400);
  }
  for (const bad of [["USA"], ["XX"], ["1"], "US"]) {
    const res = await t.put(`/api/widgets/${widget.id}`, { phoneCountries: bad }, token);
    assert.equal(res.status, 400, JSON.stringify(bad));
  }
  const ok = await t.put(
    `/api/widgets/${widget.id}`,
    { voiceMode: "both", phoneCountries: ["us", "CA", "US"] },
    token,
  );
  assert.equal(ok.status, 200);
  assert.deepEqual((await ok.json()).phoneCountries, ["US", "CA"]);
  // Emptying the list of a widget that offers phone calls is refused too.
  const emptied = await t.put(`/api/widgets/${widget.id}`, { phoneCountries: [] }, token);
  assert.equal(emptied.status, 400);
  // The public configuration names the countries, so the frame offers only those.
  const config = await (await t.get(`/embed/config/${widget.id}`)).json();
  assert.deepEqual(config.phoneCountries, ["US", "CA"]);
});

retellTest(
  "POST /voice refuses a phone call from a widget without phone calls: 403 phone_not_enabled",
  async (t, fake, v) => {
    const res = await t.post(
      `/api/chat/sessions/${v.sessionId}/voice`,
      { phoneNumber: "+14155552671" },
      v.visitorToken,
    );
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, "phone_not_enabled");
    assert.equal(fake.requestsTo(PHONE_CALLS).length, 0);
  },
  { widget: { voiceMode: "web", phoneCountries: [] } },
);

retellTest(
  "POST /voice refuses a number outside phoneCountries: 403 phone_country_not_allowed",
  async (t, fake, v) => {
    for (const number of ["+447911123456", "+33612345678", "+18765551234"]) {
      const res = await t.post(
        `/api/chat/sessions/${v.sessionId}/voice`,
        { phoneNumber: number },
        v.visitorToken,
      );
      assert.equal(res.status, 403, number);
      const body = await res.json();
      assert.equal(body.error.code, "phone_country_not_allowed", number);
      assert.deepEqual(body.error.details.allowedCountries, ["US"]);
    }
    assert.equal(fake.requestsTo(PHONE_CALLS).length, 0);
  },
);

retellTest(
  "POST /voice refuses premium, shared-cost, UAN, personal and network numbers: 400 phone_number_not_allowed",
  async (t, fake, v) => {
    const refused = [
      "+19005551234", // US premium rate
      "+448712345678", // GB premium rate (0871)
      "+447031234567", // GB personal number (070)
      "+33891234567", // FR premium rate
      "+80012345678", // international freephone
      "+80812345678", // international shared cost
      "+870773111632", // Inmarsat
      "+88112345678", // Iridium / Globalstar satellite
      "+882123456789", // international networks
      "+883123456789",
    ];
    for (const number of refused) {
      const res = await t.post(
        `/api/chat/sessions/${v.sessionId}/voice`,
        { phoneNumber: number },
        v.visitorToken,
      );
      const body = await res.json();
      assert.equal(res.status, 400, `${number}: ${JSON.stringify(body)}`);
      assert.equal(body.error.code, "phone_number_not_allowed", number);
    }
    assert.equal(fake.requestsTo(PHONE_CALLS).length, 0);
    // An ordinary number of an allowed country still rings.
    const ok = await t.post(
      `/api/chat/sessions/${v.sessionId}/voice`,
      { phoneNumber: "+14155552671" },
      v.visitorToken,
    );
    assert.equal(ok.status, 201);
    assert.equal(fake.requestsTo(PHONE_CALLS).length, 1);
  },
  { widget: { phoneCountries: ["US", "GB", "FR"] } },
);
