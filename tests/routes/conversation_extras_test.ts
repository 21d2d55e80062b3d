import assert from "node:assert/strict";
import { sign } from "retell-sdk";
import {
  dbTest,
  registerAdmin,
  setupVisitor,
  type TestApp,
  useDeploymentRetell,
} from "../helpers/test_app.ts";
import { startFakeRetell } from "../helpers/fake_retell.ts";
import { createRetellAgent } from "../../agents/retell.ts";
import { rowsOf } from "../helpers/db.ts";
import { sql } from "drizzle-orm";

const FORM = {
  fields: [{ name: "name", required: true }, { name: "email", required: true }, {
    name: "phone",
    required: false,
  }],
  consentText: "I agree that Acme may contact me about my request.",
};

async function session(t: TestApp, token: string): Promise<string> {
  const res = await t.post("/api/chat/sessions", {}, token);
  assert.equal(res.status, 201);
  return (await res.json()).id;
}

dbTest("POST /sessions/:id/lead validates against the widget's pre-chat form", async (t) => {
  const v = await setupVisitor(t, { preChatForm: FORM });
  assert.deepEqual(v.widget.preChatForm, FORM);
  const config = await (await t.get(`/embed/config/${v.widget.id}`)).json();
  assert.deepEqual(config.preChatForm, FORM);
  const id = await session(t, v.visitorToken);
  const lead = (body: unknown, token = v.visitorToken) =>
    t.post(`/api/chat/sessions/${id}/lead`, body, token);

  const refusals: [unknown, string][] = [
    [{ email: "ada@example.com", consent: true }, "name"],
    [{ name: "Ada", consent: true }, "email"],
    [{ name: "Ada", email: "not-an-email", consent: true }, "email"],
    [{ name: "Ada", email: "ada@example.com", phone: "12345", consent: true }, "phone"],
    [{ name: "Ada", email: "ada@example.com", consent: false }, "consent"],
    [{ name: "Ada", email: "ada@example.com" }, "consent"],
    [{ name: "Ada", email: "ada@example.com", consent: true, extra: 1 }, ""],
  ];
  for (const [body, path] of refusals) {
    const res = await lead(body);
    assert.equal(res.status, 400, JSON.stringify(body));
    const error = (await res.json()).error;
    assert.equal(error.code, "validation_failed");
    if (path) assert.equal(error.details[0].path, path, JSON.stringify(body));
  }
  assert.equal(
    (await lead({ name: "Ada", email: "a@b.co", consent: true }, v.admin.token)).status,
    403,
  );

  const ok = await lead({
    name: "Ada",
    email: "Ada@Example.com",
    phone: "+1 415 555 2671",
    consent: true,
  });
  assert.equal(ok.status, 201);
  const created = await ok.json();
  assert.equal(created.email, "ada@example.com");
  assert.equal(created.phone, "+14155552671");
  assert.equal(created.consent, true);
  assert.equal(created.consentText, FORM.consentText);

  const shown = await (await t.get(`/api/chat/sessions/${id}`, v.admin.token)).json();
  assert.equal(shown.lead.id, created.id);
  // What a visitor typed is shown, but never as verified.
  assert.deepEqual(shown.visitor, {
    id: v.visitorId,
    verified: false,
    name: "Ada",
    email: "ada@example.com",
    phone: "+14155552671",
  });
  const again = await lead({ name: "Eve", email: "eve@example.com", consent: true });
  assert.equal(again.status, 409);
});

dbTest(
  "POST /sessions/:id/rating: once per conversation, 1 to 5, the inbox filters by it",
  async (t) => {
    const v = await setupVisitor(t);
    const rated = await session(t, v.visitorToken);
    const unrated = await session(t, v.visitorToken);
    const rate = (body: unknown, id = rated) =>
      t.post(`/api/chat/sessions/${id}/rating`, body, v.visitorToken);
    for (
      const body of [{ score: 0 }, { score: 6 }, { score: 4.5 }, { score: "5" }, {}, {
        score: 3,
        comment: "x".repeat(2001),
      }]
    ) {
      assert.equal((await rate(body)).status, 400, JSON.stringify(body).slice(0, 40));
    }
    const res = await rate({ score: 4, comment: "Quick and helpful" });
    assert.equal(res.status, 201);
    const rating = await res.json();
    assert.equal(rating.score, 4);
    assert.equal(rating.comment, "Quick and helpful");
    const twice = await rate({ score: 1 });
    assert.equal(twice.status, 409);
    assert.equal((await twice.json()).error.code, "conflict");

    // Another visitor cannot rate this one's conversation.
    const other = await t.post("/embed/auth", { widgetId: v.widget.id, domain: "example.com" });
    const stranger = (await other.json()).token;
    assert.equal(
      (await t.post(`/api/chat/sessions/${unrated}/rating`, { score: 1 }, stranger)).status,
      404,
    );

    const list = async (q: string) =>
      (await (await t.get(`/api/chat/sessions?${q}`, v.admin.token)).json()).sessions.map((
        s: { id: string },
      ) => s.id);
    assert.deepEqual(await list("rated=true"), [rated]);
    assert.deepEqual(await list("rated=false"), [unrated]);
    const all = (await (await t.get("/api/chat/sessions", v.admin.token)).json()).sessions;
    assert.equal(all.find((s: { id: string }) => s.id === rated).rating.score, 4);
  },
);

dbTest(
  "GET /sessions/:id/transcript: text and escaped HTML, for the visitor and the team",
  async (t) => {
    const v = await setupVisitor(t, { headerText: "Acme <Support>" });
    const id = await session(t, v.visitorToken);
    await t.post(
      `/api/chat/sessions/${id}/messages`,
      { content: "<script>alert(1)</script> & hi" },
      v.visitorToken,
    );

    const text = await t.get(`/api/chat/sessions/${id}/transcript`, v.visitorToken);
    assert.equal(text.status, 200);
    assert.match(text.headers.get("content-type") ?? "", /text\/plain/);
    const body = await text.text();
    assert.match(body, /^Acme <Support>\n/);
    assert.match(
      body,
      /\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\] Assistant: Hello! How can I help you today\?/,
    );
    assert.match(body, /\] Visitor: <script>alert\(1\)<\/script> & hi\n/);

    const html = await t.get(`/api/chat/sessions/${id}/transcript?format=html`, v.admin.token);
    assert.equal(html.status, 200);
    assert.match(html.headers.get("content-type") ?? "", /text\/html/);
    assert.match(html.headers.get("content-security-policy") ?? "", /default-src 'none'/);
    const page = await html.text();
    assert.ok(!page.includes("<script>"), "no markup of the visitor's survives");
    assert.ok(page.includes("&lt;script&gt;alert(1)&lt;/script&gt; &amp; hi"));
    assert.ok(page.includes("<title>Acme &lt;Support&gt;</title>"));

    assert.equal(
      (await t.get(`/api/chat/sessions/${id}/transcript?format=pdf`, v.visitorToken)).status,
      400,
    );
    const stranger = await registerAdmin(t, "Other");
    assert.equal((await t.get(`/api/chat/sessions/${id}/transcript`, stranger.token)).status, 404);
  },
);

dbTest("a chat → phone call → chat conversation reads as one transcript", async (t) => {
  const fake = await startFakeRetell();
  try {
    t.deps.agent = createRetellAgent({
      apiKey: fake.apiKey,
      baseUrl: fake.url,
      timeoutMs: 2000,
      maxRetries: 0,
    });
    // Agent ids are checked against the account the organization uses (SPEC v2.2).
    useDeploymentRetell(t, fake);
    const v = await setupVisitor(t, { voiceMode: "phone", phoneCountries: ["US"] }, {
      retellChatAgentId: "agent_chat_test",
      retellAgentId: "agent_voice_test",
      fromNumber: "+14155550100",
    });
    const id = await session(t, v.visitorToken);
    const say = (content: string) =>
      t.post(`/api/chat/sessions/${id}/messages`, { content }, v.visitorToken);
    assert.equal((await say("Can you call me about order 1234?")).status, 201);
    const call = await (await t.post(
      `/api/chat/sessions/${id}/voice`,
      { phoneNumber: "+14155552671" },
      v.visitorToken,
    )).json();
    const started = Date.now();
    const webhook = async (event: string, extra: Record<string, unknown>) => {
      const raw = JSON.stringify({
        event,
        call: {
          call_id: call.retellCallId,
          metadata: { callId: call.callId, chatSessionId: id },
          ...extra,
        },
      });
      const res = await t.request("/api/retell/webhook", {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-retell-signature": await sign(raw, fake.apiKey),
        },
        body: raw,
      });
      assert.ok(res.status < 300, `${event}: ${res.status}`);
    };
    await webhook("call_started", { call_status: "ongoing", start_timestamp: started });
    await webhook("call_ended", {
      call_status: "ended",
      start_timestamp: started,
      end_timestamp: started + 60_000,
      transcript_object: [
        { role: "agent", content: "Hi, this is Acme about order 1234.", words: [{ start: 0.5 }] },
        { role: "user", content: "Where is it?", words: [{ start: 4 }] },
        { role: "agent", content: "It ships tomorrow.", words: [{ start: 7 }] },
      ],
    });
    assert.equal((await say("Thanks, please send the tracking link")).status, 201);

    const text = await (await t.get(`/api/chat/sessions/${id}/transcript`, v.visitorToken)).text();
    const lines = text.split("\n").filter((l) => l.startsWith("["));
    const who = lines.map((l) => l.replace(/^\[[^\]]+\] /, "").split(":")[0]);
    assert.deepEqual(who, [
      "Assistant",
      "Visitor",
      "Assistant",
      "Parley",
      "Assistant (call)",
      "Visitor (call)",
      "Assistant (call)",
      "Parley",
      "Visitor",
      "Assistant",
    ], text);
    assert.match(text, /Parley: Voice call ended · 1m 0s/);
    assert.ok(
      text.indexOf("order 1234?") < text.indexOf("It ships tomorrow.") &&
        text.indexOf("It ships tomorrow.") < text.indexOf("tracking link"),
    );
    const times = lines.map((l) => l.slice(1, 24));
    assert.deepEqual([...times].sort(), times, "in time order");
  } finally {
    await fake.close();
  }
}, { config: { retellApiKey: "key_test_fake_retell" } });

dbTest(
  "a lead and a rating reach the organization's webhooks (lead.created, conversation.rated)",
  async (t) => {
    const v = await setupVisitor(t);
    const hook = await t.post(
      "/api/webhooks",
      { url: "http://127.0.0.1:9/parley", events: ["lead.created", "conversation.rated"] },
      v.admin.token,
    );
    assert.equal(hook.status, 201);
    const id = await session(t, v.visitorToken);
    await t.post(`/api/chat/sessions/${id}/lead`, { email: "ada@example.com" }, v.visitorToken);
    await t.post(`/api/chat/sessions/${id}/rating`, { score: 2, comment: "slow" }, v.visitorToken);
    const events = rowsOf<{ type: string; body: string }>(
      await t.deps.database.db.execute(
        sql`select type, body from webhook_events order by created_at, type`,
      ),
    );
    assert.deepEqual(events.map((e) => e.type), ["lead.created", "conversation.rated"]);
    const [lead, rating] = events.map((e) => JSON.parse(e.body).data);
    assert.equal(lead.session.id, id);
    assert.equal(lead.lead.email, "ada@example.com");
    assert.equal(rating.rating.score, 2);
    assert.equal(rating.rating.comment, "slow");
  },
  { config: { webhooksAllowPrivate: true } },
);
