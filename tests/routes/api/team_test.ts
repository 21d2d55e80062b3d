import assert from "node:assert/strict";
import { dbTest, registerAdmin, uniqueEmail } from "../../helpers/test_app.ts";
import { addTeammate } from "../../helpers/team.ts";

dbTest(
  "POST /api/auth/register makes the first user the owner, named after their email",
  async (t) => {
    const email = uniqueEmail("ada");
    const res = await t.post("/api/auth/register", {
      email,
      password: "long enough password",
      organizationName: "Acme",
    });
    assert.equal(res.status, 201);
    const body = await res.json();
    assert.equal(body.user.role, "owner");
    assert.equal(body.user.name, email.split("@")[0]);
    const me = await (await t.get("/api/auth/me", body.token)).json();
    assert.equal(me.user.role, "owner");
  },
);

dbTest("PUT /api/auth/me renames the user; a bad name is a 400", async (t) => {
  const owner = await registerAdmin(t);
  const res = await t.put("/api/auth/me", { name: "  Ada Lovelace " }, owner.token);
  assert.equal(res.status, 200);
  assert.equal((await res.json()).user.name, "Ada Lovelace");
  assert.equal((await (await t.get("/api/auth/me", owner.token)).json()).user.name, "Ada Lovelace");
  for (const body of [{ name: "" }, { name: "x".repeat(101) }, {}, { name: "A", role: "owner" }]) {
    const bad = await t.put("/api/auth/me", body, owner.token);
    assert.equal(bad.status, 400, JSON.stringify(body));
  }
  assert.equal((await t.put("/api/auth/me", { name: "X" })).status, 401);
});

dbTest(
  "POST /api/organization/invites → 201 with a 7-day link; accepting it once → 201, then 410",
  async (t) => {
    const owner = await registerAdmin(t);
    const email = uniqueEmail("sam");
    const before = Date.now();
    const res = await t.post("/api/organization/invites", {
      email: email.toUpperCase(),
      role: "member",
    }, owner.token);
    assert.equal(res.status, 201);
    const invite = await res.json();
    assert.deepEqual(Object.keys(invite).sort(), [
      "email",
      "expiresAt",
      "id",
      "inviteUrl",
      "role",
      "token",
    ]);
    assert.equal(invite.email, email);
    assert.equal(invite.role, "member");
    assert.ok(invite.inviteUrl.startsWith("http://parley.test/admin/invite?token="));
    assert.ok(invite.inviteUrl.endsWith(encodeURIComponent(invite.token)));
    const ttl = Date.parse(invite.expiresAt) - before;
    assert.ok(Math.abs(ttl - 7 * 24 * 3600 * 1000) < 60_000, `expires in ${ttl} ms`);

    const pending = await (await t.get("/api/organization/invites", owner.token)).json();
    assert.deepEqual(pending.invites.map((i: { id: string }) => i.id), [invite.id]);
    assert.equal(
      pending.invites[0].token,
      undefined,
      "a pending invite never shows its token again",
    );

    const accepted = await t.post("/api/auth/accept-invite", {
      token: invite.token,
      name: "Sam Rivera",
      password: "teammate password",
    });
    assert.equal(accepted.status, 201);
    const body = await accepted.json();
    assert.equal(body.user.email, email);
    assert.equal(body.user.role, "member");
    assert.equal(body.user.name, "Sam Rivera");
    assert.equal(body.user.organizationId, owner.organizationId);
    assert.equal((await t.get("/api/auth/me", body.token)).status, 200);
    assert.equal(
      (await t.post("/api/auth/login", { email, password: "teammate password" })).status,
      200,
    );

    const again = await t.post("/api/auth/accept-invite", {
      token: invite.token,
      name: "Someone Else",
      password: "another password",
    });
    assert.equal(again.status, 410);
    assert.equal((await again.json()).error.code, "gone");
    const none = await (await t.get("/api/organization/invites", owner.token)).json();
    assert.deepEqual(none.invites, []);
  },
);

dbTest(
  "POST /api/auth/accept-invite refuses unknown, expired and malformed invitations",
  async (t) => {
    const owner = await registerAdmin(t);
    const unknown = await t.post("/api/auth/accept-invite", {
      token: "no-such-token",
      name: "X",
      password: "long enough",
    });
    assert.equal(unknown.status, 404);
    const res = await t.post(
      "/api/organization/invites",
      { email: uniqueEmail(), role: "admin" },
      owner.token,
    );
    const invite = await res.json();
    await t.testDb.database.db.execute(
      `UPDATE invites SET expires_at = now() - interval '1 second' WHERE id = '${invite.id}'`,
    );
    const expired = await t.post("/api/auth/accept-invite", {
      token: invite.token,
      name: "X",
      password: "long enough",
    });
    assert.equal(expired.status, 410);
    const short = await t.post("/api/auth/accept-invite", {
      token: invite.token,
      name: "X",
      password: "short",
    });
    assert.equal(short.status, 400);
  },
);

dbTest("Two concurrent accepts of one invitation create one user", async (t) => {
  const owner = await registerAdmin(t);
  const invite = await (await t.post(
    "/api/organization/invites",
    { email: uniqueEmail(), role: "member" },
    owner.token,
  )).json();
  const results = await Promise.all(
    [1, 2].map((i) =>
      t.post("/api/auth/accept-invite", {
        token: invite.token,
        name: `P${i}`,
        password: "long enough",
      })
    ),
  );
  assert.deepEqual(results.map((r) => r.status).sort(), [201, 410]);
  const members = await (await t.get("/api/organization/members", owner.token)).json();
  assert.equal(members.members.length, 2);
});

dbTest(
  "POST /api/organization/invites refuses an email that has an account, and bad roles",
  async (t) => {
    const owner = await registerAdmin(t);
    const other = await t.post("/api/auth/register", {
      email: "taken@example.com",
      password: "long enough password",
      organizationName: "Other",
    });
    assert.equal(other.status, 201);
    const taken = await t.post("/api/organization/invites", {
      email: "taken@example.com",
      role: "member",
    }, owner.token);
    assert.equal(taken.status, 409);
    for (const role of ["owner", "boss", undefined]) {
      const bad = await t.post(
        "/api/organization/invites",
        { email: uniqueEmail(), role },
        owner.token,
      );
      assert.equal(bad.status, 400, String(role));
    }
  },
);

dbTest(
  "GET /api/organization/members lists the team, owner first; another organization's is unseen",
  async (t) => {
    const owner = await registerAdmin(t);
    const admin = await addTeammate(t, owner.token, "admin", "Ada Admin");
    const member = await addTeammate(t, admin.token, "member", "Max Member");
    const res = await t.get("/api/organization/members", owner.token);
    assert.equal(res.status, 200);
    const { members } = await res.json();
    assert.deepEqual(members.map((m: { role: string }) => m.role), ["owner", "admin", "member"]);
    assert.deepEqual(Object.keys(members[2]).sort(), ["email", "id", "name", "role"]);
    assert.equal(members[2].name, "Max Member");
    assert.equal(members[2].id, member.userId);

    const stranger = await registerAdmin(t, "Other");
    const theirs = await (await t.get("/api/organization/members", stranger.token)).json();
    assert.equal(theirs.members.length, 1);
    const cross = await t.delete(`/api/organization/members/${member.userId}`, stranger.token);
    assert.equal(cross.status, 404);
  },
);

dbTest(
  "A member gets 403 on agents, widgets and team routes, and works conversations",
  async (t) => {
    const owner = await registerAdmin(t);
    const member = await addTeammate(t, owner.token, "member");
    const agent = await (await t.post("/api/agents", { name: "Helper" }, owner.token)).json();
    const widget =
      await (await t.post("/api/widgets", { name: "Site", agentId: agent.id }, owner.token)).json();
    const refused: [string, string, unknown?][] = [
      ["GET", "/api/agents"],
      ["POST", "/api/agents", { name: "Mine" }],
      ["GET", `/api/agents/${agent.id}`],
      ["PUT", `/api/agents/${agent.id}`, { name: "Renamed" }],
      ["DELETE", `/api/agents/${agent.id}`],
      ["POST", "/api/widgets", { name: "Mine", agentId: agent.id }],
      ["GET", `/api/widgets/${widget.id}`],
      ["PUT", `/api/widgets/${widget.id}`, { name: "Renamed" }],
      ["DELETE", `/api/widgets/${widget.id}`],
      ["GET", `/api/widgets/organization/${owner.organizationId}`],
      ["POST", "/api/organization/invites", { email: uniqueEmail(), role: "member" }],
      ["GET", "/api/organization/invites"],
      ["GET", "/api/organization/members"],
      ["DELETE", `/api/organization/members/${owner.userId}`],
    ];
    for (const [method, path, body] of refused) {
      const res = await t.request(path, {
        method,
        headers: { authorization: `Bearer ${member.token}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      assert.equal(res.status, 403, `${method} ${path}`);
      assert.equal((await res.json()).error.code, "forbidden");
    }
    // Nothing changed.
    assert.equal((await t.get(`/api/agents/${agent.id}`, owner.token)).status, 200);
    // Conversations are a member's work.
    const session = await t.post("/api/chat/sessions", { agentId: agent.id }, member.token);
    assert.equal(session.status, 201);
    assert.equal((await t.get("/api/chat/sessions", member.token)).status, 200);
    assert.equal((await t.put("/api/auth/me", { name: "New Name" }, member.token)).status, 200);
  },
);

dbTest("An admin manages the team but cannot remove the owner", async (t) => {
  const owner = await registerAdmin(t);
  const admin = await addTeammate(t, owner.token, "admin");
  assert.equal((await t.get("/api/agents", admin.token)).status, 200);
  const res = await t.delete(`/api/organization/members/${owner.userId}`, admin.token);
  assert.equal(res.status, 403);
  const ownSelf = await t.delete(`/api/organization/members/${owner.userId}`, owner.token);
  assert.equal(ownSelf.status, 403);
  assert.equal((await t.get("/api/auth/me", owner.token)).status, 200);
});

dbTest(
  "DELETE /api/organization/members/:userId → 204 and that user's tokens stop working",
  async (t) => {
    const owner = await registerAdmin(t);
    const member = await addTeammate(t, owner.token, "member");
    const login = await (await t.post("/api/auth/login", {
      email: member.email,
      password: "teammate password",
    })).json();
    const agent = await (await t.post("/api/agents", { name: "Helper" }, owner.token)).json();
    const session = await (await t.post("/api/chat/sessions", { agentId: agent.id }, owner.token))
      .json();
    assert.equal(
      (await t.put(`/api/chat/sessions/${session.id}`, { handler: "human" }, member.token)).status,
      200,
    );

    const res = await t.delete(`/api/organization/members/${member.userId}`, owner.token);
    assert.equal(res.status, 204);
    for (const token of [member.token, login.token]) {
      assert.equal((await t.get("/api/auth/me", token)).status, 401);
      assert.equal((await t.get("/api/chat/sessions", token)).status, 401);
      assert.equal((await t.get(`/api/chat/sessions/${session.id}`, token)).status, 401);
      assert.equal(
        (await t.post(`/api/chat/sessions/${session.id}/messages`, { content: "hi" }, token))
          .status,
        401,
      );
    }
    const after = await (await t.get(`/api/chat/sessions/${session.id}`, owner.token)).json();
    assert.equal(after.assigneeId, null, "their conversations are unassigned");
    assert.equal(
      (await t.post("/api/auth/login", { email: member.email, password: "teammate password" }))
        .status,
      401,
    );
    const again = await t.delete(`/api/organization/members/${member.userId}`, owner.token);
    assert.equal(again.status, 404);
  },
);

dbTest("DELETE /api/organization/invites/:id withdraws a pending invitation", async (t) => {
  const owner = await registerAdmin(t);
  const invite = await (await t.post(
    "/api/organization/invites",
    { email: uniqueEmail(), role: "member" },
    owner.token,
  )).json();
  assert.equal((await t.delete(`/api/organization/invites/${invite.id}`, owner.token)).status, 204);
  const accept = await t.post("/api/auth/accept-invite", {
    token: invite.token,
    name: "X",
    password: "long enough",
  });
  assert.equal(accept.status, 404);
});
