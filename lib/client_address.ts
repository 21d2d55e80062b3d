/**
 * @module The client's address (SPEC v2.1 "Client address and proxies"). Every per-address limit
 * keys on it, so it must be the one address a client cannot choose: behind N proxies that each
 * append the address they received from to `X-Forwarded-For`, that is the N-th entry counted from
 * the right. Entries to the left of it were written by the client and are ignored.
 */
import type { Context } from "hono";
import { getConnInfo } from "hono/deno";

/**
 * The address `hops` proxies vouch for, or the socket's own when `hops` is 0 or the header is
 * shorter than the chain of proxies (a request that did not come through all of them).
 */
export function addressFrom(
  forwardedFor: string | undefined,
  socketAddress: string | undefined,
  hops: number,
): string {
  if (hops > 0 && forwardedFor) {
    const entries = forwardedFor.split(",").map((e) => e.trim()).filter(Boolean);
    const vouched = entries[entries.length - hops];
    if (vouched && vouched.length <= 64) return normalise(vouched);
  }
  return socketAddress ? normalise(socketAddress) : "unknown";
}

/** `::ffff:1.2.3.4` is 1.2.3.4; IPv6 addresses are compared in lower case. */
function normalise(address: string): string {
  const lower = address.toLowerCase();
  return lower.startsWith("::ffff:") && lower.includes(".") ? lower.slice(7) : lower;
}

/** The client's address of a request (`TRUST_PROXY_HOPS` from the config). */
export function clientAddress(c: Context, hops: number): string {
  let socket: string | undefined;
  try {
    socket = getConnInfo(c).remote.address;
  } catch {
    // `app.request()` in tests has no socket.
  }
  return addressFrom(c.req.header("x-forwarded-for"), socket, hops);
}
