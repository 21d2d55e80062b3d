/**
 * @module The retention job (SPEC v2.4): deletes conversations older than their organization's
 * `retentionDays`, at start and then every `intervalMs` (15 minutes, so "at least hourly" holds
 * with room). The clock and the timer are injected, so a test runs it on a clock it controls.
 */
import type { Db } from "../db/client.ts";
import { purgeExpiredSessions } from "../db/queries/retention.ts";
import { log } from "../lib/log.ts";

/** How often the job runs by default. */
export const RETENTION_INTERVAL_MS = 15 * 60 * 1000;

/** What the job runs on. */
export interface RetentionJobOptions {
  intervalMs?: number;
  now?: () => Date;
  /** Schedules `run` every `ms`; returns the cancel (default: setInterval). */
  every?: (run: () => void, ms: number) => () => void;
}

/** A running job. */
export interface RetentionJob {
  /** One purge now; resolves to how many conversations were deleted. */
  runOnce(): Promise<number>;
  stop(): void;
}

const defaultEvery = (run: () => void, ms: number) => {
  const id = setInterval(run, ms);
  // The job must never keep a process alive that is otherwise done.
  Deno.unrefTimer(id);
  return () => clearInterval(id);
};

/** Starts the job; several processes may run it at once (a purge is idempotent). */
export function startRetentionJob(db: Db, options: RetentionJobOptions = {}): RetentionJob {
  const now = options.now ?? (() => new Date());
  let running: Promise<number> | undefined;
  const runOnce = () =>
    running ??= purgeExpiredSessions(db, now())
      .then((deleted) => {
        if (deleted) log.info("retention purge", { deleted });
        return deleted;
      })
      .finally(() => running = undefined);
  const tick = () => {
    runOnce().catch((err) => log.warn("retention purge failed", { error: String(err) }));
  };
  const cancel = (options.every ?? defaultEvery)(tick, options.intervalMs ?? RETENTION_INTERVAL_MS);
  return { runOnce, stop: cancel };
}
