/**
 * @module Identity tokens: HS256 JWTs a host page's server signs with its widget's identity secret
 * (`{sub, name?, email?, phone?, exp}`, SPEC v2.4). Verified with jose, the algorithm pinned and
 * `exp` required; the token and each claim are bounded so a page cannot make us hold or store
 * more than a visitor's name and address. Anything wrong is one answer: not a valid identity.
 */
import { jwtVerify } from "jose";
import { z } from "zod";

/** Longer tokens are refused before any decoding. */
export const MAX_IDENTITY_TOKEN_CHARS = 4096;

/** A visitor the host vouched for. */
export interface VerifiedIdentity {
  /** The host's user id; the visitor becomes `u_<sub>`. */
  sub: string;
  name?: string;
  email?: string;
  phone?: string;
}

/**
 * The claims we read. `sub` is printable ASCII without spaces so that `u_<sub>` fits the 100
 * characters of a visitor id and reads the same in a URL; other claims (iat, aud, …) are ignored.
 */
const ClaimsSchema = z.object({
  sub: z.string().regex(/^[\x21-\x7e]{1,98}$/),
  name: z.string().trim().min(1).max(200).optional(),
  email: z.email().max(254).optional(),
  phone: z.string().regex(/^\+[1-9]\d{6,14}$/).optional(),
});

/** The identity in `token` signed with `secret`, or undefined when it is not a valid one. */
export async function verifyIdentityToken(
  secret: string,
  token: string,
  now: Date = new Date(),
): Promise<VerifiedIdentity | undefined> {
  if (token.length > MAX_IDENTITY_TOKEN_CHARS) return undefined;
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ["HS256"],
      requiredClaims: ["exp", "sub"],
      currentDate: now,
    });
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) return undefined;
    const { sub, name, email, phone } = claims.data;
    return {
      sub,
      ...(name ? { name } : {}),
      ...(email ? { email: email.toLowerCase() } : {}),
      ...(phone ? { phone } : {}),
    };
  } catch {
    return undefined;
  }
}

/** A new identity secret: 256 random bits, URL-safe, recognisable in a leaked-secrets scan. */
export function newIdentitySecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return "pis_" + btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_")
    .replace(/=+$/, "");
}
