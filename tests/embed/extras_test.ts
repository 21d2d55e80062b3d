/**
 * What the visitor answered or skipped (the pre-chat form, a rating) lasts the visit where the
 * frame may use sessionStorage: a reload does not ask again. (Chromium here refuses a
 * third-party frame its storage, so the browser tests cannot show this; Firefox and Safari
 * partition it and allow it.) Deno's own sessionStorage stands in for the frame's.
 */
import assert from "node:assert/strict";
import { memoryStorage } from "../helpers/memory_storage.ts";

// No `location` here, so the key's widget id reads "null".
const KEY = "parley:done:null";

Deno.test("extras: the marks are read from sessionStorage, written on each mark, and deleted with everything", async () => {
  sessionStorage.setItem(KEY, JSON.stringify({ lead: true }));
  const { done, markDone } = await import("../../embed/extras.ts");
  assert.deepEqual(done.value, { lead: true }, "read when the chunk loads");
  markDone("session-1");
  assert.deepEqual(JSON.parse(sessionStorage.getItem(KEY)!), { lead: true, "session-1": true });

  // "Delete my conversation": the marks go with the rest of what the visitor left.
  const { deleteEverything } = await import("../../embed/extras.ts");
  const { createChatModel } = await import("../../embed/chat_model.ts");
  const { createStore } = await import("../../embed/store.ts");
  const deleted: string[] = [];
  await deleteEverything({
    model: createChatModel(),
    deps: {
      api: {
        request: (method: string, path: string) => (deleted.push(`${method} ${path}`), undefined),
      } as unknown as import("../../embed/api.ts").Api,
      store: createStore("w@https://example.com", { storage: memoryStorage() }),
      config: {},
    },
    activeSession: () => Promise.reject(new Error("not asked")),
    start: () => Promise.resolve(),
  });
  assert.deepEqual(deleted, ["DELETE /api/chat/visitor"]);
  assert.deepEqual(done.value, {});
  assert.equal(sessionStorage.getItem(KEY), null);
});
