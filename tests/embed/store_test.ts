import assert from "node:assert/strict";
import { createStore } from "../../embed/store.ts";
import { memoryStorage } from "../helpers/memory_storage.ts";

/** Runs `fn` with `localStorage` refused, as a third-party frame's is where storage is blocked. */
function denied<T>(fn: () => T): T {
  const real = Object.getOwnPropertyDescriptor(globalThis, "localStorage");
  Object.defineProperty(globalThis, "localStorage", {
    configurable: true,
    get() {
      throw new DOMException("Access is denied for this document.", "SecurityError");
    },
  });
  try {
    return fn();
  } finally {
    if (real) Object.defineProperty(globalThis, "localStorage", real);
    else delete (globalThis as { localStorage?: Storage }).localStorage;
  }
}

const full = {
  visitorId: "v_abc12345",
  visitorKey: "k".repeat(43),
  sealedVisitor: "v1.sealed",
  token: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2In0.sig",
  expiresAt: "2030-01-01T00:00:00.000Z",
  sessionId: "s1",
};

Deno.test("createStore: with its own storage the frame keeps everything there and the host page nothing", () => {
  const storage = memoryStorage();
  const mirrored: string[] = [];
  const store = createStore("w1@https://www.shop.example", {
    storage,
    mirror: (s) => mirrored.push(s),
  });
  store.save(full);
  assert.deepEqual(createStore("w1@https://www.shop.example", { storage }).load(), full);
  assert.deepEqual(mirrored, [], "nothing handed to the host page");
});

Deno.test("createStore: a sibling origin in the same partition reads nothing of another's", () => {
  const storage = memoryStorage();
  createStore("w1@https://www.shop.example", { storage }).save(full);
  assert.deepEqual(createStore("w1@https://evil.shop.example", { storage }).load(), {});
  assert.deepEqual(createStore("w2@https://www.shop.example", { storage }).load(), {});
});

Deno.test("createStore: a host-page copy left from before is cleared when the frame keeps its own", () => {
  for (const options of [{ storage: memoryStorage() }, { cookies: true }]) {
    const mirrored: string[] = [];
    const legacy = JSON.stringify({ visitorId: "v_old", token: "eyJ.eyJ.x", sessionId: "s0" });
    const store = denied(() =>
      createStore("w1@https://www.shop.example", {
        ...options,
        seed: legacy,
        mirror: (s) => mirrored.push(s),
      })
    );
    assert.deepEqual(store.load(), {}, "the copy is not read");
    store.save(full);
    assert.deepEqual(mirrored, [""], "the host page is told to forget it, and given nothing");
  }
});

Deno.test("createStore: refused localStorage and cookies: the host page gets the sealed visitor only", () => {
  const mirrored: string[] = [];
  const store = denied(() =>
    createStore("w1@https://www.shop.example", { cookies: false, mirror: (s) => mirrored.push(s) })
  );
  store.save(full);
  assert.deepEqual(store.load(), full, "this page still has it all");
  assert.deepEqual(mirrored, ["v1.sealed"]);
  // The copy comes back as the seed of the next page, where it is all there is.
  const next = denied(() =>
    createStore("w1@https://www.shop.example", { cookies: false, seed: mirrored[0] })
  );
  assert.deepEqual(next.load(), { sealedVisitor: "v1.sealed" });
  store.save({ sessionId: "s2", token: "eyJ.eyJ.y" });
  assert.equal(mirrored.length, 1, "only a change of the copy is handed over");
});
