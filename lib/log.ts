/** @module Structured one-line logs; the only module allowed to write to the console. */

type Level = "debug" | "info" | "warn" | "error";
const ORDER = { debug: 0, info: 1, warn: 2, error: 3, off: 4 } as const;
let threshold: number = ORDER.info;

/** Sets the lowest level written (`off` silences everything, as tests do). */
export function setLogLevel(level: keyof typeof ORDER): void {
  threshold = ORDER[level];
}

function write(level: Level, msg: string, fields?: Record<string, unknown>): void {
  if (ORDER[level] < threshold) return;
  const line = JSON.stringify({ time: new Date().toISOString(), level, msg, ...fields });
  // deno-lint-ignore no-console
  (level === "error" || level === "warn" ? console.error : console.log)(line);
}

/** The logger: `log.info("request", { path })`. */
export const log = {
  debug: (msg: string, fields?: Record<string, unknown>) => write("debug", msg, fields),
  info: (msg: string, fields?: Record<string, unknown>) => write("info", msg, fields),
  warn: (msg: string, fields?: Record<string, unknown>) => write("warn", msg, fields),
  error: (msg: string, fields?: Record<string, unknown>) => write("error", msg, fields),
};
