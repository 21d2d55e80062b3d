import assert from "node:assert/strict";
import { WsClient } from "../helpers/ws.ts";
import { ensureBuilt } from "../../build.ts";

// main.ts builds stale bundles before it listens: build them here once, so a fresh clone's first
// build (seconds, more on a loaded machine) is not counted against the start-up deadlines below.
await ensureBuilt();

/** Starts `main.ts` on a free port with an in-memory database and waits for its URL. */
async function startMain(env: Record<string, string>) {
  const dataDir = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../main.ts", import.meta.url).pathname],
    env: { PORT: "0", DATA_DIR: dataDir, ...env },
    stdout: "piped",
    stderr: "null",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  let url: string | undefined;
  while (!url) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`main.ts exited: ${out}`);
    out += value;
    url = /"msg":"listening","url":"(http:\/\/[^"]+)"/.exec(out)?.[1];
  }
  // Keep draining stdout so the child never blocks on a full pipe.
  (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  return {
    url: url.replace("localhost", "127.0.0.1"),
    child,
    async cleanup() {
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

Deno.test({
  name: "SIGTERM drains: in-flight requests finish, sockets close with 1012, the process exits 0",
  async fn() {
    // The demo data makes the database non-empty, so sign-up must be open (SPEC v2.2).
    const server = await startMain({
      DATABASE_URL: "memory://",
      DEMO_AGENT_DELAY_MS: "1500",
      SIGNUP: "open",
    });
    try {
      const base = server.url;
      const post = (path: string, body: unknown, token?: string) =>
        fetch(base + path, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
      const reg = await (await post("/api/auth/register", {
        email: "drain@example.com",
        password: "long enough pw",
        organizationName: "Drain",
      })).json();
      const agent = await (await post("/api/agents", { name: "A" }, reg.token)).json();
      const widget = await (await post("/api/widgets", { name: "W", agentId: agent.id }, reg.token))
        .json();
      const visitor = await (await post("/embed/auth", { widgetId: widget.id, domain: "a.test" }))
        .json();
      const session = await (await post("/api/chat/sessions", {}, visitor.token)).json();
      const socket = await WsClient.connect(base, { sessionId: session.id, token: visitor.token });

      // The agent takes 1.5 s to answer; stop the server while it thinks.
      const inFlight = post(
        `/api/chat/sessions/${session.id}/messages`,
        { content: "hello" },
        visitor.token,
      );
      await socket.waitForType("typing:start");
      server.child.kill("SIGTERM");

      const closed = await socket.closed;
      assert.equal(closed.code, 1012);
      const res = await inFlight;
      assert.equal(res.status, 201);
      const pair = await res.json();
      assert.equal(pair.userMessage.content, "hello");
      assert.ok(pair.agentMessage.content.length > 0);
      const status = await server.child.status;
      assert.equal(status.code, 0);
      await assert.rejects(() => fetch(base + "/healthz"), "no longer accepting");
    } finally {
      try {
        server.child.kill("SIGKILL");
      } catch { /* exited */ }
      await server.cleanup();
    }
  },
});
