/**
 * @module What the frame remembers of its visitor, so a conversation survives reloads and
 * navigation, kept first-party to Parley's origin wherever the browser allows it:
 * 1. the frame's own localStorage (partitioned by the top-level site, so a sibling subdomain's
 *    page shares it: the key names the exact embedding origin, and the frame reads only its own);
 * 2. else our partitioned HttpOnly cookie, which `/embed/auth` sets and reads (named per widget
 *    and host name); the frame then only checks that partitioned cookies are accepted;
 * 3. else, where the browser refuses even that, the host page keeps a copy for the frame
 *    (`mirror`, given back as `seed`): the server-sealed visitor, bound to this widget and host
 *    name, opaque to the page and no bearer token.
 * Without localStorage the session id is not kept: `/embed/auth` names the visitor's latest one.
 */

/** The remembered state of one widget's visitor under one embedding origin. */
export interface Saved {
  visitorId?: string;
  /** Proves `visitorId` to `/embed/auth`. */
  visitorKey?: string;
  /** The visitor sealed by the server for this widget and host name (the host page's copy). */
  sealedVisitor?: string;
  token?: string;
  /** ISO time the token expires. */
  expiresAt?: string;
  sessionId?: string;
}

/** Load and patch the remembered state. */
export interface Store {
  load(): Saved;
  /** Sets the fields named in `patch` (an `undefined` value forgets one); ignores others. */
  save(patch: Partial<Saved>): void;
}

/** Options of a store. */
export interface StoreOptions {
  /** Defaults to the frame's localStorage. */
  storage?: Storage;
  /** Whether partitioned cookies are accepted; defaults to a probe. */
  cookies?: boolean;
  /** The host page's copy (read only when the frame can keep nothing itself). */
  seed?: string;
  /** Receives the host page's copy after a change; "" when the host page should keep nothing. */
  mirror?: (state: string) => void;
}

const KEYS: (keyof Saved)[] = [
  "visitorId",
  "visitorKey",
  "token",
  "expiresAt",
  "sealedVisitor",
  "sessionId",
];

/** True when this frame may set partitioned cookies (a short-lived probe of its own). */
function partitionedCookies(): boolean {
  try {
    document.cookie = "pp=1;Secure;SameSite=None;Partitioned;Max-Age=5";
    return document.cookie.includes("pp=");
  } catch {
    return false;
  }
}

/** A store under `parley:<scope>` (the frame uses `<widgetId>@<embedding origin>`). */
export function createStore(scope: string, options: StoreOptions = {}): Store {
  const key = "parley:" + scope;
  let own: Storage | undefined;
  try {
    own = options.storage ?? localStorage; // the getter throws where storage is denied
  } catch { /* denied */ }
  const hostCopy = !own && !(options.cookies ?? partitionedCookies());
  const seed = options.seed ?? "";
  let memory: Saved = {};
  try {
    // Our own entry, written only by this code (the host page's copy is never parsed).
    memory = own
      ? JSON.parse(own.getItem(key) || "{}")
      : hostCopy && seed
      ? { sealedVisitor: seed }
      : {};
  } catch { /* unreadable: nothing remembered */ }
  let mirrored = seed;
  const mirror = () => {
    // Only the sealed visitor, and only where nothing of ours keeps it; a copy left from before
    // (or by an older loader) is cleared.
    const copy = hostCopy && memory.sealedVisitor || "";
    if (copy !== mirrored) options.mirror?.(mirrored = copy);
  };
  mirror();
  return {
    load: () => ({ ...memory }),
    save(patch) {
      // Only what we know: the patch may be a whole server answer.
      memory = { ...memory };
      for (const k of KEYS) if (k in patch) memory[k] = patch[k];
      try {
        own?.setItem(key, JSON.stringify(memory));
      } catch { /* full: this page's memory still holds it */ }
      mirror();
    },
  };
}
