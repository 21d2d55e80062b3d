/**
 * Table tests of the pure security helpers: origins and allowlists, CSRF tokens, signed tokens and
 * the admin form parsers. Each row is one case an attacker or a careless owner could produce.
 */
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import {
  frameAncestors,
  hostOf,
  isHostAllowed,
  selfOrigin,
  selfOrigins,
} from "../../lib/origins.ts";
import { csrfToken, newNonce, verifyCsrfToken } from "../../lib/csrf.ts";
import {
  ADMIN_AUDIENCE,
  claimedAudience,
  signAdminToken,
  signVisitorToken,
  verifyAdminToken,
  verifyVisitorToken,
  VISITOR_AUDIENCE,
} from "../../lib/tokens.ts";
import { agentInput, checkbox, domainList, optionalText } from "../../routes/admin/forms.ts";

Deno.test("hostOf: the host of a domain, URL or Origin, or undefined", () => {
  const cases: [string, string | undefined][] = [
    ["example.com", "example.com"],
    ["  EXAMPLE.com  ", "example.com"],
    ["https://shop.example.com:8443/path?q=1", "shop.example.com"],
    ["http://example.com.", "example.com"],
    ["http://[::1]:8000", "::1"],
    ["", undefined],
    ["   ", undefined],
    ["http://", undefined],
    ["https://exa mple.com", undefined],
  ];
  for (const [input, expected] of cases) assert.equal(hostOf(input), expected, input);
});

Deno.test("isHostAllowed: exact hosts, *.wildcards for subdomains only, empty allows any", () => {
  const cases: [string[], string, boolean][] = [
    [[], "anything.test", true],
    [["example.com"], "example.com", true],
    [["example.com"], "EXAMPLE.COM", true],
    [["Example.com"], "example.com", true],
    [["example.com"], "www.example.com", false],
    [["example.com"], "example.com.evil.test", false],
    [["*.example.com"], "a.example.com", true],
    [["*.example.com"], "a.b.example.com", true],
    [["*.example.com"], "example.com", false],
    [["*.example.com"], "evilexample.com", false],
    [["*.example.com"], ".example.com", false],
    [["a.test", "b.test"], "b.test", true],
    [["a.test", "b.test"], "c.test", false],
  ];
  for (const [allowed, host, expected] of cases) {
    assert.equal(isHostAllowed(allowed, host), expected, `${JSON.stringify(allowed)} ${host}`);
  }
});

Deno.test("frameAncestors: any page for an empty list, else ourselves and the listed hosts", () => {
  assert.equal(frameAncestors([], "https://parley.test"), "*");
  assert.equal(
    frameAncestors(["shop.test", "*.blog.test"], "https://parley.test"),
    "'self' https://parley.test http://shop.test:* https://shop.test:* " +
      "http://*.blog.test:* https://*.blog.test:*",
  );
});

Deno.test("selfOrigin and selfOrigins: PUBLIC_URL wins, the request's origin counts too", () => {
  const cases: [string | undefined, string, string, string[]][] = [
    [undefined, "http://127.0.0.1:8000/embed/auth", "http://127.0.0.1:8000", [
      "http://127.0.0.1:8000",
    ]],
    ["https://chat.example.com/base/", "http://10.0.0.5:8000/x", "https://chat.example.com", [
      "http://10.0.0.5:8000",
      "https://chat.example.com",
    ]],
    ["https://chat.example.com", "https://chat.example.com/x", "https://chat.example.com", [
      "https://chat.example.com",
    ]],
  ];
  for (const [publicUrl, requestUrl, one, all] of cases) {
    assert.equal(selfOrigin(publicUrl, requestUrl), one);
    assert.deepEqual(selfOrigins(publicUrl, requestUrl), all);
  }
});

Deno.test("verifyCsrfToken: only the token of this binding under this secret", async () => {
  const secret = "csrf-secret-csrf-secret-csrf-secret";
  const binding = newNonce();
  const token = await csrfToken(secret, binding);
  const cases: [string, string, string, string | undefined, boolean][] = [
    ["its own token", secret, binding, token, true],
    ["another binding's token", secret, newNonce(), token, false],
    ["another secret", "another-secret-another-secret-x", binding, token, false],
    ["no token", secret, binding, undefined, false],
    ["an empty token", secret, binding, "", false],
    ["no binding", secret, "", token, false],
    ["a truncated token", secret, binding, token.slice(0, -1), false],
    ["a longer token", secret, binding, token + "A", false],
    ["a token with its case changed", secret, binding, token.toUpperCase(), false],
  ];
  for (const [name, s, b, t, expected] of cases) {
    assert.equal(await verifyCsrfToken(s, b, t), expected, name);
  }
  assert.notEqual(newNonce(), newNonce());
});

Deno.test("signed tokens: each verifies only as itself, under its secret, unexpired", async () => {
  const secret = "token-secret-token-secret-token-secret";
  const sessionId = crypto.randomUUID();
  const admin = await signAdminToken(secret, { userId: "u1", organizationId: "o1", sessionId });
  const visitorClaims = { visitorId: "v_1", widgetId: "w1", organizationId: "o1", agentId: "a1" };
  const { token: visitor } = await signVisitorToken(secret, visitorClaims);
  const { token: expired } = await signVisitorToken(secret, visitorClaims, -60);
  const [header, payload, signature] = admin.split(".");
  const forged = (claims: Record<string, unknown>) =>
    `${header}.${btoa(JSON.stringify(claims)).replace(/=+$/, "")}.${signature}`;
  const unsigned = `${btoa('{"alg":"none"}').replace(/=+$/, "")}.${payload}.`;
  const noOrg = await new SignJWT({}).setProtectedHeader({ alg: "HS256" }).setSubject("u1")
    .setIssuer("parley").setAudience(ADMIN_AUDIENCE).setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
  const otherIssuer = await new SignJWT({ org: "o1" }).setProtectedHeader({ alg: "HS256" })
    .setSubject("u1").setIssuer("someone").setAudience(ADMIN_AUDIENCE).setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));

  const cases: [string, string, string, "admin" | "visitor" | undefined][] = [
    ["an admin token", admin, secret, "admin"],
    ["a visitor token", visitor, secret, "visitor"],
    ["an admin token under another secret", admin, "x".repeat(40), undefined],
    ["an expired visitor token", expired, secret, undefined],
    ["a re-signed payload (other org)", forged({ sub: "u1", org: "o2" }), secret, undefined],
    ["alg none", unsigned, secret, undefined],
    ["an admin token without its organization", noOrg, secret, undefined],
    ["another issuer", otherIssuer, secret, undefined],
    ["garbage", "not.a.token", secret, undefined],
    ["empty", "", secret, undefined],
  ];
  for (const [name, token, key, expected] of cases) {
    const asAdmin = await verifyAdminToken(key, token);
    const asVisitor = await verifyVisitorToken(key, token);
    assert.equal(asAdmin !== undefined, expected === "admin", `${name} as admin`);
    assert.equal(asVisitor !== undefined, expected === "visitor", `${name} as visitor`);
  }
  assert.deepEqual(await verifyAdminToken(secret, admin), {
    userId: "u1",
    organizationId: "o1",
    sessionId,
  });
  assert.deepEqual(await verifyVisitorToken(secret, visitor), visitorClaims);
  assert.equal(claimedAudience(admin), ADMIN_AUDIENCE);
  assert.equal(claimedAudience(visitor), VISITOR_AUDIENCE);
  assert.equal(claimedAudience("garbage"), undefined);
});

Deno.test("admin form parsers: what an owner types becomes the API's shape", () => {
  const texts: [string | undefined, string | null][] = [
    [undefined, null],
    ["", null],
    ["   ", null],
    ["  hi  ", "hi"],
  ];
  for (const [input, expected] of texts) assert.equal(optionalText(input), expected);

  const boxes: [string | undefined, boolean][] = [
    [undefined, false],
    ["false", false],
    ["0", false],
    ["on", true],
    ["true", true],
    ["", true],
  ];
  for (const [input, expected] of boxes) assert.equal(checkbox(input), expected, String(input));

  const domains: [string | undefined, string[]][] = [
    [undefined, []],
    ["", []],
    ["example.com", ["example.com"]],
    ["a.test, b.test\n\n c.test", ["a.test", "b.test", "c.test"]],
    ["https://shop.example.com:8443/cart?x=1#top", ["shop.example.com"]],
    ["*.example.com", ["*.example.com"]],
  ];
  for (const [input, expected] of domains) assert.deepEqual(domainList(input), expected);

  assert.deepEqual(
    agentInput({ name: "Helper", retellAgentId: " ", fromNumber: "+1 (415) 555-0100" }),
    { name: "Helper", retellAgentId: null, retellChatAgentId: null, fromNumber: "+14155550100" },
  );
  assert.deepEqual(agentInput({}), {
    name: "",
    retellAgentId: null,
    retellChatAgentId: null,
    fromNumber: null,
  });
});
