/**
 * @module Rate limits through rate-limiter-flexible: in memory for one embedded process, and in
 * PostgreSQL (its drizzle store, with a memory insurance limiter) when processes share a server,
 * so a flood cannot dodge a limit by landing on another process.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getConnInfo } from "hono/deno";
import {
  RateLimiterAbstract,
  RateLimiterDrizzle,
  RateLimiterMemory,
  RateLimiterRes,
} from "rate-limiter-flexible";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { rateLimits } from "../db/schema.ts";
import { HttpError } from "../lib/errors.ts";

/** Every limit Parley enforces, with its window. */
const LIMITS = {
  /** `POST /embed/auth` per IP. */
  embedAuth: { points: (l: Config["limits"]) => l.embedAuthPerMinute, duration: 60 },
  /** `/api/auth/*` per IP. */
  auth: { points: (l: Config["limits"]) => l.authPerMinute, duration: 60 },
  /** Failed logins per email: the account locks for the rest of the window. */
  loginFailures: { points: (l: Config["limits"]) => l.loginFailuresPerQuarterHour, duration: 900 },
  /** Messages per visitor. */
  messages: { points: (l: Config["limits"]) => l.messagesPerMinute, duration: 60 },
  /** New sessions per visitor. */
  sessions: { points: (l: Config["limits"]) => l.sessionsPerVisitorPerHour, duration: 3600 },
  /** Voice calls per visitor. */
  calls: { points: (l: Config["limits"]) => l.callsPerHour, duration: 3600 },
  /** WebSocket frames per socket (kept in memory: a socket lives in one process). */
  wsFrames: { points: (l: Config["limits"]) => l.wsFramesPerMinute, duration: 60 },
} as const;

export type LimitName = keyof typeof LIMITS;

/** The limiters of one app. */
export class RateLimits {
  #limiters = new Map<LimitName, RateLimiterAbstract>();
  #memories: RateLimiterMemory[] = [];

  constructor(config: Config, database?: Database) {
    for (const [name, spec] of Object.entries(LIMITS) as [LimitName, typeof LIMITS[LimitName]][]) {
      const options = {
        keyPrefix: name,
        points: spec.points(config.limits),
        duration: spec.duration,
      };
      const memory = new RateLimiterMemory(options);
      this.#memories.push(memory);
      const shared = database?.kind === "postgres" && name !== "wsFrames";
      this.#limiters.set(
        name,
        shared
          ? new RateLimiterDrizzle({
            ...options,
            storeClient: database.db,
            schema: rateLimits,
            // Expired rows are removed by our own sweep (`sweep()`), not a library timer.
            clearExpiredByTimeout: false,
            insuranceLimiter: memory,
          })
          : memory,
      );
    }
  }

  /** Takes `points` from `key`'s budget; throws 429 with `Retry-After` when it is spent. */
  async consume(name: LimitName, key: string, points = 1): Promise<void> {
    try {
      await this.#limiters.get(name)!.consume(key, points);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err.msBeforeNext);
      throw err;
    }
  }

  /** True while `key` has no budget left, without spending any. */
  async isBlocked(name: LimitName, key: string): Promise<number | undefined> {
    const limiter = this.#limiters.get(name)!;
    const res = await limiter.get(key);
    return res && res.consumedPoints >= limiter.points ? res.msBeforeNext : undefined;
  }

  /**
   * Forgets every key kept in memory, with its expiry timer. Those timers are unref'd, so they
   * never hold a stopping process, but an app that is closed (tests, a graceful stop) must not
   * leave them behind. rate-limiter-flexible has no public way to clear its memory store: this
   * reaches into the pinned version's `_memoryStorage` (Deno's op sanitizer catches a change).
   */
  close(): void {
    for (const memory of this.#memories) {
      const store = (memory as unknown as { _memoryStorage?: MemoryStore })._memoryStorage;
      for (const record of store?._storage.values() ?? []) clearTimeout(record.timeoutId);
      store?._storage.clear();
    }
  }

  /** Forgets a key (a successful login clears its failures). */
  async reset(name: LimitName, key: string): Promise<void> {
    await this.#limiters.get(name)!.delete(key);
  }
}

/** The private shape of rate-limiter-flexible's memory store (see `RateLimits.close`). */
interface MemoryStore {
  _storage: Map<string, { timeoutId?: number }>;
}

/** The 429 of SPEC: `Retry-After` in whole seconds. */
export function tooMany(msBeforeNext: number): HttpError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  return new HttpError(429, "rate_limited", `Too many requests, retry in ${seconds} s`, {
    headers: { "Retry-After": String(seconds) },
    details: { retryAfterSeconds: seconds },
  });
}

/**
 * The context variables the limits read. Named here rather than taken from `context.ts`, which
 * imports this module for `Deps`: the app's `AppEnv` has them.
 */
export type LimitEnv = {
  Variables: { config: Pick<Config, "trustProxy">; deps: { rateLimits: RateLimits } };
};

/** The client's address: the socket's, or `X-Forwarded-For`'s first hop behind a trusted proxy. */
export function clientIp<E extends LimitEnv>(c: Context<E>): string {
  if (c.var.config.trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // `app.request()` in tests has no socket.
    return "unknown";
  }
}

/** Middleware: one point per request from the client's address. */
export function rateLimitByIp(name: LimitName): MiddlewareHandler<LimitEnv> {
  return async (c, next) => {
    await c.var.deps.rateLimits.consume(name, clientIp(c));
    await next();
  };
}
