/**
 * @module Parley as benchmarks see it: the real `main.ts` in a child process (PGlite in memory or
 * a fresh PostgreSQL database), and a tenant made over HTTP the way a customer makes one: an
 * admin, an agent, a widget, then visitors with their tokens and sessions.
 */
import postgres from "postgres";
import { type Child, freePort, spawnDeno, track, waitForHttp } from "./proc.ts";

/** The PostgreSQL server benchmarks use (a fresh database is created on it). */
export const PG_URL = Deno.env.get("TEST_DATABASE_URL") ?? Deno.env.get("DATABASE_URL") ??
  "postgres://postgres@127.0.0.1:5432/postgres";

const SECRET = "bench-secret-bench-secret-bench-secret-0";

const HUGE = "1000000000";

/**
 * Rate limits and budgets ON (each spend still costs what it costs in production) but so large
 * that the load is never refused: benchmarks measure the work, not the refusals. Every load
 * generator connects from 127.0.0.1, which is one client address.
 */
const LIMIT_ENV = {
  LIMIT_EMBED_AUTH_PER_MINUTE: HUGE,
  LIMIT_AUTH_PER_MINUTE: HUGE,
  LIMIT_SESSIONS_PER_VISITOR_PER_HOUR: HUGE,
  LIMIT_WS_FRAMES_PER_MINUTE: HUGE,
  LIMIT_SOCKETS_PER_ADDRESS: "1000000",
  LIMIT_SOCKETS_TOTAL: "1000000",
  LIMIT_MESSAGES_PER_VISITOR_PER_MINUTE: HUGE,
  LIMIT_MESSAGES_PER_ADDRESS_PER_MINUTE: HUGE,
  LIMIT_NEW_VISITORS_PER_ADDRESS_PER_HOUR: HUGE,
  LIMIT_AGENT_REPLIES_PER_ORGANIZATION_PER_DAY: HUGE,
  LIMIT_CALLS_PER_VISITOR_PER_HOUR: HUGE,
  LIMIT_CALLS_PER_ADDRESS_PER_HOUR: HUGE,
  LIMIT_CALLS_PER_NUMBER_PER_HOUR: HUGE,
  LIMIT_CALLS_PER_NUMBER_PER_DAY: HUGE,
  LIMIT_CALLS_PER_WIDGET_PER_DAY: HUGE,
  LIMIT_CALLS_PER_ORGANIZATION_PER_DAY: HUGE,
  LIMIT_CONCURRENT_CALLS_PER_ORGANIZATION: HUGE,
};

/** A fresh PostgreSQL database; `drop()` removes it. */
export interface PgDatabase {
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database on `PG_URL`'s server. */
export async function createDatabase(prefix = "parley_bench"): Promise<PgDatabase> {
  const name = `${prefix}_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  const admin = postgres(PG_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const sql = postgres(PG_URL, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/** True when the PostgreSQL server answers. */
export async function postgresAvailable(): Promise<boolean> {
  const sql = postgres(PG_URL, { max: 1, onnotice: () => {}, connect_timeout: 3 });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {});
  }
}

/** A Parley server process. */
export interface ParleyServer extends Child {
  url: string;
  port: number;
}

/** Options of `startParley`. */
export interface StartParleyOptions {
  /** `memory://` (PGlite in memory) or a `postgres://` URL. */
  databaseUrl: string;
  env?: Record<string, string>;
  flags?: string[];
}

/** Starts `main.ts` on a free port and waits for `/healthz`. */
export async function startParley(options: StartParleyOptions): Promise<ParleyServer> {
  const port = freePort();
  const process = spawnDeno("main.ts", [], {
    flags: options.flags,
    env: {
      PORT: String(port),
      DATABASE_URL: options.databaseUrl,
      JWT_SECRET: SECRET,
      SEED_DEMO: "0",
      DEMO_AGENT_DELAY_MS: "0",
      // Per-request info logs cost a write each; an operator at scale keeps warnings only.
      LOG_LEVEL: "warn",
      DATA_DIR: "/tmp/parley-bench-data",
      ...LIMIT_ENV,
      ...options.env,
    },
  });
  const child = track(process);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/healthz`, 120_000, child);
  } catch (err) {
    await child.stop(1000);
    throw err;
  }
  return { ...child, url, port };
}

/** A fresh database of the kind with a server on it; `close()` stops both. */
export async function startOn(
  kind: "pglite" | "postgres",
  env: Record<string, string> = {},
): Promise<{ server: ParleyServer; close(): Promise<void> }> {
  if (kind === "pglite") {
    const server = await startParley({ databaseUrl: "memory://", env });
    return { server, close: () => server.stop() };
  }
  const db = await createDatabase();
  const server = await startParley({ databaseUrl: db.url, env });
  return {
    server,
    async close() {
      await server.stop();
      await db.drop();
    },
  };
}

async function postJson<T>(url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`POST ${url}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** An organization with an agent and a widget that any domain may embed. */
export interface Tenant {
  adminToken: string;
  widgetId: string;
  agentId: string;
}

/** Registers an organization, an agent and a widget on the server at `base`. */
export async function createTenant(base: string): Promise<Tenant> {
  const email = `bench-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const reg = await postJson<{ token: string }>(`${base}/api/auth/register`, {
    email,
    password: "bench password 123",
    organizationName: "Bench",
  });
  const agent = await postJson<{ id: string }>(
    `${base}/api/agents`,
    { name: "Bench" },
    reg.token,
  );
  const widget = await postJson<{ id: string }>(`${base}/api/widgets`, {
    name: "Bench",
    agentId: agent.id,
    allowedDomains: [],
  }, reg.token);
  return { adminToken: reg.token, widgetId: widget.id, agentId: agent.id };
}

/** A visitor with a token and one chat session. */
export interface Visitor {
  token: string;
  visitorId: string;
  sessionId: string;
}

/** Authenticates `count` visitors and opens a session for each, `concurrency` at a time. */
export async function createVisitors(
  base: string,
  tenant: Tenant,
  count: number,
  concurrency = 20,
): Promise<Visitor[]> {
  const visitors: Visitor[] = new Array(count);
  let next = 0;
  async function worker() {
    for (let i = next++; i < count; i = next++) {
      const auth = await postJson<{ token: string; visitorId: string }>(`${base}/embed/auth`, {
        widgetId: tenant.widgetId,
        domain: "bench.example",
      });
      const session = await postJson<{ id: string }>(
        `${base}/api/chat/sessions`,
        {},
        auth.token,
      );
      visitors[i] = { token: auth.token, visitorId: auth.visitorId, sessionId: session.id };
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return visitors;
}

/** Opens `count` sessions with one visitor token (the memory benchmark needs many sessions). */
export async function createSessions(
  base: string,
  token: string,
  count: number,
  concurrency = 20,
): Promise<string[]> {
  const ids: string[] = new Array(count);
  let next = 0;
  async function worker() {
    for (let i = next++; i < count; i = next++) {
      ids[i] = (await postJson<{ id: string }>(`${base}/api/chat/sessions`, {}, token)).id;
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return ids;
}
