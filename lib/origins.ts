/**
 * @module Origins: ours (the one place it is computed), and widgets' domain allowlists (host
 * names, `*.example.com` for any depth of subdomain, empty = any).
 */

/**
 * Our own origin: `PUBLIC_URL`'s when set (behind a proxy the request's URL is the proxy's view),
 * else the origin the request was made to.
 */
export function selfOrigin(publicUrl: string | undefined, requestUrl: string): string {
  return publicUrl ? new URL(publicUrl).origin : new URL(requestUrl).origin;
}

/**
 * Every origin that is ours: the request's and `PUBLIC_URL`'s (behind a proxy they differ, and a
 * same-origin check must accept both).
 */
export function selfOrigins(publicUrl: string | undefined, requestUrl: string): string[] {
  const origins = [new URL(requestUrl).origin];
  const configured = publicUrl && new URL(publicUrl).origin;
  if (configured && configured !== origins[0]) origins.push(configured);
  return origins;
}

/** Lower-cased host name of a domain, URL or Origin, without port; undefined when unusable. */
export function hostOf(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (!v) return undefined;
  try {
    const url = new URL(v.includes("://") ? v : `http://${v}`);
    return url.hostname.replace(/^\[|\]$/g, "").replace(/\.$/, "") || undefined;
  } catch {
    return undefined;
  }
}

/** True when `host` is allowed by the list (matched on any port). */
export function isHostAllowed(allowed: readonly string[], host: string): boolean {
  if (allowed.length === 0) return true;
  const h = host.toLowerCase();
  return allowed.some((entry) => {
    const e = entry.toLowerCase();
    if (e.startsWith("*.")) return h.endsWith(e.slice(1)) && h.length > e.length - 1;
    return h === e;
  });
}

/** The `frame-ancestors` sources for a widget's allowlist. */
export function frameAncestors(allowed: readonly string[], self: string): string {
  if (allowed.length === 0) return "*";
  const sources = allowed.map((d) => `http://${d}:* https://${d}:*`);
  return [`'self'`, self, ...sources].join(" ");
}
