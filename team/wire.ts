/** @module The team's JSON shapes: users, members and pending invitations. */
import type { InviteRow, Role, User } from "../db/schema.ts";

/** A user as `/api/auth` answers it. */
export function userJson(u: User) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role as Role,
    organizationId: u.organizationId,
    createdAt: u.createdAt.toISOString(),
  };
}

/** A member of `GET /api/organization/members`. */
export function memberJson(u: User) {
  return { id: u.id, email: u.email, name: u.name, role: u.role as Role };
}

/** A pending invitation (its token was shown once, at creation). */
export function pendingInviteJson(row: InviteRow) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    expiresAt: row.expiresAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}
