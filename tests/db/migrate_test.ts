import assert from "node:assert/strict";
import { getTableConfig, type PgTable } from "drizzle-orm/pg-core";
import { sql } from "drizzle-orm";
import { migrate, readMigrations } from "../../db/migrate.ts";
import * as schema from "../../db/schema.ts";
import { openDatabase } from "../../db/client.ts";
import {
  createPgDatabase,
  type DbKind,
  eachDatabase,
  openTestDatabase,
  rowsOf,
  type TestDatabase,
} from "../helpers/db.ts";
import { ensureBuilt } from "../../build.ts";

// main.ts builds stale bundles before it listens: build them here once, so a fresh clone's first
// build (seconds, more on a loaded machine) is not counted against the start-up deadlines below.
await ensureBuilt();

/** Runs `fn` on a fresh migrated database of the kind, disposed after. */
function withDatabase(fn: (t: TestDatabase) => Promise<void>) {
  return async (kind: DbKind) => {
    const t = await openTestDatabase(kind);
    try {
      await fn(t);
    } finally {
      await t.dispose();
    }
  };
}

eachDatabase(
  "migrate applies every file once and is a no-op the second time",
  withDatabase(async (t) => {
    assert.deepEqual(await migrate(t.database), [], "openTestDatabase already migrated");
    const rows = await t.database.db.execute(
      sql`select version, name from parley_migrations order by version`,
    );
    const files = await readMigrations();
    assert.deepEqual(
      rowsOf(rows),
      files.map((f) => ({ version: f.version, name: f.name })),
    );
  }),
);

eachDatabase(
  "the drizzle schema matches the tables the migrations create",
  withDatabase(async (t) => {
    const tables = (Object.values(schema) as unknown[]).filter((v): v is PgTable =>
      typeof v === "object" && v !== null && Symbol.for("drizzle:IsDrizzleTable") in v
    );
    assert.ok(tables.length >= 7);
    for (const table of tables) {
      const config = getTableConfig(table);
      const result = await t.database.db.execute(sql`
            select column_name, is_nullable from information_schema.columns
            where table_schema = 'public' and table_name = ${config.name} order by column_name`);
      const rows = rowsOf<{ column_name: string; is_nullable: string }>(result);
      const actual = rows.map((r) =>
        `${r.column_name}:${r.is_nullable === "NO" ? "not null" : "null"}`
      );
      const expected = config.columns.map((c) =>
        `${c.name}:${c.notNull || c.primary ? "not null" : "null"}`
      ).sort();
      assert.deepEqual(actual, expected, config.name);
    }
  }),
);

Deno.test("readMigrations refuses a gap in the numbering", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/0001_a.sql`, "select 1;");
    await Deno.writeTextFile(`${dir}/0003_c.sql`, "select 1;");
    await assert.rejects(() => readMigrations(new URL(`file://${dir}/`)), /breaks the sequence/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

eachDatabase("two processes starting on one empty PostgreSQL database both come up", async () => {
  const pg = await createPgDatabase({ empty: true });
  const start = () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../main.ts", import.meta.url).pathname],
      env: {
        DATABASE_URL: pg.url,
        JWT_SECRET: "two-processes-secret-two-processes-secret",
        PORT: "0",
        SEED_DEMO: "0",
      },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  const procs = [start(), start()];
  const readers: ReadableStreamDefaultReader<string>[] = [];
  try {
    await Promise.all(procs.map(async (p) => {
      const reader = p.stdout.pipeThrough(new TextDecoderStream()).getReader();
      readers.push(reader);
      let seen = "";
      const deadline = Date.now() + 30_000;
      while (!seen.includes('"msg":"listening"')) {
        if (Date.now() > deadline) throw new Error(`no listening line: ${seen}`);
        const { value, done } = await reader.read();
        if (done) throw new Error(`process exited: ${seen}`);
        seen += value;
      }
    }));
    const database = await openDatabase(pg.url);
    try {
      const result = await database.db.execute(
        sql`select count(*)::int as n from parley_migrations`,
      );
      const rows = rowsOf<{ n: number }>(result);
      assert.equal(rows[0].n, (await readMigrations()).length);
    } finally {
      await database.close();
    }
  } finally {
    for (const p of procs) {
      try {
        p.kill("SIGTERM");
      } catch { /* already gone */ }
      await p.status;
      await p.stderr.cancel().catch(() => {});
    }
    // stdout is piped into a reader: cancelling the reader closes it.
    for (const reader of readers) await reader.cancel().catch(() => {});
    for (const p of procs) await p.stdout.cancel().catch(() => {});
    await pg.drop();
  }
}, { kinds: ["postgres"] });
