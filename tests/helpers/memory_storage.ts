/** @module A Web Storage in memory, standing in for the frame's own storage in unit tests. */

/** A fresh, empty Storage (what the frame's code calls of it). */
export function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
    removeItem: (k: string) => void m.delete(k),
    get length() {
      return m.size;
    },
  } as unknown as Storage;
}
