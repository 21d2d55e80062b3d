import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../config.ts";

const secret = () => "generated-secret-generated-secret-0001";

Deno.test("parseConfig gives the SPEC defaults", () => {
  const c = parseConfig({}, secret);
  assert.equal(c.port, 8000);
  assert.equal(c.dataDir, "./data");
  assert.equal(c.databaseUrl, "pglite:./data/db");
  assert.equal(c.jwtSecret, "generated-secret-generated-secret-0001");
  assert.equal(c.signup, "closed");
  assert.equal(c.passwordHashCost, 17, "OWASP: scrypt N=2^17");
  assert.equal(c.encryptionKey, undefined);
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
    env: { DATABASE_URL: "postgres://127.0.0.1:1/none" },
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

Deno.test("the secret file is held to the variable's rule (at least 32 characters)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/jwt_secret`, "short\n");
    assert.throws(
      () => parseConfig({ DATA_DIR: dir }),
      (err: unknown) =>
        err instanceof ConfigError &&
        /jwt_secret: must be at least 32 characters/.test(err.message),
    );
    await Deno.writeTextFile(`${dir}/jwt_secret`, "");
    assert.throws(() => parseConfig({ DATA_DIR: dir }), ConfigError);
    for (const bad of ["SIGNUP=maybe", "ENCRYPTION_KEY=short", "PASSWORD_HASH_COST=10"]) {
      const [name, value] = bad.split("=");
      assert.throws(
        () => parseConfig({ [name]: value }, secret),
        (err: unknown) => err instanceof ConfigError && err.message.includes(name),
        bad,
      );
    }
    assert.equal(parseConfig({ SIGNUP: "open" }, secret).signup, "open");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DATA_DIR is made owner-only (0700) and the secret file 0600", async () => {
  const parent = await Deno.makeTempDir();
  const dir = `${parent}/data`;
  try {
    await Deno.mkdir(dir, { mode: 0o755 });
    await Deno.chmod(dir, 0o755);
    parseConfig({ DATA_DIR: dir });
    assert.equal((await Deno.stat(dir)).mode! & 0o777, 0o700);
    assert.equal((await Deno.stat(`${dir}/jwt_secret`)).mode! & 0o777, 0o600);
  } finally {
    await Deno.remove(parent, { recursive: true });
  }
});
