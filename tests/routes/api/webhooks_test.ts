import assert from "node:assert/strict";
import { dbTest, registerAdmin } from "../../helpers/test_app.ts";
import { addTeammate } from "../../helpers/team.ts";
import { webhookEndpoints } from "../../../db/schema.ts";
import {
  WebhookCreatedSchema,
  WebhookDeliveryListSchema,
  WebhookListSchema,
  WebhookTestQueuedSchema,
} from "../../../contract/webhooks.ts";

dbTest(
  "POST /api/webhooks answers the secret once; GET lists without it; DELETE removes",
  async (t) => {
    const admin = await registerAdmin(t);
    const res = await t.post("/api/webhooks", {
      url: "https://hooks.example.com/parley",
      events: ["message.created", "conversation.created"],
    }, admin.token);
    assert.equal(res.status, 201);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    const created = WebhookCreatedSchema.parse(await res.json());
    assert.equal(created.url, "https://hooks.example.com/parley");
    assert.deepEqual(created.events, ["conversation.created", "message.created"]);
    assert.match(created.secret, /^whsec_[0-9a-f]{64}$/);
    // Kept sealed: a copy of the database cannot sign deliveries.
    const [stored] = await t.deps.database.db.select().from(webhookEndpoints);
    assert.ok(
      !stored.secret.includes(created.secret.slice(6)),
      "the secret is not stored in clear",
    );
    const list = WebhookListSchema.parse(await (await t.get("/api/webhooks", admin.token)).json());
    assert.deepEqual(list.webhooks.map((w: { id: string }) => w.id), [created.id]);
    assert.equal((list.webhooks[0] as Record<string, unknown>).secret, undefined);
    const log = await t.get(`/api/webhooks/${created.id}/deliveries`, admin.token);
    assert.equal(log.status, 200);
    assert.deepEqual(await log.json(), { deliveries: [] });
    assert.equal((await t.delete(`/api/webhooks/${created.id}`, admin.token)).status, 204);
    assert.equal((await t.delete(`/api/webhooks/${created.id}`, admin.token)).status, 404);
    assert.deepEqual((await (await t.get("/api/webhooks", admin.token)).json()).webhooks, []);
  },
);

dbTest("another organization's webhook is a 404 on every route", async (t) => {
  const owner = await registerAdmin(t, "Owner");
  const stranger = await registerAdmin(t, "Stranger");
  const created = await (await t.post("/api/webhooks", {
    url: "https://hooks.example.com/a",
    events: ["lead.created"],
  }, owner.token)).json();
  assert.equal((await t.get(`/api/webhooks/${created.id}/deliveries`, stranger.token)).status, 404);
  assert.equal((await t.post(`/api/webhooks/${created.id}/test`, {}, stranger.token)).status, 404);
  assert.equal((await t.delete(`/api/webhooks/${created.id}`, stranger.token)).status, 404);
  assert.deepEqual((await (await t.get("/api/webhooks", stranger.token)).json()).webhooks, []);
  assert.equal((await t.get("/api/webhooks")).status, 401);
  assert.equal((await t.get("/api/webhooks/not-a-uuid/deliveries", owner.token)).status, 404);
});

const REFUSED = [
  "http://127.0.0.1/hook",
  "http://localhost:8080/hook",
  "https://localhost/hook",
  "http://api.localhost/hook",
  "http://10.0.0.8/hook",
  "http://172.16.3.4/hook",
  "http://192.168.1.1/hook",
  "http://169.254.169.254/latest/meta-data",
  "http://100.64.0.1/hook",
  "http://0.0.0.0/hook",
  "http://2130706433/hook", // 127.0.0.1 as a number
  "http://0x7f.1/hook",
  "http://[::1]/hook",
  "http://[::ffff:127.0.0.1]/hook",
  "http://[::ffff:a9fe:a9fe]/hook", // 169.254.169.254, IPv6-mapped
  "http://[fe80::1]/hook",
  "http://[fd00::1]/hook",
  "http://[64:ff9b::a00:1]/hook", // NAT64 of 10.0.0.1
  "http://intranet/hook",
  "http://private.example.com/hook", // resolves to 10.1.2.3 below
  "http://mapped.example.com/hook", // resolves to ::ffff:127.0.0.1 below
  "ftp://hooks.example.com/hook",
  "javascript:alert(1)",
  "https://user:pass@hooks.example.com/hook",
  "not a url",
];

dbTest("POST /api/webhooks refuses loopback, private and special destinations (400)", async (t) => {
  t.deps.resolveDns = (host, type) => {
    const answers: Record<string, Record<string, string[]>> = {
      "private.example.com": { A: ["93.184.216.34", "10.1.2.3"] },
      "mapped.example.com": { AAAA: ["::ffff:127.0.0.1"] },
      "hooks.example.com": { A: ["93.184.216.34"] },
    };
    return Promise.resolve(answers[host]?.[type] ?? []);
  };
  const admin = await registerAdmin(t);
  for (const url of REFUSED) {
    const res = await t.post("/api/webhooks", { url, events: ["lead.created"] }, admin.token);
    assert.equal(res.status, 400, url);
    const body = await res.json();
    assert.equal(body.error.details[0].path, "url", url);
  }
  for (
    const url of ["https://hooks.example.com/a", "http://hooks.example.com/b", "http://8.8.8.8/c"]
  ) {
    const res = await t.post("/api/webhooks", { url, events: ["lead.created"] }, admin.token);
    assert.equal(res.status, 201, url);
  }
  assert.deepEqual((await (await t.get("/api/webhooks", admin.token)).json()).webhooks.length, 3);
});

dbTest("WEBHOOKS_ALLOW_PRIVATE=1 lets a webhook point at this machine", async (t) => {
  const admin = await registerAdmin(t);
  const res = await t.post("/api/webhooks", {
    url: "http://127.0.0.1:9/hook",
    events: ["lead.created"],
  }, admin.token);
  assert.equal(res.status, 201);
}, { config: { webhooksAllowPrivate: true } });

dbTest("POST /api/webhooks validates events and bounds how many endpoints there are", async (t) => {
  const admin = await registerAdmin(t);
  for (const events of [[], ["message.deleted"], "message.created"]) {
    const res = await t.post(
      "/api/webhooks",
      { url: "https://h.example.com/", events },
      admin.token,
    );
    assert.equal(res.status, 400, JSON.stringify(events));
  }
  for (let i = 0; i < 20; i++) {
    const res = await t.post("/api/webhooks", {
      url: `https://h.example.com/${i}`,
      events: ["lead.created"],
    }, admin.token);
    assert.equal(res.status, 201);
  }
  const over = await t.post("/api/webhooks", {
    url: "https://h.example.com/21",
    events: ["lead.created"],
  }, admin.token);
  assert.equal(over.status, 409);
});

dbTest("POST /api/webhooks/:id/test queues a test event for that endpoint only", async (t) => {
  const admin = await registerAdmin(t);
  const one = await (await t.post("/api/webhooks", {
    url: "https://h.example.com/one",
    events: ["lead.created"],
  }, admin.token)).json();
  const two = await (await t.post("/api/webhooks", {
    url: "https://h.example.com/two",
    events: ["lead.created"],
  }, admin.token)).json();
  const res = await t.post(`/api/webhooks/${one.id}/test`, {}, admin.token);
  assert.equal(res.status, 202);
  const { eventId } = WebhookTestQueuedSchema.parse(await res.json());
  const log = WebhookDeliveryListSchema.parse(
    await (await t.get(`/api/webhooks/${one.id}/deliveries`, admin.token)).json(),
  ).deliveries;
  assert.equal(log.length, 1);
  assert.equal(log[0].event, "webhook.test");
  assert.equal(log[0].eventId, eventId);
  assert.equal(log[0].status, "pending");
  assert.equal(log[0].attempts, 0);
  assert.equal(log[0].lastStatusCode, null);
  assert.equal(log[0].deliveredAt, null);
  const other = await (await t.get(`/api/webhooks/${two.id}/deliveries`, admin.token)).json();
  assert.deepEqual(other.deliveries, []);
});

dbTest("webhook routes are for owners and admins: a member gets 403 on each", async (t) => {
  const owner = await registerAdmin(t);
  const member = await addTeammate(t, owner.token, "member");
  const admin = await addTeammate(t, owner.token, "admin", "Ada Admin");
  const created = await t.post("/api/webhooks", {
    url: "https://h.example.com/a",
    events: ["lead.created"],
  }, admin.token);
  assert.equal(created.status, 201);
  const { id } = await created.json();
  const attempts = [
    t.post(
      "/api/webhooks",
      { url: "https://h.example.com/b", events: ["lead.created"] },
      member.token,
    ),
    t.get("/api/webhooks", member.token),
    t.get(`/api/webhooks/${id}/deliveries`, member.token),
    t.post(`/api/webhooks/${id}/test`, {}, member.token),
    t.delete(`/api/webhooks/${id}`, member.token),
  ];
  for (const res of await Promise.all(attempts)) assert.equal(res.status, 403);
  assert.equal((await t.get("/api/webhooks", owner.token)).status, 200);
});
