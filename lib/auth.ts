/**
 * @module Authentication middleware: Bearer tokens for admins and for widget visitors. It names
 * only the context variables it reads and sets (`AuthEnv`), so `lib/` stays a leaf: any app
 * whose environment has them (our `AppEnv`) can use it.
 */
import type { Context, MiddlewareHandler } from "hono";
import { HttpError } from "./errors.ts";
import {
  ADMIN_AUDIENCE,
  type AdminClaims,
  claimedAudience,
  verifyAdminToken,
  verifyVisitorToken,
  VISITOR_AUDIENCE,
  type VisitorClaims,
} from "./tokens.ts";

/** The context variables authentication reads (`config.jwtSecret`) and sets (`admin`, `visitor`). */
export type AuthEnv = {
  Variables: {
    config: { jwtSecret: string };
    /**
     * Whether an admin token's sign-in is still live (not signed out, not revoked): admin tokens
     * are refused without it, so that logout revokes them (the app checks `admin_sessions`).
     */
    signInLive: SignInLive;
    admin?: AdminClaims;
    visitor?: VisitorClaims;
  };
};

/** Checks that an admin token's sign-in is still live. */
export type SignInLive = (claims: AdminClaims) => Promise<boolean>;

/** The Bearer token of a request, if any. */
export function bearerToken(c: Context): string | undefined {
  const header = c.req.header("authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

const unauthorized = (message = "Missing or invalid token") =>
  new HttpError(401, "unauthorized", message, { headers: { "WWW-Authenticate": "Bearer" } });

/** Requires an admin token; sets `admin`. */
export function requireAdmin(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const token = bearerToken(c);
    const actor = token
      ? await actorFromToken(c.var.config.jwtSecret, token, c.var.signInLive)
      : undefined;
    const admin = actor?.kind === "admin" ? actor.admin : undefined;
    if (!admin) throw unauthorized();
    c.set("admin", admin);
    await next();
  };
}

/** Requires an admin or a visitor token; sets `admin` or `visitor`. */
export function requireActor(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const token = bearerToken(c);
    if (!token) throw unauthorized();
    const actor = await actorFromToken(c.var.config.jwtSecret, token, c.var.signInLive);
    if (!actor) throw unauthorized();
    if (actor.kind === "admin") c.set("admin", actor.admin);
    else c.set("visitor", actor.visitor);
    await next();
  };
}

/** The admin of a request that passed `requireAdmin`. */
export function adminOf<E extends AuthEnv>(c: Context<E>): AdminClaims {
  const admin = c.get("admin");
  if (!admin) throw unauthorized();
  return admin;
}

/** Who is acting: exactly one of admin or visitor after `requireActor`. */
export type Actor =
  | { kind: "admin"; admin: AdminClaims; organizationId: string }
  | { kind: "visitor"; visitor: VisitorClaims; organizationId: string };

/** The actor of a request that passed `requireActor`. */
export function actorOf<E extends AuthEnv>(c: Context<E>): Actor {
  const admin = c.get("admin");
  if (admin) return { kind: "admin", admin, organizationId: admin.organizationId };
  const visitor = c.get("visitor");
  if (visitor) return { kind: "visitor", visitor, organizationId: visitor.organizationId };
  throw unauthorized();
}

/** Resolves an actor from a raw token (the WebSocket passes it as a query parameter). */
export async function actorFromToken(
  secret: string,
  token: string,
  signInLive: SignInLive,
): Promise<Actor | undefined> {
  // One verification per request: the claimed audience picks it, and the verification itself
  // checks that audience, so a forged claim gains nothing.
  switch (claimedAudience(token)) {
    case ADMIN_AUDIENCE: {
      // An admin token is live only while its sign-in is (logout revokes it).
      const admin = await verifyAdminToken(secret, token);
      if (!admin || !await signInLive(admin)) return undefined;
      return { kind: "admin", admin, organizationId: admin.organizationId };
    }
    case VISITOR_AUDIENCE: {
      const visitor = await verifyVisitorToken(secret, token);
      return visitor && { kind: "visitor", visitor, organizationId: visitor.organizationId };
    }
    default:
      return undefined;
  }
}
