/**
 * Sign-in guesses (SPEC v2.1): per (email, client address) and per email, counted before the
 * password is checked, on both databases.
 */
import assert from "node:assert/strict";
import { dbTest, type TestApp, uniqueEmail } from "../helpers/test_app.ts";

const PASSWORD = "the right one";

function login(t: TestApp, email: string, password: string, address: string) {
  return t.post("/api/auth/login", { email, password }, "", { "x-forwarded-for": address });
}

async function owner(t: TestApp) {
  const email = uniqueEmail();
  const res = await t.post("/api/auth/register", {
    email,
    password: PASSWORD,
    organizationName: "A",
  });
  assert.equal(res.status, 201);
  return email;
}

dbTest(
  "POST /api/auth/login: a stranger's 10 guesses lock only their own address",
  async (t) => {
    const email = await owner(t);
    for (let i = 0; i < 10; i++) {
      assert.equal((await login(t, email, `wrong${i}`, "203.0.113.66")).status, 401);
    }
    const locked = await login(t, email, PASSWORD, "203.0.113.66");
    assert.equal(locked.status, 429, "even the right password waits on the locked pair");
    assert.ok(Number(locked.headers.get("retry-after")) > 60);
    // The owner, from their own address, signs in.
    assert.equal((await login(t, email, PASSWORD, "198.51.100.20")).status, 200);
  },
  { config: { trustProxyHops: 1 } },
);

dbTest(
  "POST /api/auth/login: 30 concurrent guesses from one address, only 10 are checked",
  async (t) => {
    const email = await owner(t);
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) => login(t, email, `guess${i}`, "203.0.113.67")),
    );
    const statuses = results.map((r) => r.status);
    assert.equal(statuses.filter((s) => s === 401).length, 10, statuses.join(","));
    assert.equal(statuses.filter((s) => s === 429).length, 20);
  },
  { config: { trustProxyHops: 1, limits: { authPerMinute: 1000 } } },
);

dbTest(
  "POST /api/auth/login: guesses from many addresses lock the email at its own threshold",
  async (t) => {
    const email = await owner(t);
    for (let i = 0; i < 5; i++) {
      assert.equal((await login(t, email, "wrong", `192.0.2.${i + 1}`)).status, 401);
    }
    const locked = await login(t, email, PASSWORD, "192.0.2.200");
    assert.equal(locked.status, 429);
    // A forged X-Forwarded-For entry on the left does not give a fresh address.
    const forged = await t.post("/api/auth/login", { email, password: PASSWORD }, "", {
      "x-forwarded-for": "10.9.9.9, 192.0.2.201",
    });
    assert.equal(forged.status, 429);
  },
  { config: { trustProxyHops: 1, limits: { loginFailuresPerEmailPerQuarterHour: 5 } } },
);

dbTest(
  "TRUST_PROXY_HOPS=1: the client cannot choose its address by writing X-Forwarded-For",
  async (t) => {
    const email = await owner(t);
    for (let i = 0; i < 3; i++) {
      // The client writes a new left-most entry each time; the proxy appended the real one.
      const res = await t.post("/api/auth/login", { email, password: "wrong" }, "", {
        "x-forwarded-for": `10.0.0.${i}, 203.0.113.70`,
      });
      assert.equal(res.status, 401);
    }
    const res = await t.post("/api/auth/login", { email, password: PASSWORD }, "", {
      "x-forwarded-for": "10.0.0.99, 203.0.113.70",
    });
    assert.equal(res.status, 429);
  },
  { config: { trustProxyHops: 1, limits: { loginFailuresPerQuarterHour: 3 } } },
);

dbTest(
  "TRUST_PROXY_HOPS=0: X-Forwarded-For is ignored altogether",
  async (t) => {
    const email = await owner(t);
    for (let i = 0; i < 3; i++) {
      assert.equal((await login(t, email, "wrong", `203.0.113.${i}`)).status, 401);
    }
    assert.equal((await login(t, email, PASSWORD, "203.0.113.200")).status, 429);
  },
  { config: { limits: { loginFailuresPerQuarterHour: 3 } } },
);
