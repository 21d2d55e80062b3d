/**
 * SPEC v2.5 consent before a call: a widget with `voiceConsentText` places no call, phone or
 * browser, without `consent: true`, and a refused call never reaches Retell.
 */
import assert from "node:assert/strict";
import { dbTest, setupVisitor, type TestApp, useDeploymentRetell } from "../../helpers/test_app.ts";
import { type FakeRetell, startFakeRetell } from "../../helpers/fake_retell.ts";
import { createRetellAgent } from "../../../agents/retell.ts";
import { listCallsOf } from "../../../db/queries/calls.ts";

const CONSENT = "This call may be recorded to improve our service.";
const TO = "+14155552671";

type Visitor = Awaited<ReturnType<typeof setupVisitor>> & { sessionId: string };

function consentTest(
  name: string,
  widget: Record<string, unknown>,
  fn: (t: TestApp, fake: FakeRetell, v: Visitor) => Promise<void>,
) {
  dbTest(name, async (t) => {
    const fake = await startFakeRetell();
    try {
      useDeploymentRetell(t, fake);
      t.deps.agent = createRetellAgent({
        apiKey: fake.apiKey,
        baseUrl: fake.url,
        timeoutMs: 2000,
        maxRetries: 2,
      });
      const v = await setupVisitor(t, { voiceMode: "both", phoneCountries: ["US"], ...widget }, {
        retellAgentId: "agent_voice_test",
        fromNumber: "+14155550100",
      });
      const session = await t.post("/api/chat/sessions", {}, v.visitorToken);
      await fn(t, fake, { ...v, sessionId: (await session.json()).id });
    } finally {
      await fake.close();
    }
  }, { config: { retellApiKey: "key_test_fake_retell" } });
}

const voice = (t: TestApp, v: Visitor, body: unknown) =>
  t.post(`/api/chat/sessions/${v.sessionId}/voice`, body, v.visitorToken);
const createCalls = (fake: FakeRetell) =>
  fake.requests.filter((r) => /create-(phone|web)-call/.test(r.path));

consentTest(
  "a widget with voiceConsentText refuses a call without consent: true, before Retell",
  { voiceConsentText: CONSENT },
  async (t, fake, v) => {
    for (
      const body of [
        { phoneNumber: TO },
        { phoneNumber: TO, consent: false },
        { mode: "web" },
        { mode: "web", consent: false },
      ]
    ) {
      const res = await voice(t, v, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      const { error } = await res.json();
      assert.equal(error.code, "consent_required");
      assert.deepEqual(error.details, { consentText: CONSENT });
    }
    // A consent that is not a boolean is a plain validation error.
    const odd = await voice(t, v, { mode: "web", consent: "yes" });
    assert.equal(odd.status, 400);
    assert.equal((await odd.json()).error.code, "validation_failed");

    assert.equal(createCalls(fake).length, 0, "no refused call reaches Retell");
    assert.deepEqual(await listCallsOf(t.deps.database.db, v.sessionId), [], "nor is stored");
    const mode = (await (await t.get(`/api/chat/sessions/${v.sessionId}`, v.visitorToken)).json())
      .mode;
    assert.equal(mode, "chat");
  },
);

consentTest(
  "with consent: true the call is placed and keeps when consent was given",
  { voiceConsentText: CONSENT },
  async (t, fake, v) => {
    const before = Date.now();
    const res = await voice(t, v, { mode: "web", consent: true });
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.equal(createCalls(fake).length, 1);
    const consentAt = Date.parse(body.consentAt);
    assert.ok(consentAt >= before - 1000 && consentAt <= Date.now() + 1000, body.consentAt);
    const [call] = await listCallsOf(t.deps.database.db, v.sessionId);
    assert.equal(call.consentAt?.toISOString(), body.consentAt);

    // The stored moment is on the Call wire shape (the admin's conversation view).
    const ended = await t.post(`/api/chat/sessions/${v.sessionId}/voice/end`, {}, v.visitorToken);
    assert.equal((await ended.json()).consentAt, body.consentAt);
  },
);

consentTest(
  "a phone call with consent: true is placed with its consent stored",
  { voiceConsentText: CONSENT },
  async (t, fake, v) => {
    const res = await voice(t, v, { phoneNumber: TO, consent: true });
    assert.equal(res.status, 201);
    assert.ok((await res.json()).consentAt);
    assert.equal(fake.requestsTo("/v2/create-phone-call", "POST").length, 1);
  },
);

consentTest(
  "a widget without voiceConsentText needs no consent and stores none",
  {},
  async (t, fake, v) => {
    const res = await voice(t, v, { mode: "web" });
    assert.equal(res.status, 201);
    assert.equal((await res.json()).consentAt, null);
    assert.equal(createCalls(fake).length, 1);
    const [call] = await listCallsOf(t.deps.database.db, v.sessionId);
    assert.equal(call.consentAt, null);
  },
);

consentTest(
  "removing the consent text lifts the rule; adding it back restores it",
  {},
  async (t, fake, v) => {
    const set = await t.put(
      `/api/widgets/${v.widget.id}`,
      { voiceConsentText: CONSENT },
      v.admin.token,
    );
    assert.equal(set.status, 200);
    assert.equal((await voice(t, v, { mode: "web" })).status, 400);
    await t.put(`/api/widgets/${v.widget.id}`, { voiceConsentText: null }, v.admin.token);
    assert.equal((await voice(t, v, { mode: "web" })).status, 201);
    assert.equal(createCalls(fake).length, 1);
  },
);
