/**
 * @module Verified visitors (SPEC v2.4): each widget's identity secret, sealed at rest and
 * replaced on every rotation, and the rule that turns a host-signed identity token into the
 * visitor `u_<sub>`. Every way a token can be wrong is the same 401 `identity_invalid`.
 */
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { widgetConfigurations, type WidgetRow } from "../db/schema.ts";
import { HttpError } from "../lib/errors.ts";
import { createSecretBox } from "../lib/secret_box.ts";
import {
  newIdentitySecret,
  type VerifiedIdentity,
  verifyIdentityToken,
} from "../lib/identity_token.ts";
import type { VisitorClaims, VisitorIdentity } from "../lib/tokens.ts";
import type { SessionVisitorFields } from "../db/queries/sessions.ts";

/** The keys the secret box is built from (`ENCRYPTION_KEY` when set, else `JWT_SECRET`). */
export interface SealingKeys {
  jwtSecret: string;
  encryptionKey?: string;
}

/** The sealed record is bound to its widget: copied to another row it does not open. */
const sealContext = (widgetId: string) => `widget:${widgetId}:identity-secret`;

/** Prefix of visitors the host vouched for; an anonymous visitor can never take such an id. */
export const VERIFIED_PREFIX = "u_";

/** Makes a new identity secret for the widget (the old one stops working) and returns it once. */
export async function rotateIdentitySecret(
  db: Db,
  keys: SealingKeys,
  widgetId: string,
): Promise<string> {
  const secret = newIdentitySecret();
  const sealed = await createSecretBox(keys).seal(secret, sealContext(widgetId));
  await db.update(widgetConfigurations).set({ identitySecretSealed: sealed, updatedAt: new Date() })
    .where(eq(widgetConfigurations.id, widgetId));
  return secret;
}

const invalid = () =>
  new HttpError(401, "identity_invalid", "The identity token is not valid for this widget");

/** The identity a token proves for the widget; 401 `identity_invalid` for anything else. */
export async function verifyVisitorIdentity(
  keys: SealingKeys,
  widget: WidgetRow,
  token: string,
): Promise<VerifiedIdentity> {
  if (!widget.identitySecretSealed) throw invalid();
  const secret = await createSecretBox(keys).open(
    widget.identitySecretSealed,
    sealContext(widget.id),
  );
  if (!secret) throw invalid();
  const identity = await verifyIdentityToken(secret, token);
  if (!identity) throw invalid();
  return identity;
}

/** What the visitor token carries of a verified identity. */
export function tokenIdentity(identity: VerifiedIdentity): VisitorIdentity {
  const { name, email, phone } = identity;
  return { ...(name ? { name } : {}), ...(email ? { email } : {}), ...(phone ? { phone } : {}) };
}

/** The visitor a verified identity is: `u_<sub>`, the same on every device. */
export function verifiedVisitorId(identity: VerifiedIdentity): string {
  return VERIFIED_PREFIX + identity.sub;
}

/** A session's visitor columns from the visitor's token: verified only through an identity. */
export function sessionVisitorFields(visitor: VisitorClaims): SessionVisitorFields {
  const identity = visitor.identity;
  if (!identity) return { visitorVerified: false };
  return {
    visitorVerified: true,
    visitorName: identity.name ?? null,
    visitorEmail: identity.email ?? null,
    visitorPhone: identity.phone ?? null,
  };
}
