/**
 * @module The app in-process on a real database, plus small API helpers, so route tests read as
 * HTTP conversations: `const t = await startApp(kind); await t.post("/api/agents", body, token)`.
 */
import { createApp } from "../../app.ts";
import { assertConforms } from "./openapi.ts";
import { type Config, parseConfig } from "../../config.ts";
import { Hub } from "../../hub/hub.ts";
import { createDemoAgent } from "../../agents/demo.ts";
import { TenantAgents } from "../../agents/tenancy.ts";
import type { Agent } from "../../agents/agent.ts";
import type { Deps } from "../../context.ts";
import { setLogLevel } from "../../lib/log.ts";
import { RateLimits } from "../../limits/rate_limit.ts";
import {
  type DbKind,
  eachDatabase,
  type EachDatabaseOptions,
  openTestDatabase,
  type TestDatabase,
} from "./db.ts";

setLogLevel("off");

/** Config fields to change in a test; `limits` may name only some limits. */
export type ConfigOverrides = Omit<Partial<Config>, "limits"> & {
  limits?: Partial<Config["limits"]>;
};

/**
 * A config for tests: defaults, a fixed secret, no Retell, no demo delay. Rate limits and budgets
 * are ON with their production defaults (SPEC v2.1), so every test also shows that a person using
 * Parley normally never meets one; a test that turns them off says why. Sign-up is open so tests
 * can register several organizations, except with a deployment Retell key, which serves
 * organizations only while sign-up is closed (SPEC v2.2). Passwords hash at scrypt N=2^14 to keep
 * tests quick (the default is OWASP's 2^17; tests/lib/passwords_test.ts covers it).
 */
export function testConfig(overrides: ConfigOverrides = {}): Config {
  const base = parseConfig({
    JWT_SECRET: "test-secret-test-secret-test-secret-42",
    DEMO_AGENT_DELAY_MS: "0",
  });
  return {
    ...base,
    databaseUrl: "memory://",
    seedDemo: false,
    signup: overrides.retellApiKey ? "closed" : "open",
    passwordHashCost: 14,
    ...overrides,
    limits: { ...base.limits, ...overrides.limits },
  };
}

/** Options of `startApp`. */
export interface StartAppOptions {
  config?: ConfigOverrides;
  agent?: Agent;
  /** Reuse an open database instead of a fresh one (two apps on one database). */
  database?: TestDatabase;
  /** Sees every statement the app's database runs (count queries with it). */
  onStatement?: (text: string) => void;
}

/** The app under test with request helpers. */
export interface TestApp {
  kind: DbKind;
  deps: Deps;
  app: ReturnType<typeof createApp>;
  testDb: TestDatabase;
  request(path: string, init?: RequestInit): Promise<Response>;
  get(path: string, token?: string): Promise<Response>;
  post(
    path: string,
    body: unknown,
    token?: string,
    headers?: Record<string, string>,
  ): Promise<Response>;
  put(path: string, body: unknown, token?: string): Promise<Response>;
  delete(path: string, token?: string): Promise<Response>;
  /** Runs `cleanup` when the app closes, before the app's own resources (last given, first run). */
  defer(cleanup: () => unknown): void;
  /** Runs what `defer` was given, now (a server runs it before it stops listening). */
  runDeferred(): Promise<void>;
  close(): Promise<void>;
}

const auth = (token?: string): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

/** Starts the app on a fresh database of the kind. */
export async function startApp(kind: DbKind, options: StartAppOptions = {}): Promise<TestApp> {
  const testDb = options.database ??
    await openTestDatabase(kind, { onStatement: options.onStatement });
  const config = testConfig(options.config);
  const hub = new Hub();
  const deps: Deps = {
    config,
    database: testDb.database,
    hub,
    agent: options.agent ?? createDemoAgent({ delayMs: 0 }),
    rateLimits: new RateLimits(config, testDb.database),
    tenants: new TenantAgents(config),
  };
  const app = createApp(deps);
  const cleanups: (() => unknown)[] = [];
  const runDeferred = async () => {
    for (let cleanup = cleanups.pop(); cleanup; cleanup = cleanups.pop()) await cleanup();
  };
  // Every response is checked against the published OpenAPI document (SPEC v2.6).
  const document = async () =>
    await (await app.request("http://parley.test/api/openapi.json")).json();
  const request = async (path: string, init?: RequestInit) => {
    const res = await app.request(`http://parley.test${path}`, init);
    await assertConforms(document, init?.method ?? "GET", path, res);
    return res;
  };
  const send =
    (method: string) =>
    (path: string, body: unknown, token?: string, headers: Record<string, string> = {}) =>
      request(path, {
        method,
        headers: { "content-type": "application/json", ...auth(token), ...headers },
        body: typeof body === "string" ? body : JSON.stringify(body),
      });
  return {
    kind,
    deps,
    app,
    testDb,
    request,
    get: (path, token) => request(path, { headers: auth(token) }),
    post: send("POST"),
    put: send("PUT"),
    delete: (path, token) => request(path, { method: "DELETE", headers: auth(token) }),
    defer: (cleanup) => void cleanups.push(cleanup),
    runDeferred,
    async close() {
      await runDeferred();
      await hub.close();
      deps.rateLimits.close();
      if (!options.database) await testDb.dispose();
    },
  };
}

/** Options of `dbTest`: the app's and the test's. */
export type DbTestOptions = StartAppOptions & EachDatabaseOptions;

/**
 * Registers the test on each database (`eachDatabase`); the app is started before and closed
 * (with everything `t.defer` was given) after `fn`.
 */
export function dbTest(
  name: string,
  fn: (t: TestApp) => Promise<void>,
  options: DbTestOptions = {},
): void {
  eachDatabase(name, async (kind) => {
    const t = await startApp(kind, options);
    try {
      await fn(t);
    } finally {
      await t.close();
    }
  }, options);
}

let counter = 0;
/** A unique email for a test account. */
export function uniqueEmail(prefix = "owner"): string {
  return `${prefix}-${Date.now().toString(36)}-${++counter}-${
    crypto.randomUUID().slice(0, 6)
  }@example.com`;
}

/**
 * Makes a fake Retell the deployment's account (`RETELL_API_KEY` and `RETELL_BASE_URL`), which
 * serves organizations without a key of their own only while sign-up is closed (SPEC v2.2).
 */
export function useDeploymentRetell(t: TestApp, fake: { apiKey: string; url: string }): void {
  t.deps.config.retellApiKey = fake.apiKey;
  t.deps.config.retellBaseUrl = fake.url;
  t.deps.config.signup = "closed";
}

/**
 * Registers an organization; returns its admin token and ids. A fixture, not a test of sign-up:
 * with sign-up closed it is opened for this one registration, as an operator would.
 */
export async function registerAdmin(t: TestApp, organizationName = "Acme") {
  const signup = t.deps.config.signup;
  t.deps.config.signup = "open";
  const res = await t.post("/api/auth/register", {
    email: uniqueEmail(),
    password: "correct horse battery",
    organizationName,
  }).finally(() => t.deps.config.signup = signup);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${await res.text()}`);
  const body = await res.json();
  return {
    token: body.token as string,
    organizationId: body.organization.id as string,
    userId: body.user.id as string,
  };
}

/** Creates an agent and a widget for an admin; returns the widget JSON and agent id. */
export async function createAgentAndWidget(
  t: TestApp,
  token: string,
  widget: Record<string, unknown> = {},
  agent: Record<string, unknown> = {},
) {
  const a = await t.post("/api/agents", { name: "Helper", ...agent }, token);
  if (a.status !== 201) throw new Error(`agent failed: ${a.status} ${await a.text()}`);
  const agentJson = await a.json();
  const w = await t.post("/api/widgets", { name: "Site", agentId: agentJson.id, ...widget }, token);
  if (w.status !== 201) throw new Error(`widget failed: ${w.status} ${await w.text()}`);
  return { agent: agentJson, widget: await w.json() };
}

/** A whole tenant ready to chat: admin, agent, widget and a visitor token. */
export async function setupVisitor(
  t: TestApp,
  widget: Record<string, unknown> = {},
  agent: Record<string, unknown> = {},
) {
  const admin = await registerAdmin(t);
  const created = await createAgentAndWidget(t, admin.token, widget, agent);
  const res = await t.post("/embed/auth", { widgetId: created.widget.id, domain: "example.com" });
  if (res.status !== 200) throw new Error(`embed auth failed: ${res.status} ${await res.text()}`);
  const visitor = await res.json();
  return {
    admin,
    ...created,
    visitorToken: visitor.token as string,
    visitorId: visitor.visitorId as string,
  };
}
