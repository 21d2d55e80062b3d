/** @module Test helpers for teammates: invite someone into an organization and sign them in. */
import type { TestApp } from "./test_app.ts";
import { uniqueEmail } from "./test_app.ts";

/** Invites a teammate with `role` and accepts the invitation; returns their token and ids. */
export async function addTeammate(
  t: TestApp,
  managerToken: string,
  role: "admin" | "member" = "member",
  name = "Sam Rivera",
  email = uniqueEmail(role),
) {
  const invite = await t.post("/api/organization/invites", { email, role }, managerToken);
  if (invite.status !== 201) {
    throw new Error(`invite failed: ${invite.status} ${await invite.text()}`);
  }
  const { token: inviteToken } = await invite.json();
  const res = await t.post("/api/auth/accept-invite", {
    token: inviteToken,
    name,
    password: "teammate password",
  });
  if (res.status !== 201) throw new Error(`accept failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return { token: body.token as string, userId: body.user.id as string, email, name };
}
