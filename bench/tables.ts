/**
 * @module Markdown tables from a benchmark run, for BENCHMARKS.md: `deno task bench > run.jsonl`,
 * then `deno run -A bench/tables.ts run.jsonl`.
 */

type Row = Record<string, unknown> & { name: string };

const kb = (bytes: unknown) => typeof bytes === "number" ? (bytes / 1024).toFixed(1) : "–";
const n = (v: unknown) => typeof v === "number" ? v.toLocaleString("en-US") : "–";
const ms = (v: unknown) => typeof v === "number" ? v.toFixed(v < 10 ? 2 : 1) : "–";

function table(head: string[], rows: (string | number)[][]): string {
  return [
    `| ${head.join(" | ")} |`,
    `| ${head.map((_, i) => i === 0 ? "---" : "---:").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** The tables of one run. */
export function tables(rows: Row[]): string {
  const by = (prefix: string) => rows.filter((r) => r.name.startsWith(prefix));
  const out: string[] = [];

  out.push("### Budgets\n");
  out.push(table(
    ["figure", "measured", "budget", "verdict"],
    rows.filter((r) => r.verdict).map((r) => {
      const value = r.gzip ?? r.median_ms ?? r.ratio_to_floor ?? r.kb_per_socket_idle ??
        r.kb_per_socket ??
        r.p50_ms ??
        r.p50_on_ms;
      const where = [
        r.concurrency && `${r.concurrency} visitors`,
        r.sockets && `${r.sockets} sockets`,
      ]
        .filter(Boolean).join(", ");
      return [
        `${r.name}${where ? ` (${where})` : ""}`,
        String(value),
        String(r.budget),
        `**${r.verdict}**`,
      ];
    }),
  ));

  out.push("\n### Message round trip\n");
  out.push(table(
    ["server", "load", "visitors", "req/s", "p50 ms", "p99 ms", "floor req/s", "ratio"],
    [...by("server.floor"), ...by("server.round_trip")].map((r) => [
      r.name.replace("server.", ""),
      r.name.includes("paced") ? "1 msg/s per visitor" : "closed loop",
      n(r.concurrency),
      n(r.rps),
      ms(r.p50_ms),
      ms(r.p99_ms),
      n(r.floor_rps),
      typeof r.ratio_to_floor === "number" ? `${(r.ratio_to_floor * 100).toFixed(1)} %` : "–",
    ]),
  ));

  out.push("\n### Real time (1000 sockets, 200 sessions)\n");
  out.push(table(
    ["path", "max deliveries/s", "ratio to floor", "at 10k/s: p50 ms", "p99 ms", "missing"],
    [...by("realtime.floor"), ...by("realtime.fanout")].map((r) => [
      r.name.replace("realtime.", ""),
      n(r.deliveries_per_s),
      typeof r.ratio_to_floor === "number" ? `${(r.ratio_to_floor * 100).toFixed(0)} %` : "–",
      ms(r.p50_ms),
      ms(r.p99_ms),
      n(r.missing),
    ]),
  ));
  out.push("");
  out.push(table(
    ["chat messages via the API", "messages/s", "deliveries/s", "p50 ms", "p99 ms", "POST p50 ms"],
    by("realtime.messages").map((r) => [
      r.name.replace("realtime.messages.", ""),
      n(r.messages_per_s),
      n(r.deliveries_per_s),
      ms(r.p50_ms),
      ms(r.p99_ms),
      ms(r.post_p50_ms),
    ]),
  ));

  out.push("\n### Memory per idle socket\n");
  out.push(table(
    [
      "server",
      "sockets",
      "RSS KB/socket idle",
      "RSS KB/socket at 2 s",
      "after GC KB/socket",
      "JS heap KB/socket",
    ],
    [...by("memory.floor"), ...by("memory.idle")].map((r) => [
      r.name.replace("memory.", ""),
      n(r.sockets),
      r.kb_per_socket_idle === undefined ? "–" : `${r.kb_per_socket_idle} (${r.idle_s} s)`,
      String(r.kb_per_socket),
      String(r.kb_per_socket_after_gc),
      String(r.js_heap_kb_per_socket_after_gc),
    ]),
  ));

  out.push("\n### Widget\n");
  out.push(table(
    ["what", "raw KB", "gzip -9 KB", "brotli KB"],
    [...by("widget.weight"), ...by("peers.weight")].map((r) => [
      String(r.widget ?? r.file ?? r.name.replace("widget.weight.", "")),
      kb(r.raw),
      kb(r.gzip),
      kb(r.brotli),
    ]),
  ));
  out.push("");
  out.push(table(
    ["time from script insertion", "median ms", "all runs"],
    [
      "widget.launcher_shown",
      "widget.frame_ready_event",
      "widget.chat_ready",
      "widget.returning_visitor_ready",
    ].flatMap((name) =>
      rows.filter((r) => r.name === name).map((r) => [
        name.replace("widget.", ""),
        ms(r.median_ms),
        (r.all_ms as number[]).join(", "),
      ])
    ),
  ));
  return out.join("\n");
}

if (import.meta.main) {
  const text = await Deno.readTextFile(Deno.args[0]);
  const rows = text.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Row);
  // deno-lint-ignore no-console -- the tables are this program's output
  console.log(tables(rows));
}
