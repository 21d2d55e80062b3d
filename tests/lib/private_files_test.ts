import assert from "node:assert/strict";
import { privateUmask, restrictTree } from "../../lib/private_files.ts";
import { openDatabase } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";

/** Every file and directory under `dir` whose mode lets anyone but the owner in. */
async function shared(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    const mode = (await Deno.lstat(path)).mode! & 0o777;
    if (!entry.isSymlink && (mode & 0o077) !== 0) out.push(`${path} ${mode.toString(8)}`);
    if (entry.isDirectory) out.push(...await shared(path));
  }
  return out;
}

Deno.test({
  name: "PGlite's files under DATA_DIR are owner-only, old ones included",
  ignore: Deno.build.os === "windows",
  async fn() {
    const parent = await Deno.makeTempDir();
    const dir = `${parent}/data`;
    const previous = Deno.umask(0);
    try {
      // A data directory written before the rule, with everything readable by everyone.
      await Deno.mkdir(`${dir}/old`, { recursive: true, mode: 0o777 });
      await Deno.writeTextFile(`${dir}/old/file`, "x", { mode: 0o666 });
      // What main.ts does before opening the embedded database.
      privateUmask();
      restrictTree(dir);
      const database = await openDatabase(`pglite:${dir}/db`);
      try {
        await migrate(database);
        restrictTree(dir); // as main.ts does once the database is open
        assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
        assert.ok((await Deno.stat(`${dir}/db/PG_VERSION`)).isFile, "PGlite wrote its files there");
        assert.deepEqual(await shared(dir), []);
      } finally {
        await database.close();
      }
      restrictTree(dir); // and when it stops
      assert.deepEqual(await shared(dir), []);
    } finally {
      Deno.umask(previous);
      await Deno.remove(parent, { recursive: true });
    }
  },
});
