/**
 * @module What the frame remembers per widget in its own localStorage: the visitor id, token and
 * current session, so a conversation survives reloads and navigation. Storage may be blocked
 * (private modes, strict third-party rules): then memory keeps it for this page.
 */

/** The remembered state of one widget's visitor. */
export interface Saved {
  visitorId?: string;
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

/** A store in `storage` (localStorage by default) under `parley:<widgetId>`. */
export function createStore(widgetId: string, storage?: Storage): Store {
  const key = `parley:${widgetId}`;
  let memory: Saved = {};
  const area = () => {
    try {
      return storage ?? globalThis.localStorage;
    } catch {
      return undefined; // reading localStorage itself throws where storage is blocked
    }
  };
  return {
    load() {
      try {
        const raw = area()?.getItem(key);
        if (raw) memory = { ...memory, ...JSON.parse(raw) };
      } catch { /* unreadable or blocked: memory it is */ }
      return { ...memory };
    },
    save(patch) {
      memory = { ...memory, ...patch };
      for (const k of Object.keys(memory) as (keyof Saved)[]) {
        if (memory[k] === undefined) delete memory[k];
      }
      try {
        area()?.setItem(key, JSON.stringify(memory));
      } catch { /* full or blocked */ }
    },
  };
}
