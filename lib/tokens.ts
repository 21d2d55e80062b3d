/**
 * @module Signed tokens (HS256 through jose). Admin and visitor tokens carry different audiences,
 * so one can never stand in for the other. Verification is strict: HS256 with the current secret
 * only, an `exp` is required, and `aud` must be the one audience as a string (jose would accept
 * an array that merely contains it). An admin token also names its sign-in (`jti`), which the
 * server checks is still live (team/sign_in.ts), so signing out revokes it.
 */
import { decodeJwt, jwtVerify, SignJWT } from "jose";

const ISSUER = "parley";
export const ADMIN_AUDIENCE = "parley:admin";
export const VISITOR_AUDIENCE = "parley:visitor";
export const ADMIN_TTL_SECONDS = 7 * 24 * 3600;
export const VISITOR_TTL_SECONDS = 24 * 3600;
export const PREVIEW_AUDIENCE = "parley:preview";
/** Long enough to open the editor and chat in its preview; the page renews it when it reloads. */
export const PREVIEW_TTL_SECONDS = 10 * 60;

/** Who an admin token speaks for. */
export interface AdminClaims {
  userId: string;
  organizationId: string;
  /** The sign-in (`admin_sessions.id`) the token belongs to. */
  sessionId: string;
}

/** Who a visitor token speaks for: one visitor of one widget. */
export interface VisitorClaims {
  visitorId: string;
  widgetId: string;
  organizationId: string;
  agentId: string;
  /** Present when the host vouched for the visitor with an identity token (`u_<sub>` ids). */
  identity?: VisitorIdentity;
}

/** What a verified visitor's token carries about them. */
export interface VisitorIdentity {
  name?: string;
  email?: string;
  phone?: string;
}

const keyCache = new Map<string, Uint8Array>();
function key(secret: string): Uint8Array {
  let k = keyCache.get(secret);
  if (!k) keyCache.set(secret, k = new TextEncoder().encode(secret));
  return k;
}

/** Signs an admin token (its expiry: `expiresAt`, default a week from now). */
export function signAdminToken(
  secret: string,
  claims: AdminClaims,
  expiresAt = new Date(Date.now() + ADMIN_TTL_SECONDS * 1000),
): Promise<string> {
  return new SignJWT({ org: claims.organizationId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.userId)
    .setJti(claims.sessionId)
    .setIssuer(ISSUER)
    .setAudience(ADMIN_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(key(secret));
}

/** Signs a visitor token; returns it with its expiry. */
export async function signVisitorToken(
  secret: string,
  claims: VisitorClaims,
  ttlSeconds = VISITOR_TTL_SECONDS,
): Promise<{ token: string; expiresAt: Date }> {
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  const token = await new SignJWT({
    wid: claims.widgetId,
    org: claims.organizationId,
    agt: claims.agentId,
    ...(claims.identity ? { idn: claims.identity } : {}),
  })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.visitorId)
    .setIssuer(ISSUER)
    .setAudience(VISITOR_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key(secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const str = (v: unknown) => typeof v === "string" && v.length > 0 ? v : undefined;

/** Verifies an admin token; undefined when it is not one (bad, expired, other audience). */
export async function verifyAdminToken(
  secret: string,
  token: string,
): Promise<AdminClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: ADMIN_AUDIENCE,
      requiredClaims: ["exp", "jti"],
    });
    if (payload.aud !== ADMIN_AUDIENCE) return undefined;
    const userId = str(payload.sub), organizationId = str(payload.org);
    const sessionId = str(payload.jti);
    return userId && organizationId && sessionId && UUID_RE.test(sessionId)
      ? { userId, organizationId, sessionId }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Verifies a visitor token; undefined when it is not one. */
export async function verifyVisitorToken(
  secret: string,
  token: string,
): Promise<VisitorClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: VISITOR_AUDIENCE,
      requiredClaims: ["exp"],
    });
    if (payload.aud !== VISITOR_AUDIENCE) return undefined;
    const visitorId = str(payload.sub), widgetId = str(payload.wid);
    const organizationId = str(payload.org), agentId = str(payload.agt);
    if (!visitorId || !widgetId || !organizationId || !agentId) return undefined;
    const claims: VisitorClaims = { visitorId, widgetId, organizationId, agentId };
    if (payload.idn && typeof payload.idn === "object") {
      const idn = payload.idn as Record<string, unknown>;
      claims.identity = { name: str(idn.name), email: str(idn.email), phone: str(idn.phone) };
    }
    return claims;
  } catch {
    return undefined;
  }
}

/** What a preview token vouches for: this admin previews this widget of this organization. */
export interface PreviewClaims {
  widgetId: string;
  organizationId: string;
  userId: string;
}

/** Signs the admin preview's token; returns it with its expiry. */
export async function signPreviewToken(
  secret: string,
  claims: PreviewClaims,
  ttlSeconds = PREVIEW_TTL_SECONDS,
): Promise<{ token: string; expiresAt: Date }> {
  const exp = Math.floor(Date.now() / 1000) + ttlSeconds;
  const token = await new SignJWT({ wid: claims.widgetId, org: claims.organizationId })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setAudience(PREVIEW_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(key(secret));
  return { token, expiresAt: new Date(exp * 1000) };
}

/** Verifies a preview token; undefined when it is not one (bad, expired, other audience). */
export async function verifyPreviewToken(
  secret: string,
  token: string,
): Promise<PreviewClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, key(secret), {
      algorithms: ["HS256"],
      issuer: ISSUER,
      audience: PREVIEW_AUDIENCE,
      requiredClaims: ["exp"],
    });
    if (payload.aud !== PREVIEW_AUDIENCE) return undefined;
    const userId = str(payload.sub), widgetId = str(payload.wid);
    const organizationId = str(payload.org);
    return userId && widgetId && organizationId ? { userId, widgetId, organizationId } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The audience a token claims, read without verifying it: only to pick which verification to
 * run, so that a visitor token is not first tried (and thrown on) as an admin one.
 */
export function claimedAudience(token: string): string | undefined {
  try {
    const aud = decodeJwt(token).aud;
    return typeof aud === "string" ? aud : undefined;
  } catch {
    return undefined;
  }
}
