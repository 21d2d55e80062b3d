/**
 * @module Rate limits and budgets through rate-limiter-flexible: in memory for one embedded
 * process, and in PostgreSQL (its drizzle store, one atomic upsert per spend, with a memory
 * insurance limiter) when processes share a server, so a flood cannot dodge a budget by landing
 * on another process. `RATE_LIMITS=off` makes every spend a no-op.
 */
import type { Context, MiddlewareHandler } from "hono";
import {
  RateLimiterAbstract,
  RateLimiterDrizzle,
  RateLimiterMemory,
  RateLimiterRes,
} from "rate-limiter-flexible";
import { lt } from "drizzle-orm";
import type { Config, Limits } from "../config.ts";
import type { Database } from "../db/client.ts";
import { rateLimits } from "../db/schema.ts";
import { HttpError } from "../lib/errors.ts";
import { clientAddress } from "../lib/client_address.ts";

const MINUTE = 60, HOUR = 3600, DAY = 86_400;

/** Every limit Parley enforces: its points (from the config) and window in seconds. */
const LIMITS = {
  /** `POST /embed/auth` per address. */
  embedAuth: { points: (l: Limits) => l.embedAuthPerMinute, duration: MINUTE },
  /** `/embed/auth` issuing a new visitor, per address (minting visitors resets nothing). */
  newVisitors: { points: (l: Limits) => l.newVisitorsPerAddressPerHour, duration: HOUR },
  /** `/api/auth/*` and the admin sign-in per address. */
  auth: { points: (l: Limits) => l.authPerMinute, duration: MINUTE },
  /** Sign-in guesses per (email, address): the pair locks for the rest of the window. */
  loginFailures: { points: (l: Limits) => l.loginFailuresPerQuarterHour, duration: 15 * MINUTE },
  /** Sign-in guesses per email from every address. */
  loginFailuresPerEmail: {
    points: (l: Limits) => l.loginFailuresPerEmailPerQuarterHour,
    duration: 15 * MINUTE,
  },
  messagesPerVisitor: { points: (l: Limits) => l.messagesPerVisitorPerMinute, duration: MINUTE },
  messagesPerAddress: { points: (l: Limits) => l.messagesPerAddressPerMinute, duration: MINUTE },
  agentReplies: { points: (l: Limits) => l.agentRepliesPerOrganizationPerDay, duration: DAY },
  /** `POST /api/retell/webhook` per address, counted before the body is read. */
  webhooks: { points: (l: Limits) => l.webhooksPerMinute, duration: MINUTE },
  /** Verified webhook signatures seen (one point each): a replay inside the window is dropped. */
  webhookSignatures: { points: () => 1, duration: 10 * MINUTE },
  /** New sessions per visitor. */
  sessions: { points: (l: Limits) => l.sessionsPerVisitorPerHour, duration: HOUR },
  callsPerVisitor: { points: (l: Limits) => l.callsPerVisitorPerHour, duration: HOUR },
  callsPerAddress: { points: (l: Limits) => l.callsPerAddressPerHour, duration: HOUR },
  callsPerNumberHourly: { points: (l: Limits) => l.callsPerNumberPerHour, duration: HOUR },
  callsPerNumberDaily: { points: (l: Limits) => l.callsPerNumberPerDay, duration: DAY },
  callsPerWidget: { points: (l: Limits) => l.callsPerWidgetPerDay, duration: DAY },
  callsPerOrganization: { points: (l: Limits) => l.callsPerOrganizationPerDay, duration: DAY },
} as const;

/** The name of a limit. */
export type LimitName = keyof typeof LIMITS;

/** One spend: a limit and the key it is counted under. */
export type Spend = readonly [LimitName, string];

/** The limiters of one app. */
export class RateLimits {
  #limiters = new Map<LimitName, RateLimiterAbstract>();
  #memories: RateLimiterMemory[] = [];
  #database?: Database;
  readonly enabled: boolean;

  constructor(config: Config, database?: Database) {
    this.enabled = config.rateLimits;
    this.#database = database?.kind === "postgres" ? database : undefined;
    for (const [name, spec] of Object.entries(LIMITS) as [LimitName, typeof LIMITS[LimitName]][]) {
      const options = {
        keyPrefix: name,
        points: spec.points(config.limits),
        duration: spec.duration,
      };
      const memory = new RateLimiterMemory(options);
      this.#memories.push(memory);
      this.#limiters.set(
        name,
        this.#database
          ? new RateLimiterDrizzle({
            ...options,
            storeClient: this.#database.db,
            schema: rateLimits,
            // Expired rows are removed by `prune()` (main.ts runs it), not a library timer.
            clearExpiredByTimeout: false,
            insuranceLimiter: memory,
          })
          : memory,
      );
    }
  }

  /** Takes one point from `key`'s budget; throws 429 with `Retry-After` when it is spent. */
  async consume(name: LimitName, key: string): Promise<void> {
    if (!this.enabled) return;
    try {
      await this.#limiters.get(name)!.consume(key, 1);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err.msBeforeNext, name);
      throw err;
    }
  }

  /**
   * Spends one point of every budget, or none: when one is met, the points already taken are
   * given back and the 429 of the first budget met (in the order given) is thrown. Each spend is
   * one atomic increment, so concurrent requests can never pass a budget together; the spends go
   * out together, so a message waits for one round trip to the store rather than one per budget.
   */
  async consumeAll(spends: readonly Spend[]): Promise<void> {
    if (!this.enabled) return;
    const results = await Promise.allSettled(spends.map((spend) => this.consume(...spend)));
    const refused = results.find((r) => r.status === "rejected");
    if (!refused) return;
    await Promise.all(
      spends.filter((_, i) => results[i].status === "fulfilled")
        .map(([name, key]) => this.#limiters.get(name)!.reward(key, 1)),
    );
    throw refused.reason;
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

  /**
   * True the first time `key` is seen in its window (whatever `RATE_LIMITS` says: this is replay
   * protection, not a limit).
   */
  async firstSighting(name: LimitName, key: string): Promise<boolean> {
    try {
      await this.#limiters.get(name)!.consume(key, 1);
      return true;
    } catch (err) {
      if (err instanceof RateLimiterRes) return false;
      throw err;
    }
  }

  /** Forgets a sighting or a key whatever `RATE_LIMITS` says. */
  async forget(name: LimitName, key: string): Promise<void> {
    await this.#limiters.get(name)!.delete(key);
  }

  /** Gives a point back (a spend for something that did not happen after all). */
  async refund(name: LimitName, key: string): Promise<void> {
    if (!this.enabled) return;
    await this.#limiters.get(name)!.reward(key, 1);
  }

  /** Forgets a key (a successful sign-in clears its failures). */
  async reset(name: LimitName, key: string): Promise<void> {
    if (!this.enabled) return;
    await this.#limiters.get(name)!.delete(key);
  }

  /** Deletes the PostgreSQL rows of windows that have ended; returns how many. */
  async prune(now = new Date()): Promise<number> {
    if (!this.#database) return 0;
    const rows = await this.#database.db.delete(rateLimits).where(lt(rateLimits.expire, now))
      .returning({ key: rateLimits.key });
    return rows.length;
  }
}

/** The private shape of rate-limiter-flexible's memory store (see `RateLimits.close`). */
interface MemoryStore {
  _storage: Map<string, { timeoutId?: number }>;
}

/** What each budget is called in the message a client may show. */
const WHAT: Partial<Record<LimitName, string>> = {
  callsPerVisitor: "calls from this visitor",
  callsPerAddress: "calls from this network",
  callsPerNumberHourly: "calls to this number",
  callsPerNumberDaily: "calls to this number",
  callsPerWidget: "calls through this widget",
  callsPerOrganization: "calls for this site",
  messagesPerVisitor: "messages",
  messagesPerAddress: "messages from this network",
  newVisitors: "new conversations from this network",
  loginFailures: "sign-in attempts",
  loginFailuresPerEmail: "sign-in attempts",
};

/** The 429 of SPEC: `Retry-After` in whole seconds, and which budget was met. */
export function tooMany(msBeforeNext: number, limit?: LimitName): HttpError {
  const seconds = Math.max(1, Math.ceil(msBeforeNext / 1000));
  const what = (limit && WHAT[limit]) ?? "requests";
  return new HttpError(429, "rate_limited", `Too many ${what}; try again in ${inWords(seconds)}`, {
    headers: { "Retry-After": String(seconds) },
    details: { retryAfterSeconds: seconds, ...(limit ? { limit } : {}) },
  });
}

/**
 * The context variables the limits read. Named here rather than taken from `context.ts`, which
 * imports this module for `Deps`: the app's `AppEnv` has them.
 */
export type LimitEnv = {
  Variables: { config: Pick<Config, "trustProxyHops">; deps: { rateLimits: RateLimits } };
};

/** "40 seconds", "1 minute", "15 minutes", "3 hours". */
function inWords(seconds: number): string {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  if (seconds < 60) return unit(seconds, "second");
  if (seconds < 2 * HOUR) return unit(Math.ceil(seconds / 60), "minute");
  return unit(Math.ceil(seconds / HOUR), "hour");
}

/** The client's address of a request, through `TRUST_PROXY_HOPS` proxies. */
export function clientIp(c: Context): string {
  return clientAddress(
    c,
    (c.var as { config: Pick<Config, "trustProxyHops"> }).config.trustProxyHops,
  );
}

/** Middleware: one point per request from the client's address. */
export function rateLimitByIp(name: LimitName): MiddlewareHandler<LimitEnv> {
  return async (c, next) => {
    await c.var.deps.rateLimits.consume(name, clientIp(c));
    await next();
  };
}
