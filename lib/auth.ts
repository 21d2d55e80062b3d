/** @module Authentication middleware: Bearer tokens for admins and for widget visitors. */
import type { Context, MiddlewareHandler } from "hono";
import { HttpError } from "./errors.ts";
import type { AppEnv } from "./context.ts";
import {
  type AdminClaims,
  verifyAdminToken,
  verifyVisitorToken,
  type VisitorClaims,
} from "./tokens.ts";

/** The Bearer token of a request, if any. */
export function bearerToken(c: Context): string | undefined {
  const header = c.req.header("authorization") ?? "";
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m?.[1];
}

const unauthorized = (message = "Missing or invalid token") =>
  new HttpError(401, "unauthorized", message, { headers: { "WWW-Authenticate": "Bearer" } });

/** Requires an admin token; sets `admin`. */
export function requireAdmin(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c);
    const admin = token ? await verifyAdminToken(c.var.config.jwtSecret, token) : undefined;
    if (!admin) throw unauthorized();
    c.set("admin", admin);
    await next();
  };
}

/** Requires an admin or a visitor token; sets `admin` or `visitor`. */
export function requireActor(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = bearerToken(c);
    if (!token) throw unauthorized();
    const secret = c.var.config.jwtSecret;
    const admin = await verifyAdminToken(secret, token);
    if (admin) c.set("admin", admin);
    else {
      const visitor = await verifyVisitorToken(secret, token);
      if (!visitor) throw unauthorized();
      c.set("visitor", visitor);
    }
    await next();
  };
}

/** The admin of a request that passed `requireAdmin`. */
export function adminOf(c: Context<AppEnv>): AdminClaims {
  const admin = c.get("admin");
  if (!admin) throw unauthorized();
  return admin;
}

/** Who is acting: exactly one of admin or visitor after `requireActor`. */
export type Actor =
  | { kind: "admin"; admin: AdminClaims; organizationId: string }
  | { kind: "visitor"; visitor: VisitorClaims; organizationId: string };

/** The actor of a request that passed `requireActor`. */
export function actorOf(c: Context<AppEnv>): Actor {
  const admin = c.get("admin");
  if (admin) return { kind: "admin", admin, organizationId: admin.organizationId };
  const visitor = c.get("visitor");
  if (visitor) return { kind: "visitor", visitor, organizationId: visitor.organizationId };
  throw unauthorized();
}

/** Resolves an actor from a raw token (the WebSocket passes it as a query parameter). */
export async function actorFromToken(secret: string, token: string): Promise<Actor | undefined> {
  const admin = await verifyAdminToken(secret, token);
  if (admin) return { kind: "admin", admin, organizationId: admin.organizationId };
  const visitor = await verifyVisitorToken(secret, token);
  if (visitor) return { kind: "visitor", visitor, organizationId: visitor.organizationId };
  return undefined;
}
