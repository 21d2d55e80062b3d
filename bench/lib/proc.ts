/**
 * @module Child processes for benchmarks: servers and load generators run in processes of their
 * own so that a server's figures are not skewed by the load it is given. Helpers to pick a free
 * port, wait for `/healthz`, read a process's resident memory and stop it.
 */

const ROOT = new URL("../../", import.meta.url);

/** A running child process. */
export interface Child {
  pid: number;
  /** Resolves with the exit code. */
  done: Promise<number>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of `spawnDeno`. */
export interface SpawnOptions {
  env?: Record<string, string>;
  /** Extra flags for `deno run` (e.g. `--v8-flags=...`, `--cpu-prof`). */
  flags?: string[];
  /** The child's stdout: discarded (default; our stdout is for JSON lines) or piped back. */
  stdout?: "piped" | "null";
}

/** A free TCP port on 127.0.0.1 (closed again before it is returned). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** Open files a benchmark process may need: thousands of sockets each. */
const NOFILE = 65536;

/**
 * Runs `deno run --allow-all <script> ...args` from the project root, through `sh` so that the
 * open-file limit can be raised first (5000 sockets need 5000 descriptors on each side).
 */
export function spawnDeno(script: string, args: string[] = [], options: SpawnOptions = {}) {
  const deno = [Deno.execPath(), "run", "--allow-all", ...(options.flags ?? []), script, ...args];
  const command = new Deno.Command("sh", {
    args: ["-c", `ulimit -n ${NOFILE} 2>/dev/null || true; exec "$@"`, "sh", ...deno],
    cwd: ROOT.pathname,
    env: options.env,
    stdin: "null",
    stdout: options.stdout === "piped" ? "piped" : "null",
    stderr: "inherit",
  });
  const child = command.spawn();
  return child;
}

/** Wraps a spawned process with `stop()`. */
export function track(process: Deno.ChildProcess): Child {
  const done = process.status.then((s) => s.code);
  return {
    pid: process.pid,
    done,
    async stop(graceMs = 5000) {
      try {
        process.kill("SIGTERM");
      } catch {
        // Already gone.
      }
      const timer = setTimeout(() => {
        try {
          process.kill("SIGKILL");
        } catch {
          // Already gone.
        }
      }, graceMs);
      await done;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers 200 (or throws after `timeoutMs`). */
export async function waitForHttp(url: string, timeoutMs = 60_000, child?: Child): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | undefined;
  child?.done.then((code) => exited = code);
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      throw new Error(`process exited with ${exited} before ${url} answered`);
    }
    try {
      const res = await fetch(url);
      await res.body?.cancel();
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

/** Resident memory of a process in bytes (`VmRSS` of /proc/<pid>/status). */
export async function rssBytes(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const match = status.match(/^VmRSS:\s+(\d+)\s+kB/m);
  if (!match) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]) * 1024;
}

/** Reads all of a piped stdout as text. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

/** Runs a Deno script to completion and parses the last JSON line it printed. */
export async function runJson<T>(
  script: string,
  args: string[] = [],
  options: SpawnOptions = {},
): Promise<T> {
  const process = spawnDeno(script, args, { ...options, stdout: "piped" });
  const [text, status] = await Promise.all([readAll(process.stdout), process.status]);
  if (!status.success) throw new Error(`${script} exited with ${status.code}`);
  const last = text.trim().split("\n").at(-1);
  if (!last) throw new Error(`${script} printed nothing`);
  return JSON.parse(last) as T;
}

/** The open-file limit a spawned benchmark process gets. */
export async function childOpenFileLimit(): Promise<number> {
  const { stdout } = await new Deno.Command("sh", {
    args: ["-c", `ulimit -n ${NOFILE} 2>/dev/null || true; ulimit -n`],
  }).output();
  return Number(new TextDecoder().decode(stdout).trim());
}
