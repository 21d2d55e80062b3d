/**
 * @module Public suffixes (`com`, `co.uk`, `github.io`) from the Public Suffix List as `tldts`
 * ships it: a wildcard on one (`*.co.uk`) would trust every site registered under it.
 */
import { parse } from "tldts";

/** True when `host` is itself an entry of the Public Suffix List (ICANN or private section). */
export function isPublicSuffix(host: string): boolean {
  const parsed = parse(host, { allowPrivateDomains: true });
  if (parsed.isIp) return false;
  return parsed.publicSuffix === host && (parsed.isIcann === true || parsed.isPrivate === true);
}
