/**
 * @module Where a webhook may be sent: `https:`, or `http:` to a public address; never to
 * loopback, private, link-local or otherwise special addresses (unless `WEBHOOKS_ALLOW_PRIVATE=1`).
 * Names are resolved and every address they resolve to is checked, when the endpoint is saved and
 * again before each delivery (a name may be repointed at an internal address later).
 */
import ipaddr from "ipaddr.js";

/** `Deno.resolveDns`' shape, injectable so tests can answer for names. */
export type ResolveDns = (host: string, type: "A" | "AAAA") => Promise<string[]>;

/** Why a destination is refused (shown to the owner and kept in the delivery log). */
export class DestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DestinationError";
  }
}

/** Options of the destination checks. */
export interface DestinationOptions {
  allowPrivate: boolean;
  resolveDns?: ResolveDns;
}

/** Where a delivery connects: the URL, and for `http:` the checked address to connect to. */
export interface Destination {
  url: URL;
  /** For `http:` to a name, the address checked; the request goes there (no second lookup). */
  address?: string;
}

// Names that only ever mean this machine or a private network.
const LOCAL_NAME = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)\.?$/i;

/** True for an address a webhook must not reach: anything but a public unicast address. */
export function isPublicAddress(text: string): boolean {
  if (!ipaddr.isValid(text)) return false;
  let address = ipaddr.parse(text);
  // IPv4 inside IPv6 (::ffff:10.0.0.1, 64:ff9b::/96 NAT64, 6to4) is judged as the IPv4 address.
  if (address.kind() === "ipv6") {
    const v6 = address as ipaddr.IPv6;
    const range = v6.range();
    if (range === "ipv4Mapped") address = v6.toIPv4Address();
    else if (range === "rfc6052" || range === "rfc6145") {
      address = ipaddr.IPv4.parse(
        v6.toNormalizedString().split(":").slice(-2)
          .map((h) => parseInt(h, 16)).flatMap((n) => [n >> 8, n & 255]).join("."),
      );
    } else if (range === "6to4") {
      const [, hi, lo] = v6.parts;
      address = ipaddr.IPv4.parse([hi >> 8, hi & 255, lo >> 8, lo & 255].join("."));
    }
  }
  return address.range() === "unicast";
}

/** The URL checks that need no network: scheme, credentials, literal addresses, local names. */
export function parseWebhookUrl(text: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new DestinationError("is not a valid URL");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new DestinationError("must be an https: or http: URL");
  }
  if (url.username || url.password) throw new DestinationError("must not contain credentials");
  if (allowPrivate) return url;
  const host = hostOf(url);
  if (ipaddr.isValid(host)) {
    if (!isPublicAddress(host)) throw new DestinationError("must not be a private address");
  } else if (LOCAL_NAME.test(host) || !host.includes(".")) {
    throw new DestinationError("must be a public host name");
  }
  return url;
}

/**
 * Checks a URL before saving or sending. A name that resolves to any non-public address is
 * refused; a name that does not resolve at all is refused only when `requireResolved` (delivery),
 * since saving must work where the receiver is not reachable yet.
 */
export async function checkDestination(
  text: string,
  options: DestinationOptions & { requireResolved: boolean },
): Promise<Destination> {
  const url = parseWebhookUrl(text, options.allowPrivate);
  if (options.allowPrivate) return { url };
  const host = hostOf(url);
  if (ipaddr.isValid(host)) return { url, address: host };
  const resolve = options.resolveDns ?? ((h, t) => Deno.resolveDns(h, t));
  const answers = await Promise.all(
    (["A", "AAAA"] as const).map((type) => resolve(host, type).catch(() => [] as string[])),
  );
  const addresses = answers.flat();
  if (addresses.length === 0) {
    if (options.requireResolved) throw new DestinationError("host name does not resolve");
    return { url };
  }
  if (!addresses.every(isPublicAddress)) {
    throw new DestinationError("host name resolves to a private address");
  }
  return { url, address: addresses[0] };
}

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, "");
}
