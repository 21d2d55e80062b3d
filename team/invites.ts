/**
 * @module Invitations: a random token (shown once, as a link to copy; no mail server is assumed),
 * stored as its SHA-256, good for 7 days and for one account.
 */
import { base64url } from "jose";
import { HttpError } from "../lib/errors.ts";
import { hashPassword } from "../lib/passwords.ts";
import type { Db } from "../db/client.ts";
import type { InviteRole, InviteRow, User } from "../db/schema.ts";
import { acceptInvite, createInvite, findInviteByHash } from "../db/queries/invites.ts";
import { findUserByEmail } from "../db/queries/users.ts";

export const INVITE_TTL_MS = 7 * 24 * 3600 * 1000;

/** SHA-256 of a token, hex: what the database keeps. */
export async function tokenHash(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The page where an invitation is accepted. */
export function inviteUrl(origin: string, token: string): string {
  return `${origin}/admin/invite?token=${encodeURIComponent(token)}`;
}

/** Creates an invitation; the token exists only in the answer. */
export async function invite(
  db: Db,
  by: User,
  input: { email: string; role: InviteRole },
): Promise<{ row: InviteRow; token: string }> {
  const existing = await findUserByEmail(db, input.email);
  if (existing) {
    throw new HttpError(409, "conflict", "This email already has a Parley account");
  }
  const token = base64url.encode(crypto.getRandomValues(new Uint8Array(32)));
  const row = await createInvite(db, {
    organizationId: by.organizationId,
    email: input.email,
    role: input.role,
    tokenHash: await tokenHash(token),
    invitedBy: by.id,
    expiresAt: new Date(Date.now() + INVITE_TTL_MS),
  });
  return { row, token };
}

const inviteGone = (message: string) => new HttpError(410, "gone", message);

/** The invitation a token names, if it can still be accepted (404 unknown, 410 used or expired). */
export async function usableInvite(db: Db, token: string): Promise<InviteRow> {
  const row = await findInviteByHash(db, await tokenHash(token));
  if (!row) throw new HttpError(404, "not_found", "Cannot find this invitation");
  if (row.acceptedAt) throw inviteGone("This invitation has already been used");
  if (row.expiresAt.getTime() <= Date.now()) throw inviteGone("This invitation has expired");
  return row;
}

/** Accepts an invitation: creates the user it invites (once; a second accept gets 410). */
export async function accept(
  db: Db,
  input: { token: string; name: string; password: string },
): Promise<User> {
  const row = await usableInvite(db, input.token);
  if (await findUserByEmail(db, row.email)) {
    throw new HttpError(409, "conflict", "This email already has a Parley account");
  }
  const user = await acceptInvite(db, row.id, {
    name: input.name,
    passwordHash: await hashPassword(input.password),
  });
  if (!user) throw inviteGone("This invitation has already been used");
  return user;
}
