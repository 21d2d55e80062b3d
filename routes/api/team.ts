/** @module `/api/organization` invites and members: the team (owners and admins only). */
import { Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { notFound } from "../../lib/errors.ts";
import { HttpError } from "../../lib/errors.ts";
import { idParam } from "../../lib/validate.ts";
import { InviteCreateSchema } from "../../contract/requests.ts";
import { MANAGERS, requireRole, userOf } from "../../team/guard.ts";
import { invite, inviteUrl } from "../../team/invites.ts";
import { memberJson, pendingInviteJson } from "../../team/wire.ts";
import { deleteInvite, listPendingInvites } from "../../db/queries/invites.ts";
import {
  deleteNonOwner,
  findOrganizationUser,
  listOrganizationUsers,
} from "../../db/queries/users.ts";
import { doc } from "../../lib/openapi.ts";
import {
  InviteCreatedSchema,
  InviteListSchema,
  MemberListSchema,
} from "../../contract/responses.ts";

/** Our origin as links should name it: `PUBLIC_URL` when set, else the request's. */
function originOf(publicUrl: string | undefined, requestUrl: string): string {
  return new URL(publicUrl ?? requestUrl).origin;
}

// Per route, not `.use()`: other helpers' routes share the `/api/organization` prefix.
const managers = requireRole(...MANAGERS);

export const teamRoutes = new Hono<AppEnv>()
  .post(
    "/invites",
    managers,
    doc({
      summary: "Invite a teammate",
      auth: "admin",
      body: InviteCreateSchema,
      responses: { 201: InviteCreatedSchema },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { row, token } = await invite(c.var.db, userOf(c), body);
      return c.json({
        id: row.id,
        email: row.email,
        role: row.role,
        token,
        inviteUrl: inviteUrl(originOf(c.var.config.publicUrl, c.req.url), token),
        expiresAt: row.expiresAt.toISOString(),
      }, 201);
    },
  )
  .get(
    "/invites",
    managers,
    doc({ summary: "Pending invitations", auth: "admin", responses: { 200: InviteListSchema } }),
    async (c) => {
      const rows = await listPendingInvites(c.var.db, userOf(c).organizationId);
      return c.json({ invites: rows.map(pendingInviteJson) });
    },
  )
  .delete(
    "/invites/:id",
    managers,
    doc({ summary: "Withdraw an invitation", auth: "admin", responses: { 204: null } }),
    async (c) => {
      const id = idParam(c, "invite");
      if (!await deleteInvite(c.var.db, userOf(c).organizationId, id)) throw notFound("invite", id);
      return c.body(null, 204);
    },
  )
  .get(
    "/members",
    managers,
    doc({
      summary: "Members of the organization",
      auth: "admin",
      responses: { 200: MemberListSchema },
    }),
    async (c) => {
      const rows = await listOrganizationUsers(c.var.db, userOf(c).organizationId);
      return c.json({ members: rows.map(memberJson) });
    },
  )
  .delete(
    "/members/:userId",
    managers,
    doc({
      summary: "Remove a member (revokes their tokens)",
      auth: "admin",
      responses: { 204: null },
    }),
    async (c) => {
      const id = idParam(c, "member", "userId");
      const { organizationId } = userOf(c);
      const target = await findOrganizationUser(c.var.db, organizationId, id);
      if (!target) throw notFound("member", id);
      if (target.role === "owner") {
        throw new HttpError(403, "forbidden", "The owner of the organization cannot be removed");
      }
      // Deleting the user revokes every token of theirs: each admin request loads its user.
      if (!await deleteNonOwner(c.var.db, organizationId, id)) throw notFound("member", id);
      return c.body(null, 204);
    },
  );
