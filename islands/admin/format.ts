/** @module Formatting shared by the inbox's server render and its islands. */

/** A short, human label for a visitor id (`v_3fK9…` → `Visitor 3FK9`). */
export function visitorLabel(visitorId: string): string {
  const tail = visitorId.replace(/^v_/, "").replace(/[^A-Za-z0-9]/g, "").slice(0, 4);
  return `Visitor ${tail.toUpperCase() || "?"}`;
}

/** Two letters for a visitor's avatar. */
export function visitorInitials(visitorId: string): string {
  return visitorLabel(visitorId).slice(-4, -2) || "V";
}

/**
 * `2:05 PM` today, `Mar 3` this year, `Mar 3, 2024` before. The server renders in UTC; islands
 * re-render in the reader's time zone when they hydrate.
 */
export function shortTime(iso: string, now = new Date()): string {
  const d = new Date(iso);
  const timeZone = typeof document === "undefined" ? "UTC" : undefined;
  const sameDay = d.toLocaleDateString("en-CA", { timeZone }) ===
    now.toLocaleDateString("en-CA", { timeZone });
  if (sameDay) {
    return d.toLocaleTimeString("en-US", { hour: "numeric", minute: "2-digit", timeZone });
  }
  const sameYear = d.getUTCFullYear() === now.getUTCFullYear();
  return d.toLocaleDateString("en-US", {
    month: "short",
    day: "numeric",
    year: sameYear ? undefined : "numeric",
    timeZone,
  });
}

/** `Mar 3, 2026, 2:05 PM` in full, for details panels. */
export function longTime(iso: string): string {
  const timeZone = typeof document === "undefined" ? "UTC" : undefined;
  const text = new Date(iso).toLocaleString("en-US", {
    month: "short",
    day: "numeric",
    year: "numeric",
    hour: "numeric",
    minute: "2-digit",
    timeZone,
  });
  return timeZone ? `${text} UTC` : text;
}

/** `1:05` or `1:02:03` for a call's length. */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  const mm = h ? String(m).padStart(2, "0") : String(m);
  return `${h ? `${h}:` : ""}${mm}:${String(sec).padStart(2, "0")}`;
}
