/**
 * @module The only reader of the environment: every variable of SPEC.md parsed with zod into one
 * typed `Config`, with one readable line per problem when start-up must stop.
 */
import { z } from "zod";
import { ensurePrivateDir } from "./lib/private_files.ts";

const bool = z.enum(["0", "1", "true", "false"]).transform((v) => v === "1" || v === "true");
const positiveInt = z.coerce.number().int().positive();
/** A secret from the environment or a file: long enough that guessing it is hopeless. */
const SecretSchema = z.string().trim().min(32, { message: "must be at least 32 characters" });

/**
 * Limits in one place, so hardening and tests can see and tune them. The budgets of SPEC v2.1 are
 * named `<what>Per<Key>Per<Window>`; each one is a `LIMIT_*` variable (`LIMIT_ENV` below).
 */
export const LimitsSchema = z.object({
  bodyBytes: positiveInt.default(64 * 1024),
  messageChars: positiveInt.default(4000),
  wsFrameBytes: positiveInt.default(16 * 1024),
  wsBufferedBytes: positiveInt.default(1024 * 1024),
  socketsPerSession: positiveInt.default(20),
  /**
   * A visitor's browser opens one socket per tab that shows the widget; 20 lets an office behind
   * one address chat from many tabs, and bounds what one address can make the server hold.
   */
  socketsPerAddress: positiveInt.default(20),
  /** Every socket of this process, whoever opened it: what bounds the server's memory. */
  socketsTotal: positiveInt.default(10_000),
  sessionsPerVisitorPerHour: positiveInt.default(30),
  embedAuthPerMinute: positiveInt.default(60),
  authPerMinute: positiveInt.default(20),
  wsFramesPerMinute: positiveInt.default(120),
  /** Retell's webhook per client address (a call makes about three events). */
  webhooksPerMinute: positiveInt.default(300),
  /** Deno pings a socket idle this long and closes it when no pong comes back (the heartbeat). */
  wsIdleSeconds: positiveInt.default(30),
  // SPEC v2.1 budgets.
  callsPerVisitorPerHour: positiveInt.default(10),
  callsPerAddressPerHour: positiveInt.default(5),
  callsPerNumberPerHour: positiveInt.default(3),
  callsPerNumberPerDay: positiveInt.default(10),
  callsPerWidgetPerDay: positiveInt.default(100),
  callsPerOrganizationPerDay: positiveInt.default(300),
  concurrentCallsPerOrganization: positiveInt.default(20),
  messagesPerVisitorPerMinute: positiveInt.default(30),
  messagesPerAddressPerMinute: positiveInt.default(120),
  newVisitorsPerAddressPerHour: positiveInt.default(60),
  agentRepliesPerOrganizationPerDay: positiveInt.default(20_000),
  /** Failed sign-ins per (email, client address); 10 lock that pair for the rest of the window. */
  loginFailuresPerQuarterHour: positiveInt.default(10),
  /** Failed sign-ins per email from every address together. */
  loginFailuresPerEmailPerQuarterHour: positiveInt.default(100),
});
export type Limits = z.infer<typeof LimitsSchema>;

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  DATABASE_URL: z.string().regex(/^(postgres(ql)?|memory):\/\//, {
    message: "must start with postgres://, postgresql:// or memory://",
  }).optional(),
  DATA_DIR: z.string().min(1).default("./data"),
  JWT_SECRET: SecretSchema.optional(),
  ENCRYPTION_KEY: SecretSchema.optional(),
  SIGNUP: z.enum(["open", "closed"]).default("closed"),
  PASSWORD_HASH_COST: z.coerce.number().int().min(14).max(20).default(17),
  RETELL_API_KEY: z.string().min(1).optional(),
  RETELL_BASE_URL: z.url().optional(),
  PUBLIC_URL: z.url().optional(),
  SEED_DEMO: bool.optional(),
  DEMO_AGENT_DELAY_MS: z.coerce.number().int().min(0).default(700),
  DEMO_CALL_TIMINGS: z.string().regex(/^\d{1,7},\d{1,7}(,\d{1,7})?$/, {
    message: "must be <startedMs>,<endedMs>[,<analyzedMs>] such as 2000,10000,11500",
  }).optional(),
  RETELL_TIMEOUT_MS: z.coerce.number().int().min(100).max(300_000).default(15_000),
  RETELL_MAX_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  TRUST_PROXY: bool.optional(),
  TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).optional(),
  RATE_LIMITS: z.enum(["on", "off"]).default("on"),
  DATABASE_PREPARE: bool.optional(),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error", "off"]).default("info"),
  WEBHOOKS_ALLOW_PRIVATE: bool.optional(),
});

/** What the app is built from; tests construct it directly with `testConfig()`. */
export interface Config {
  port: number;
  /** `postgres://…`, `memory://`, or `pglite:<dir>` for the embedded database. */
  databaseUrl: string;
  /** PostgreSQL statements as named prepared statements (off behind a transaction-mode pooler). */
  databasePrepare: boolean;
  dataDir: string;
  jwtSecret: string;
  /** Encrypts stored Retell keys; unset: a key derived from `jwtSecret` does. */
  encryptionKey?: string;
  /** `open`: anyone may register an organization; `closed`: only the first registration. */
  signup: "open" | "closed";
  /** scrypt's N as a power of two (17 = OWASP's 2^17); tests lower it to keep hashing quick. */
  passwordHashCost: number;
  retellApiKey?: string;
  retellBaseUrl?: string;
  /** Per attempt, for every Retell request. */
  retellTimeoutMs: number;
  /** Retries of idempotent Retell requests (and of completions Retell refused with 429). */
  retellMaxRetries: number;
  publicUrl?: string;
  seedDemo: boolean;
  demoAgentDelayMs: number;
  /** When the demo's simulated calls connect, end and are analyzed (ms after the call starts). */
  demoCallTimings?: { startedMs: number; endedMs: number; analyzedMs: number };
  logLevel: "debug" | "info" | "warn" | "error" | "off";
  /**
   * How many proxies in front of us append to `X-Forwarded-For`: the client address is the N-th
   * entry from the right (0: the header is ignored and the socket's address is the client's).
   */
  trustProxyHops: number;
  /** `RATE_LIMITS=off` turns every rate limit and budget off (load tests, acceptance suites). */
  rateLimits: boolean;
  limits: Limits;
  /** Webhook URLs may point at loopback and private addresses (development and tests only). */
  webhooksAllowPrivate: boolean;
}

/** Thrown with every problem found, one per line. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join("\n"));
    this.name = "ConfigError";
  }
}

const LIMIT_ENV: Record<keyof Limits, string> = {
  bodyBytes: "LIMIT_BODY_BYTES",
  messageChars: "LIMIT_MESSAGE_CHARS",
  wsFrameBytes: "LIMIT_WS_FRAME_BYTES",
  wsBufferedBytes: "LIMIT_WS_BUFFERED_BYTES",
  socketsPerSession: "LIMIT_SOCKETS_PER_SESSION",
  socketsPerAddress: "LIMIT_SOCKETS_PER_ADDRESS",
  socketsTotal: "LIMIT_SOCKETS_TOTAL",
  sessionsPerVisitorPerHour: "LIMIT_SESSIONS_PER_VISITOR_PER_HOUR",
  embedAuthPerMinute: "LIMIT_EMBED_AUTH_PER_MINUTE",
  authPerMinute: "LIMIT_AUTH_PER_MINUTE",
  wsFramesPerMinute: "LIMIT_WS_FRAMES_PER_MINUTE",
  webhooksPerMinute: "LIMIT_WEBHOOKS_PER_MINUTE",
  wsIdleSeconds: "LIMIT_WS_IDLE_SECONDS",
  callsPerVisitorPerHour: "LIMIT_CALLS_PER_VISITOR_PER_HOUR",
  callsPerAddressPerHour: "LIMIT_CALLS_PER_ADDRESS_PER_HOUR",
  callsPerNumberPerHour: "LIMIT_CALLS_PER_NUMBER_PER_HOUR",
  callsPerNumberPerDay: "LIMIT_CALLS_PER_NUMBER_PER_DAY",
  callsPerWidgetPerDay: "LIMIT_CALLS_PER_WIDGET_PER_DAY",
  callsPerOrganizationPerDay: "LIMIT_CALLS_PER_ORGANIZATION_PER_DAY",
  concurrentCallsPerOrganization: "LIMIT_CONCURRENT_CALLS_PER_ORGANIZATION",
  messagesPerVisitorPerMinute: "LIMIT_MESSAGES_PER_VISITOR_PER_MINUTE",
  messagesPerAddressPerMinute: "LIMIT_MESSAGES_PER_ADDRESS_PER_MINUTE",
  newVisitorsPerAddressPerHour: "LIMIT_NEW_VISITORS_PER_ADDRESS_PER_HOUR",
  agentRepliesPerOrganizationPerDay: "LIMIT_AGENT_REPLIES_PER_ORGANIZATION_PER_DAY",
  loginFailuresPerQuarterHour: "LIMIT_LOGIN_FAILURES_PER_QUARTER_HOUR",
  loginFailuresPerEmailPerQuarterHour: "LIMIT_LOGIN_FAILURES_PER_EMAIL_PER_QUARTER_HOUR",
};

/** The `LIMIT_*` variable of each limit (README's configuration table lists them). */
export const LIMIT_VARIABLES: Readonly<Record<keyof Limits, string>> = LIMIT_ENV;

/**
 * Parses the environment. Reading the generated dev secret needs the file system, so it is passed
 * in (`readSecret`) to keep this function pure for tests.
 */
export function parseConfig(
  env: Record<string, string | undefined>,
  readSecret: (dataDir: string) => string = readOrCreateDevSecret,
): Config {
  const problems: string[] = [];
  const parsed = EnvSchema.safeParse(env);
  const limitsInput: Record<string, string | undefined> = {};
  for (const [key, name] of Object.entries(LIMIT_ENV)) limitsInput[key] = env[name];
  const limits = LimitsSchema.safeParse(limitsInput);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      problems.push(`${issue.path.join(".")}: ${issue.message}`);
    }
  }
  if (!limits.success) {
    for (const issue of limits.error.issues) {
      problems.push(`${LIMIT_ENV[issue.path[0] as keyof Limits]}: ${issue.message}`);
    }
  }
  if (!parsed.success || !limits.success) throw new ConfigError(problems);
  const e = parsed.data;
  const server = e.DATABASE_URL?.startsWith("postgres");
  if (server && !e.JWT_SECRET) {
    throw new ConfigError([
      "JWT_SECRET: required when DATABASE_URL points at a PostgreSQL server (at least 32 characters)",
    ]);
  }
  return {
    port: e.PORT,
    databaseUrl: e.DATABASE_URL ?? `pglite:${e.DATA_DIR}/db`,
    dataDir: e.DATA_DIR,
    jwtSecret: e.JWT_SECRET ?? devSecret(e.DATA_DIR, readSecret),
    encryptionKey: e.ENCRYPTION_KEY,
    signup: e.SIGNUP,
    passwordHashCost: e.PASSWORD_HASH_COST,
    retellApiKey: e.RETELL_API_KEY,
    retellBaseUrl: e.RETELL_BASE_URL,
    retellTimeoutMs: e.RETELL_TIMEOUT_MS,
    retellMaxRetries: e.RETELL_MAX_RETRIES,
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, ""),
    seedDemo: e.SEED_DEMO ?? !server,
    demoAgentDelayMs: e.DEMO_AGENT_DELAY_MS,
    demoCallTimings: demoCallTimings(e.DEMO_CALL_TIMINGS),
    logLevel: e.LOG_LEVEL,
    // `TRUST_PROXY=1` keeps meaning one proxy (SPEC v2.1); an explicit hop count wins.
    trustProxyHops: e.TRUST_PROXY_HOPS ?? (e.TRUST_PROXY ? 1 : 0),
    rateLimits: e.RATE_LIMITS === "on",
    databasePrepare: e.DATABASE_PREPARE ?? true,
    limits: limits.data,
    webhooksAllowPrivate: e.WEBHOOKS_ALLOW_PRIVATE ?? false,
  };
}

/** `DEMO_CALL_TIMINGS=2000,10000[,11500]`; each step at least as late as the one before. */
function demoCallTimings(value: string | undefined): Config["demoCallTimings"] {
  if (!value) return undefined;
  const [startedMs, endedMs, analyzedMs] = value.split(",").map(Number);
  const ended = Math.max(startedMs, endedMs);
  return { startedMs, endedMs: ended, analyzedMs: Math.max(ended, analyzedMs ?? ended + 1500) };
}

/** The secret file's content, held to the same rule as the variable. */
function devSecret(dataDir: string, readSecret: (dataDir: string) => string): string {
  const parsed = SecretSchema.safeParse(readSecret(dataDir));
  if (!parsed.success) {
    throw new ConfigError([
      `${dataDir}/jwt_secret: ${
        parsed.error.issues[0].message
      } (delete the file to generate a new one, or set JWT_SECRET)`,
    ]);
  }
  return parsed.data;
}

/**
 * The embedded database's dev secret: generated once and kept beside the data. `DATA_DIR` is
 * made owner-only (0700): it holds this secret and the database files.
 */
function readOrCreateDevSecret(dataDir: string): string {
  const path = `${dataDir}/jwt_secret`;
  ensurePrivateDir(dataDir);
  try {
    return Deno.readTextFileSync(path).trim();
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  Deno.writeTextFileSync(path, secret + "\n", { mode: 0o600 });
  return secret;
}

/** Reads `Deno.env` (the one place that does). */
export function loadConfig(): Config {
  return parseConfig(Deno.env.toObject());
}
