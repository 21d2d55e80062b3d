/**
 * @module The delivery worker: takes due deliveries from the queue in the database, sends each
 * (at most `concurrency` at once) and records the outcome; a failure is retried with backoff for
 * at least 24 hours. Every process may run one: `FOR UPDATE SKIP LOCKED` and a lease divide the
 * work, so no delivery is sent by two processes at once, and a crashed process's deliveries are
 * taken up by another once its lease ends. Time comes from an injected clock and sleep.
 */
import type { Database, Subscription } from "../db/client.ts";
import {
  claimDue,
  type ClaimedDelivery,
  purgeSettled,
  recordAttempt,
  WEBHOOK_CHANNEL,
} from "../db/queries/webhooks.ts";
import { log } from "../lib/log.ts";
import { attemptDelivery } from "./deliver.ts";
import type { ResolveDns } from "./destination.ts";
import { openWebhookSecret, type SealingKeys } from "./endpoints.ts";

/** Waits after the n-th failed attempt (the last one repeats): the first two within a minute. */
export const RETRY_DELAYS_MS = [
  10_000,
  30_000,
  2 * 60_000,
  10 * 60_000,
  30 * 60_000,
  60 * 60_000,
  2 * 3600_000,
  4 * 3600_000,
  8 * 3600_000,
];
/** A delivery still failing this long after its event is given up (status `failed`). */
export const GIVE_UP_AFTER_MS = 24 * 3600_000;
/** Settled events are kept this long for the delivery log. */
const KEEP_SETTLED_MS = 30 * 24 * 3600_000;

/** Options of a `WebhookWorker`. */
export interface WebhookWorkerOptions {
  database: Database;
  /** What endpoint secrets are sealed with: the app's config. */
  keys: SealingKeys;
  allowPrivate?: boolean;
  /** Deliveries in flight at once, per process (default 8). */
  concurrency?: number;
  /** Per attempt, from connecting to the last byte read (default 10 s). */
  timeoutMs?: number;
  /** How often to look for due retries when nothing wakes the worker (default 1 s). */
  pollMs?: number;
  now?: () => Date;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** 0 ≤ x < 1; spreads retries (up to +10 %) so failures do not come back in lockstep. */
  random?: () => number;
  resolveDns?: ResolveDns;
}

/** The delay before the attempt after `attempts` failed ones. */
export function retryDelayMs(attempts: number, random = Math.random): number {
  const base = RETRY_DELAYS_MS[Math.min(attempts, RETRY_DELAYS_MS.length) - 1] ??
    RETRY_DELAYS_MS[0];
  return Math.round(base * (1 + random() * 0.1));
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });
}

/** Sends queued webhook deliveries; `start()` in `main.ts`, `stop()` on shutdown. */
export class WebhookWorker {
  readonly #options: Required<Omit<WebhookWorkerOptions, "resolveDns">> & {
    resolveDns?: ResolveDns;
  };
  /** Made on the first delivery, closed by `stop()` whether or not the loop ever ran. */
  #client?: Deno.HttpClient;
  #running = false;
  #loop?: Promise<void>;
  #subscription?: Subscription;
  #woken = false;
  #waiting?: AbortController;
  #lastPurge = 0;

  constructor(options: WebhookWorkerOptions) {
    this.#options = {
      allowPrivate: false,
      concurrency: 8,
      timeoutMs: 10_000,
      pollMs: 1000,
      now: () => new Date(),
      sleep: abortableSleep,
      random: Math.random,
      ...options,
    };
  }

  /** Starts the loop: woken by NOTIFY when something is queued, else every `pollMs`. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    this.#subscription = await this.#options.database.listen(WEBHOOK_CHANNEL, () => this.wake());
    this.#loop = this.#run();
  }

  /** Stops taking work and waits for the deliveries in flight (bounded by the time-out). */
  async stop(): Promise<void> {
    if (!this.#running) return this.#closeClient();
    this.#running = false;
    this.wake();
    await this.#loop;
    await this.#subscription?.unlisten().catch(() => {});
    this.#closeClient();
  }

  /** `await using worker = new WebhookWorker(…)` stops it (and closes its client) at scope end. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  #closeClient(): void {
    this.#client?.close();
    this.#client = undefined;
  }

  /** Makes the loop look for work now. */
  wake(): void {
    this.#woken = true;
    this.#waiting?.abort();
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        await this.runDue();
        await this.#purge();
      } catch (err) {
        log.warn("webhook worker", { error: String(err) });
      }
      if (!this.#woken && this.#running) {
        this.#waiting = new AbortController();
        await this.#options.sleep(this.#options.pollMs, this.#waiting.signal);
      }
      this.#woken = false;
    }
  }

  /**
   * Sends every delivery due at `now()`, `concurrency` at a time, until none is left; returns how
   * many attempts were made. The loop calls it; tests call it to step time by hand.
   */
  async runDue(): Promise<number> {
    const { concurrency } = this.#options;
    const inFlight = new Set<Promise<void>>();
    let attempts = 0;
    while (true) {
      const free = concurrency - inFlight.size;
      const claimed = free > 0 && (this.#running || this.#loop === undefined)
        ? await this.#claim(free)
        : [];
      for (const delivery of claimed) {
        const p: Promise<void> = this.#deliver(delivery).finally(() => inFlight.delete(p));
        inFlight.add(p);
        attempts++;
      }
      if (inFlight.size === 0) return attempts;
      await Promise.race(inFlight);
    }
  }

  #claim(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.#options.now();
    return claimDue(this.#options.database.db, {
      now,
      // Past any attempt's time-out, so a live process never loses a lease mid-attempt.
      leaseEnd: new Date(now.getTime() + this.#options.timeoutMs + 60_000),
      leaseId: crypto.randomUUID(),
      limit,
    });
  }

  async #deliver(delivery: ClaimedDelivery): Promise<void> {
    const { now, timeoutMs, allowPrivate, resolveDns, random, database, keys } = this.#options;
    const secret = await openWebhookSecret(keys, {
      id: delivery.endpointId,
      secret: delivery.secret,
    });
    // A secret that does not open (the keys changed) is never sent unsigned: it fails and retries.
    const result = secret === undefined
      ? {
        ok: false,
        statusCode: null,
        error: "cannot open the endpoint's secret (ENCRYPTION_KEY or JWT_SECRET changed?)",
        response: null,
      }
      : await attemptDelivery({ ...delivery, secret }, {
        now: now(),
        timeoutMs,
        allowPrivate,
        resolveDns,
        pinnedClient: this.#client ??= Deno.createHttpClient({ allowHost: true }),
      });
    const at = now();
    const attempts = delivery.attempts + 1;
    const next = result.ok
      ? { status: "delivered" as const }
      : at.getTime() - delivery.createdAt.getTime() >= GIVE_UP_AFTER_MS
      ? { status: "failed" as const }
      : {
        status: "pending" as const,
        at: new Date(at.getTime() + retryDelayMs(attempts, random)),
      };
    if (!result.ok) {
      log.info("webhook delivery failed", {
        deliveryId: delivery.id,
        attempts,
        statusCode: result.statusCode,
        error: result.error,
      });
    }
    try {
      await recordAttempt(database.db, delivery, { at, ...result, next });
    } catch (err) {
      // The lease runs out and the delivery is tried again: at least once, never lost.
      log.warn("recording a webhook attempt failed", {
        deliveryId: delivery.id,
        error: String(err),
      });
    }
  }

  async #purge(): Promise<void> {
    const now = this.#options.now().getTime();
    if (now - this.#lastPurge < 3600_000) return;
    this.#lastPurge = now;
    await purgeSettled(this.#options.database.db, new Date(now - KEEP_SETTLED_MS));
  }
}
