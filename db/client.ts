/**
 * @module Opens the database named by the configuration: embedded PGlite (on disk or in memory) or
 * a PostgreSQL server through postgres.js, behind one drizzle type so queries never care which.
 */
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import * as schema from "./schema.ts";

/** The typed query builder every query module takes first. */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

/** Runs raw multi-statement SQL text; only migrations use it, never with input. */
export type ExecSql = (text: string) => Promise<Record<string, unknown>[]>;

/** A live subscription that can be dropped. */
export interface Subscription {
  unlisten(): Promise<void>;
}

/** An open database: drizzle plus the few driver features drizzle does not cover. */
export interface Database {
  readonly kind: "pglite" | "postgres";
  readonly db: Db;
  /** Runs `fn` holding the migration lock (an advisory lock on PostgreSQL). */
  withMigrationLock<T>(fn: (exec: ExecSql) => Promise<T>): Promise<T>;
  /** LISTEN on a channel; `onListen` runs on every (re)connect so callers can re-sync. */
  listen(
    channel: string,
    onMessage: (payload: string) => void,
    onListen?: () => void,
  ): Promise<Subscription>;
  notify(channel: string, payload: string): Promise<void>;
  /** Cheap liveness probe for `/healthz`. */
  ping(): Promise<void>;
  /** PGlite only: the whole database as a tarball, to open copies of it quickly (tests). */
  snapshot?(): Promise<Blob>;
  close(): Promise<void>;
}

/** Arbitrary but fixed: every Parley process contends for this one lock while migrating. */
const MIGRATION_LOCK_KEY = 7_215_334_211;

/** Options of `openDatabase`. */
export interface OpenDatabaseOptions {
  /** PGlite only: start from this snapshot (see `Database.snapshot`) instead of an empty cluster. */
  snapshot?: Blob;
  /**
   * Called with the text of every statement sent: on PostgreSQL every statement postgres.js puts
   * on the wire, on PGlite every statement drizzle runs. Tests and benchmarks count queries with it.
   */
  onStatement?: (text: string) => void;
  /** PostgreSQL: named prepared statements (see `preparing`); default true. */
  prepare?: boolean;
}

/** Opens `postgres://…`, `memory://` or `pglite:<dir>`. */
export async function openDatabase(
  url: string,
  options: OpenDatabaseOptions = {},
): Promise<Database> {
  if (url.startsWith("postgres")) return openPostgres(url, options);
  const dir = url.startsWith("pglite:") ? url.slice("pglite:".length) : undefined;
  if (dir) await Deno.mkdir(dir, { recursive: true });
  return openPglite(dir, options);
}

async function openPglite(
  dir: string | undefined,
  options: OpenDatabaseOptions,
): Promise<Database> {
  const pg = await PGlite.create({ dataDir: dir, loadDataDir: options.snapshot });
  const onStatement = options.onStatement;
  const logger = onStatement && { logQuery: (text: string) => onStatement(text) };
  const db = drizzlePglite({ client: pg, schema, logger }) as unknown as Db;
  // PGlite is one connection in one process: its own mutex serialises statements.
  return {
    kind: "pglite",
    db,
    withMigrationLock: (fn) =>
      fn(async (text) => {
        const results = await pg.exec(text);
        return (results.at(-1)?.rows ?? []) as Record<string, unknown>[];
      }),
    async listen(channel, onMessage, onListen) {
      const unsub = await pg.listen(channel, onMessage);
      onListen?.();
      return { unlisten: () => unsub() };
    },
    async notify(channel, payload) {
      await pg.query("select pg_notify($1, $2)", [channel, payload]);
    },
    async ping() {
      await pg.query("select 1");
    },
    snapshot: () => pg.dumpDataDir("none"),
    async close() {
      if (!pg.closed) await pg.close();
    },
  };
}

/**
 * The client drizzle gets: its queries run as named prepared statements. drizzle asks postgres.js
 * for unnamed ones (`prepare: false`) unless a query is built with `.prepare()`, so PostgreSQL
 * parsed and planned every statement of every request again; named, each connection parses a
 * statement once (the session's joined load: 1.8 ms to 0.25 ms a call). Our statements take their
 * values as parameters, so their texts are a fixed set. Transactions run on postgres.js's own
 * transaction object and stay unnamed. A pooler in transaction mode (PgBouncer before 1.21) cannot
 * keep named statements: `DATABASE_PREPARE=0` turns this off.
 */
function preparing(sql: postgres.Sql): postgres.Sql {
  return new Proxy(sql, {
    get(target, key, receiver) {
      if (key !== "unsafe") return Reflect.get(target, key, receiver);
      return (query: string, params?: unknown[], options?: { prepare?: boolean }) =>
        target.unsafe(query, params as postgres.ParameterOrJSON<never>[], {
          ...options,
          prepare: true,
        });
    },
  });
}

function openPostgres(url: string, options: OpenDatabaseOptions): Database {
  const onStatement = options.onStatement;
  const sql = postgres(url, {
    max: 10,
    onnotice: () => {},
    connect_timeout: 5,
    connection: { application_name: "parley" },
    ...(onStatement ? { debug: (_connection: number, text: string) => onStatement(text) } : {}),
  });
  const client = options.prepare === false ? sql : preparing(sql);
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return {
    kind: "postgres",
    db,
    async withMigrationLock(fn) {
      const conn = await sql.reserve();
      try {
        await conn`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`;
        try {
          return await fn((text) => conn.unsafe(text) as Promise<Record<string, unknown>[]>);
        } finally {
          await conn`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`;
        }
      } finally {
        conn.release();
      }
    },
    async listen(channel, onMessage, onListen) {
      const sub = await sql.listen(channel, onMessage, onListen);
      return { unlisten: () => sub.unlisten() };
    },
    async notify(channel, payload) {
      await sql.notify(channel, payload);
    },
    async ping() {
      await sql`select 1`;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}
