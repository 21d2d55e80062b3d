/**
 * @module Real databases for tests: every data test runs on PGlite and on the PostgreSQL server
 * named by `TEST_DATABASE_URL` (each test on a fresh database of its own there).
 */
import postgres from "postgres";
import { type Database, openDatabase } from "../../db/client.ts";
import { migrate, readMigrations } from "../../db/migrate.ts";

export type DbKind = "pglite" | "postgres";

export const TEST_DATABASE_URL = Deno.env.get("TEST_DATABASE_URL");
/** CI sets this so that no PostgreSQL test can be skipped silently. */
const REQUIRE_DATABASE = Deno.env.get("CI") === "true" || Deno.env.get("REQUIRE_DATABASE") === "1";

if (!TEST_DATABASE_URL) {
  if (REQUIRE_DATABASE) throw new Error("TEST_DATABASE_URL must be set when CI=true");
  // deno-lint-ignore no-console
  console.warn("TEST_DATABASE_URL is unset: PostgreSQL variants of data tests are skipped");
}

function databaseUrl(name: string): string {
  const url = new URL(TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return url.toString();
}

let template: Promise<string> | undefined;

/**
 * A migrated, empty PostgreSQL database to copy, named by a hash of the migrations so that a
 * changed migration makes a new one. Made once by whichever test process comes first (under an
 * advisory lock); copying it takes a tenth of the time of migrating a fresh database per test.
 * Nothing stays connected to it, as `CREATE DATABASE … TEMPLATE` requires.
 */
function migratedTemplate(): Promise<string> {
  template ??= (async () => {
    const sql = (await readMigrations()).map((m) => m.sql).join("\n");
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(sql));
    const hash = [...new Uint8Array(digest).slice(0, 6)]
      .map((b) => b.toString(16).padStart(2, "0")).join("");
    const name = `parley_template_${hash}`;
    const admin = postgres(TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
    try {
      await admin`SELECT pg_advisory_lock(hashtext('parley test template'))`;
      const [found] = await admin`SELECT 1 FROM pg_database WHERE datname = ${name}`;
      if (!found) {
        const building = `${name}_${crypto.randomUUID().replaceAll("-", "").slice(0, 8)}`;
        await admin.unsafe(`CREATE DATABASE ${building}`);
        const database = await openDatabase(databaseUrl(building));
        try {
          await migrate(database);
        } finally {
          await database.close();
        }
        // Renamed only once complete, so no process ever copies half a schema.
        await admin.unsafe(`ALTER DATABASE ${building} RENAME TO ${name}`);
      }
      await admin`SELECT pg_advisory_unlock(hashtext('parley test template'))`;
    } finally {
      await admin.end();
    }
    return name;
  })();
  return template;
}

/** A fresh PostgreSQL database (migrated, or `empty`); `drop()` removes it. */
export async function createPgDatabase(
  options: { empty?: boolean } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  if (!TEST_DATABASE_URL) throw new Error("TEST_DATABASE_URL is unset");
  const name = `parley_test_${crypto.randomUUID().replaceAll("-", "").slice(0, 16)}`;
  const from = options.empty ? "" : ` TEMPLATE ${await migratedTemplate()}`;
  const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}${from}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  return {
    url,
    async drop() {
      const sql = postgres(TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/** An open, migrated database of the kind, with its disposal. */
export interface TestDatabase {
  kind: DbKind;
  url: string;
  database: Database;
  dispose(): Promise<void>;
}

let migratedSnapshot: Promise<Blob> | undefined;

/**
 * A migrated, empty PGlite cluster as a tarball, made once per test process: loading it takes a
 * fifth of the time of creating and migrating a cluster, for every PGlite test.
 */
function pgliteSnapshot(): Promise<Blob> {
  migratedSnapshot ??= (async () => {
    const database = await openDatabase("memory://");
    try {
      await migrate(database);
      return await database.snapshot!();
    } finally {
      await database.close();
    }
  })();
  return migratedSnapshot;
}

/** Options of `openTestDatabase`. */
export interface TestDatabaseOptions {
  /** Sees every statement (see `OpenDatabaseOptions.onStatement`): to count queries. */
  onStatement?: (text: string) => void;
}

/** Opens and migrates a fresh database of the kind. */
export async function openTestDatabase(
  kind: DbKind,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const { onStatement } = options;
  if (kind === "pglite") {
    const snapshot = await pgliteSnapshot();
    const database = await openDatabase("memory://", { snapshot, onStatement });
    // A no-op on the snapshot, but it proves the snapshot is current with the migrations.
    await migrate(database);
    return { kind, url: "memory://", database, dispose: () => database.close() };
  }
  const pg = await createPgDatabase();
  const database = await openDatabase(pg.url, { onStatement });
  // A no-op on the copy of the template, but it proves the copy is current with the migrations.
  await migrate(database);
  return {
    kind,
    url: pg.url,
    database,
    async dispose() {
      await database.close();
      await pg.drop();
    },
  };
}

/** The kinds a data test runs on, with the reason a kind is skipped. */
export const DB_KINDS: { kind: DbKind; ignore: boolean }[] = [
  { kind: "pglite", ignore: false },
  { kind: "postgres", ignore: !TEST_DATABASE_URL },
];

/** How a test registered by `eachDatabase` runs. */
export interface EachDatabaseOptions {
  /** Only these kinds (LISTEN/NOTIFY exists only on PostgreSQL); default both. */
  kinds?: DbKind[];
  /**
   * Why this test runs without Deno's op and resource sanitizers. They are on unless a test says
   * why not, so a leaked socket, timer or database handle fails the test that leaked it.
   */
  unsanitized?: string;
}

/**
 * The one way a test runs on every database: registers `name [pglite]` and `name [postgres]`
 * (the latter skipped, loudly, when `TEST_DATABASE_URL` is unset) and calls `fn` with the kind.
 * `dbTest` (the app in-process) and `serverTest` (a real server) are built on it.
 */
export function eachDatabase(
  name: string,
  fn: (kind: DbKind) => Promise<void>,
  options: EachDatabaseOptions = {},
): void {
  for (const { kind, ignore } of DB_KINDS) {
    if (options.kinds && !options.kinds.includes(kind)) continue;
    const sanitize = options.unsanitized === undefined;
    Deno.test({
      name: `${name} [${kind}]`,
      ignore,
      sanitizeOps: sanitize,
      sanitizeResources: sanitize,
      fn: () => fn(kind),
    });
  }
}

/** Plain row objects from `db.execute` on either driver (PGlite: `{rows}`, postgres.js: a RowList). */
export function rowsOf<T>(result: unknown): T[] {
  const rows = (result as { rows?: unknown[] }).rows ?? (result as unknown[]);
  return Array.from(rows, (r) => ({ ...(r as object) }) as T);
}
