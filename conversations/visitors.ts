/**
 * @module Who a visitor is (SPEC v2.2 "Visitors"). A visitor id alone proves nothing: ids travel
 * in URLs, logs and support screenshots. What proves a visitor is its `visitorKey`, 256 random bits
 * handed out once, when the visitor is created, and kept only as a SHA-256 hash. The key resumes
 * its visitor only on the host name the visitor was created on, so a sibling subdomain allowed by
 * the same wildcard cannot resume (and read) a conversation made on another.
 *
 * Where a browser refuses the chat frame localStorage, the visitor is kept as `sealedVisitor`: id
 * and key encrypted by the server (AES-GCM) with the widget and host name as additional data, so
 * the copy is opaque to scripts and refused under any other host. It lives in a partitioned
 * HttpOnly cookie of our own (`visitorCookie`), or, where even that is refused, in the host page.
 */
import { createHash } from "node:crypto";
import type { Db } from "../db/client.ts";
import type { SecretBox } from "../lib/secret_box.ts";
import {
  findVisitor,
  insertVisitor,
  latestVisitorSessionId,
  visitorIdInUse,
} from "../db/queries/visitors.ts";

/** What the embed client presents. */
export interface VisitorClaim {
  widgetId: string;
  /** The host name of the page embedding the widget (already allowlisted). */
  domain: string;
  visitorId?: string;
  visitorKey?: string;
  /** The host page's copy of the visitor (used when no key is presented). */
  sealedVisitor?: string;
}

/** The visitor to issue a token for; `visitorKey` only when it was created now. */
export interface AdmittedVisitor {
  visitorId: string;
  visitorKey?: string;
  /** The visitor sealed for this widget and host name: what a host page may keep. */
  sealedVisitor: string;
  /** A resumed visitor's latest conversation (a frame without storage learns it here). */
  sessionId?: string;
}

/** What admitting a visitor needs. */
export interface VisitorDeps {
  db: Db;
  box: SecretBox;
}

/** Options of `admitVisitor`. */
export interface AdmitOptions {
  /** Runs before a visitor is created (not when one resumes): the new-visitor budget. */
  beforeCreate?: () => Promise<void>;
}

// Ids of verified visitors (`u_<sub>`, v2.4) come only from an identity token, never from a claim.
const RESERVED = /^u_/;

function randomToken(bytes: number): string {
  const b = crypto.getRandomValues(new Uint8Array(bytes));
  return btoa(String.fromCharCode(...b)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** A new visitor id: unguessable, URL-safe. */
export function newVisitorId(): string {
  return "v_" + randomToken(16);
}

/**
 * The hex SHA-256 of a visitor key (a 256-bit random secret needs no slow hash). Synchronous on
 * purpose, as for the cookie name: `crypto.subtle` runs each digest on a worker thread, and while
 * a browser loads the chat on the same cores that hop alone took up to 100 ms of `/embed/auth`.
 */
export function hashVisitorKey(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/** Compares two equal-length hex digests without an early exit. */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

// The additional data that binds a sealed visitor to its widget and host name.
const sealContext = (widgetId: string, domain: string) => `visitor:${widgetId}:${domain}`;

async function unseal(box: SecretBox, claim: VisitorClaim): Promise<VisitorClaim> {
  if (claim.visitorKey || !claim.sealedVisitor) return claim;
  const plain = await box.open(claim.sealedVisitor, sealContext(claim.widgetId, claim.domain));
  const v = plain ? JSON.parse(plain) as { id?: unknown; key?: unknown } : {};
  return typeof v.id === "string" && typeof v.key === "string"
    ? { ...claim, visitorId: v.id, visitorKey: v.key }
    : claim;
}

/**
 * Resumes the claimed visitor when its key (and host name) match; otherwise creates a visitor:
 * with the claimed id when nobody of that widget uses it yet (the seed's clients choose their own
 * ids), else with a new one. A known id without its key never gets that visitor.
 */
export async function admitVisitor(
  deps: VisitorDeps,
  claim: VisitorClaim,
  options: AdmitOptions = {},
): Promise<AdmittedVisitor> {
  const { db, box } = deps;
  const { widgetId, domain, visitorId, visitorKey } = await unseal(box, claim);
  const sealed = (id: string, key: string) =>
    box.seal(JSON.stringify({ id, key }), sealContext(widgetId, domain));
  if (visitorId && visitorKey) {
    const row = await findVisitor(db, widgetId, visitorId);
    if (
      row && row.domain === domain && sameDigest(row.keyHash, hashVisitorKey(visitorKey))
    ) {
      return {
        visitorId,
        sealedVisitor: await sealed(visitorId, visitorKey),
        sessionId: await latestVisitorSessionId(db, widgetId, visitorId),
      };
    }
  }
  await options.beforeCreate?.();
  const wanted = visitorId && !RESERVED.test(visitorId) &&
      !await visitorIdInUse(db, widgetId, visitorId)
    ? visitorId
    : undefined;
  const key = randomToken(32);
  const keyHash = hashVisitorKey(key);
  let id = wanted;
  // A fresh random id cannot collide in practice; the loop only guards the impossible.
  while (!id || !await insertVisitor(db, { widgetId, id, domain, keyHash })) id = newVisitorId();
  return { visitorId: id, visitorKey: key, sealedVisitor: await sealed(id, key) };
}

/**
 * The partitioned cookie holding a sealed visitor. Browsers partition it by top-level site, so
 * sibling subdomains share one jar: the name is per widget and host name, so each keeps its own.
 */
export function visitorCookieName(widgetId: string, domain: string): string {
  return "pv_" + createHash("sha256").update(`${widgetId}|${domain}`).digest("hex").slice(0, 24);
}
