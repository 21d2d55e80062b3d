/**
 * @module Who a signed-in user is and what their role lets them do. An admin token is only a
 * claim: every request that acts as a user loads that user, so a removed teammate's tokens stop
 * working at once and a changed role applies to the next request.
 */
import type { Context, MiddlewareHandler } from "hono";
import { every } from "hono/combine";
import type { AppEnv } from "../context.ts";
import { HttpError } from "../lib/errors.ts";
import { requireAdmin } from "../lib/auth.ts";
import { findOrganizationUser } from "../db/queries/users.ts";
import type { Role, User } from "../db/schema.ts";

/** Roles that manage the organization: agents, widgets, Retell, webhooks and the team. */
export const MANAGERS: readonly Role[] = ["owner", "admin"];

const gone = () =>
  new HttpError(401, "unauthorized", "This account no longer exists", {
    headers: { "WWW-Authenticate": "Bearer" },
  });

/**
 * Loads the user of the request's admin token (after `requireAdmin` or `requireActor`) and sets
 * `user`; a visitor passes through untouched. 401 when the user is gone.
 */
export function loadUser(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const admin = c.get("admin");
    if (admin && !c.get("user")) {
      const user = await findOrganizationUser(c.var.db, admin.organizationId, admin.userId);
      if (!user) throw gone();
      c.set("user", user);
    }
    await next();
  };
}

/**
 * Requires an admin token whose user holds one of `roles` (403 otherwise). Members may work
 * conversations only, so the routes that configure the organization use `requireRole(...MANAGERS)`.
 */
export function requireRole(...roles: Role[]): MiddlewareHandler<AppEnv> {
  const check: MiddlewareHandler<AppEnv> = async (c, next) => {
    if (!roles.includes(userOf(c).role)) {
      throw new HttpError(403, "forbidden", "Your role does not allow this");
    }
    await next();
  };
  return every(requireAdmin(), loadUser(), check);
}

/** The user of a request that passed `loadUser` or `requireRole`. */
export function userOf(c: Context<AppEnv>): User {
  const user = c.get("user");
  if (!user) throw gone();
  return user;
}
