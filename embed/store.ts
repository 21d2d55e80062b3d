/**
 * @module What the frame remembers per widget: the visitor id, token and current session, so a
 * conversation survives reloads and navigation. It lives in the frame's localStorage (keyed by
 * widget id) where the browser allows it; browsers increasingly deny storage to third-party
 * frames, so every change is also handed to the host page (`mirror`), which keeps it first-party
 * and gives it back in the frame URL's fragment (`seed`).
 */

/** The remembered state of one widget's visitor. */
export interface Saved {
  visitorId?: string;
  /** Proves `visitorId` to `/embed/auth`. */
  visitorKey?: string;
  token?: string;
  /** ISO time the token expires. */
  expiresAt?: string;
  sessionId?: string;
}

/** Load and patch the remembered state. */
export interface Store {
  load(): Saved;
  save(patch: Partial<Saved>): void;
}

/** Options of a store. */
export interface StoreOptions {
  /** Defaults to the frame's localStorage. */
  storage?: Storage;
  /** The host page's copy, used when the frame's own storage is empty or blocked. */
  seed?: string;
  /** Receives the serialised state after every change. */
  mirror?: (state: string) => void;
}

const KEYS: (keyof Saved)[] = ["visitorId", "visitorKey", "token", "expiresAt", "sessionId"];

/** Keeps only string fields we know: the seed comes from outside. */
export function parseSaved(raw: string | null | undefined): Saved {
  const out: Saved = {};
  try {
    const v = raw ? JSON.parse(raw) : undefined;
    for (const k of KEYS) if (typeof v?.[k] === "string" && v[k].length < 2000) out[k] = v[k];
  } catch { /* not JSON: nothing remembered */ }
  return out;
}

/** A store under `parley:<widgetId>`. */
export function createStore(widgetId: string, options: StoreOptions = {}): Store {
  const key = `parley:${widgetId}`;
  const area = () => {
    try {
      return options.storage ?? globalThis.localStorage;
    } catch {
      return undefined; // reading `localStorage` itself throws where storage is denied
    }
  };
  let memory: Saved = {};
  try {
    memory = parseSaved(area()?.getItem(key));
  } catch { /* denied */ }
  if (!memory.visitorId) memory = parseSaved(options.seed);
  return {
    load: () => ({ ...memory }),
    save(patch) {
      memory = { ...memory, ...patch };
      for (const k of KEYS) if (memory[k] === undefined) delete memory[k];
      const json = JSON.stringify(memory);
      try {
        area()?.setItem(key, json);
      } catch { /* full or denied: the host page's copy still holds it */ }
      options.mirror?.(json);
    },
  };
}
