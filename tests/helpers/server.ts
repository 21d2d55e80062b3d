/**
 * @module The real server for WebSocket and browser tests: the app on `Deno.serve({ port: 0 })`
 * (Fresh's recipe: AbortController, `await server.finished`).
 */
import { type DbKind, eachDatabase } from "./db.ts";
import { type DbTestOptions, startApp, type StartAppOptions, type TestApp } from "./test_app.ts";

/** A listening test server. */
export interface TestServer {
  t: TestApp;
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  close(): Promise<void>;
}

/** Serves the app of `startApp` on a free port. */
export async function startServer(
  kind: DbKind,
  options: StartAppOptions = {},
): Promise<TestServer> {
  const t = await startApp(kind, options);
  return await serveApp(t);
}

/** Serves an already started app on a free port (or `port`). */
export function serveApp(t: TestApp, port = 0): Promise<TestServer> {
  const controller = new AbortController();
  return new Promise((resolve) => {
    const server = Deno.serve({
      port,
      hostname: "127.0.0.1",
      signal: controller.signal,
      onListen: ({ port }) => {
        resolve({
          t,
          port,
          url: `http://127.0.0.1:${port}`,
          async close() {
            await t.runDeferred();
            controller.abort();
            await server.finished;
            await t.close();
          },
        });
      },
    }, t.app.fetch);
  });
}

/** `dbTest` on a real server: for WebSocket and browser tests, on each database. */
export function serverTest(
  name: string,
  fn: (s: TestServer) => Promise<void>,
  options: DbTestOptions = {},
): void {
  eachDatabase(name, async (kind) => {
    const s = await startServer(kind, options);
    try {
      await fn(s);
    } finally {
      await s.close();
    }
  }, options);
}
