import assert from "node:assert/strict";
import { createStore, parseSaved } from "../../embed/store.ts";

/** A Storage that refuses everything, as a third-party frame's does. */
const denied = {
  getItem() {
    throw new DOMException("denied", "SecurityError");
  },
  setItem() {
    throw new DOMException("denied", "SecurityError");
  },
} as unknown as Storage;

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k: string) => m.get(k) ?? null,
    setItem: (k: string, v: string) => void m.set(k, v),
  } as unknown as Storage;
}

Deno.test("createStore: denied storage falls back to the host page's copy and mirrors every change", () => {
  const mirrored: string[] = [];
  const seed = JSON.stringify({ visitorId: "v_abc12345", sessionId: "s1", token: "t" });
  const store = createStore("w1", { storage: denied, seed, mirror: (s) => mirrored.push(s) });
  assert.deepEqual(store.load(), { visitorId: "v_abc12345", sessionId: "s1", token: "t" });
  store.save({ sessionId: undefined });
  assert.deepEqual(store.load(), { visitorId: "v_abc12345", token: "t" });
  assert.deepEqual(mirrored.map((s) => JSON.parse(s)), [{ visitorId: "v_abc12345", token: "t" }]);
});

Deno.test("createStore: the frame's own storage wins over the seed, keyed by widget", () => {
  const storage = memoryStorage();
  createStore("w1", { storage }).save({ visitorId: "v_frame000", sessionId: "s-frame" });
  const store = createStore("w1", { storage, seed: JSON.stringify({ visitorId: "v_seed0000" }) });
  assert.equal(store.load().visitorId, "v_frame000");
  assert.deepEqual(createStore("w2", { storage }).load(), {});
});

Deno.test("parseSaved: keeps only known string fields of a seed that comes from outside", () => {
  assert.deepEqual(parseSaved('{"visitorId":"v","token":5,"extra":"x","sessionId":"s"}'), {
    visitorId: "v",
    sessionId: "s",
  });
  assert.deepEqual(parseSaved("not json"), {});
  assert.deepEqual(parseSaved(null), {});
});
