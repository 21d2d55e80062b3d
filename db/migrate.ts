/**
 * @module Forward-only migrations (the postgres-shift model): numbered `.sql` files in
 * `migrations/`, gap-checked, each applied once in its own transaction and recorded in
 * `parley_migrations`, all under one lock so that processes starting together agree.
 */
import type { Database } from "./client.ts";

const MIGRATIONS_DIR = new URL("./migrations/", import.meta.url);

/** One migration file. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/** Reads and gap-checks the migration files. */
export async function readMigrations(dir: URL = MIGRATIONS_DIR): Promise<Migration[]> {
  const found: Migration[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const m = /^(\d{4})_[a-z0-9_]+\.sql$/.exec(entry.name);
    if (!entry.isFile || !m) continue;
    found.push({
      version: Number(m[1]),
      name: entry.name,
      sql: await Deno.readTextFile(new URL(entry.name, dir)),
    });
  }
  found.sort((a, b) => a.version - b.version);
  found.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`Migration ${m.name} breaks the sequence at ${i + 1}`);
  });
  return found;
}

/** Applies every migration not yet recorded; returns the names applied now. */
export async function migrate(database: Database, dir?: URL): Promise<string[]> {
  const migrations = await readMigrations(dir);
  return await database.withMigrationLock(async (exec) => {
    await exec(`CREATE TABLE IF NOT EXISTS parley_migrations (
      version INTEGER PRIMARY KEY,
      name TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )`);
    const rows = await exec("SELECT version FROM parley_migrations");
    const done = new Set(rows.map((r) => Number(r.version)));
    const applied: string[] = [];
    for (const m of migrations) {
      if (done.has(m.version)) continue;
      // Version and name come from our own file names (checked above), never from input.
      await exec(
        `BEGIN;\n${m.sql}\n;INSERT INTO parley_migrations (version, name) VALUES (${m.version}, '${m.name}');\nCOMMIT;`,
      );
      applied.push(m.name);
    }
    return applied;
  });
}
