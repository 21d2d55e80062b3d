import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../config.ts";

const secret = () => "generated-secret";

Deno.test("parseConfig gives the SPEC defaults", () => {
  const c = parseConfig({}, secret);
  assert.equal(c.port, 8000);
  assert.equal(c.dataDir, "./data");
  assert.equal(c.databaseUrl, "pglite:./data/db");
  assert.equal(c.jwtSecret, "generated-secret");
  assert.equal(c.seedDemo, true);
  assert.equal(c.retellApiKey, undefined);
  assert.equal(c.limits.bodyBytes, 64 * 1024);
  assert.equal(c.limits.messageChars, 4000);
});

Deno.test("parseConfig requires JWT_SECRET with a PostgreSQL server", () => {
  assert.throws(
    () => parseConfig({ DATABASE_URL: "postgres://localhost/x" }, secret),
    (err: unknown) => err instanceof ConfigError && /JWT_SECRET/.test(err.message),
  );
  const c = parseConfig(
    { DATABASE_URL: "postgres://localhost/x", JWT_SECRET: "s".repeat(32) },
    secret,
  );
  assert.equal(c.seedDemo, false);
  assert.equal(c.databaseUrl, "postgres://localhost/x");
});

Deno.test("parseConfig reports every problem, one line each", () => {
  try {
    parseConfig({ PORT: "eighty", DATABASE_URL: "mysql://x", LIMIT_BODY_BYTES: "-1" }, secret);
    assert.fail("expected ConfigError");
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    assert.equal(err.problems.length, 3, err.message);
    assert.match(err.message, /^PORT: /m);
    assert.match(err.message, /^DATABASE_URL: /m);
    assert.match(err.message, /^LIMIT_BODY_BYTES: /m);
  }
});

Deno.test("deno task start stops with a line naming JWT_SECRET", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../main.ts", import.meta.url).pathname],
    env: { DATABASE_URL: "postgres://127.0.0.1:1/none", PARLEY_SKIP_BUILD: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 1);
  assert.match(new TextDecoder().decode(out.stderr), /JWT_SECRET/);
});

Deno.test("the embedded database's secret is generated once and kept", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const a = parseConfig({ DATA_DIR: dir });
    const b = parseConfig({ DATA_DIR: dir });
    assert.equal(a.jwtSecret, b.jwtSecret);
    assert.ok(a.jwtSecret.length >= 32);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
