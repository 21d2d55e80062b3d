/**
 * @module Who a visitor is (SPEC v2.2 "Visitors"). A visitor id alone proves nothing: ids travel
 * in URLs, logs and support screenshots. What proves a visitor is its `visitorKey`, 256 random bits
 * handed out once, when the visitor is created, and kept only as a SHA-256 hash. The key resumes
 * its visitor only on the host name the visitor was created on, so a sibling subdomain allowed by
 * the same wildcard cannot resume (and read) a conversation made on another.
 */
import type { Db } from "../db/client.ts";
import { findVisitor, insertVisitor, visitorIdInUse } from "../db/queries/visitors.ts";

/** What the embed client presents. */
export interface VisitorClaim {
  widgetId: string;
  /** The host name of the page embedding the widget (already allowlisted). */
  domain: string;
  visitorId?: string;
  visitorKey?: string;
}

/** The visitor to issue a token for; `visitorKey` only when it was created now. */
export interface AdmittedVisitor {
  visitorId: string;
  visitorKey?: string;
}

// Ids of verified visitors (`u_<sub>`, v2.4) come only from an identity token, never from a claim.
const RESERVED = /^u_/;

const encoder = new TextEncoder();

function randomToken(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A new visitor id: unguessable, URL-safe. */
export function newVisitorId(): string {
  return "v_" + randomToken(16);
}

/** The hex SHA-256 of a visitor key (a 256-bit random secret needs no slow hash). */
export async function hashVisitorKey(key: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(key)));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares two equal-length hex digests without an early exit. */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/**
 * Resumes the claimed visitor when its key (and host name) match; otherwise creates a visitor:
 * with the claimed id when nobody of that widget uses it yet (the seed's clients choose their own
 * ids), else with a new one. A known id without its key never gets that visitor.
 */
export async function admitVisitor(db: Db, claim: VisitorClaim): Promise<AdmittedVisitor> {
  const { widgetId, domain, visitorId, visitorKey } = claim;
  if (visitorId && visitorKey) {
    const row = await findVisitor(db, widgetId, visitorId);
    if (
      row && row.domain === domain && sameDigest(row.keyHash, await hashVisitorKey(visitorKey))
    ) {
      return { visitorId };
    }
  }
  const wanted = visitorId && !RESERVED.test(visitorId) &&
      !await visitorIdInUse(db, widgetId, visitorId)
    ? visitorId
    : undefined;
  const key = randomToken(32);
  const keyHash = await hashVisitorKey(key);
  if (wanted && await insertVisitor(db, { widgetId, id: wanted, domain, keyHash })) {
    return { visitorId: wanted, visitorKey: key };
  }
  // A fresh random id cannot collide in practice; the loop only guards the impossible.
  for (;;) {
    const id = newVisitorId();
    if (await insertVisitor(db, { widgetId, id, domain, keyHash })) {
      return { visitorId: id, visitorKey: key };
    }
  }
}
