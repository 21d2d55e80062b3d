import assert from "node:assert/strict";
import { addressFrom } from "../../lib/client_address.ts";
import { parseConfig } from "../../config.ts";

Deno.test("addressFrom takes the N-th X-Forwarded-For entry from the right", () => {
  const header = "6.6.6.6, 203.0.113.9, 10.0.0.2";
  assert.equal(addressFrom(header, "10.0.0.3", 0), "10.0.0.3", "0 hops: the header is ignored");
  assert.equal(addressFrom(header, "10.0.0.3", 1), "10.0.0.2");
  assert.equal(addressFrom(header, "10.0.0.3", 2), "203.0.113.9");
  assert.equal(addressFrom("203.0.113.9", "10.0.0.3", 2), "10.0.0.3", "shorter than the chain");
  assert.equal(addressFrom(undefined, "::ffff:127.0.0.1", 1), "127.0.0.1");
  assert.equal(addressFrom(undefined, undefined, 1), "unknown");
});

Deno.test("TRUST_PROXY_HOPS and TRUST_PROXY=1 (one hop); RATE_LIMITS=off", () => {
  const env = { JWT_SECRET: "x".repeat(32) };
  const secret = () => "s";
  assert.equal(parseConfig(env, secret).trustProxyHops, 0);
  assert.equal(parseConfig({ ...env, TRUST_PROXY: "1" }, secret).trustProxyHops, 1);
  assert.equal(parseConfig({ ...env, TRUST_PROXY_HOPS: "2" }, secret).trustProxyHops, 2);
  assert.equal(parseConfig(env, secret).rateLimits, true);
  assert.equal(parseConfig({ ...env, RATE_LIMITS: "off" }, secret).rateLimits, false);
  assert.throws(() => parseConfig({ ...env, RATE_LIMITS: "maybe" }, secret));
});

Deno.test("every budget of SPEC v2.1 has its default and a LIMIT_* variable", () => {
  const env = { JWT_SECRET: "x".repeat(32) };
  const defaults = parseConfig(env, () => "s").limits;
  const expected: [keyof typeof defaults, string, number][] = [
    ["callsPerVisitorPerHour", "LIMIT_CALLS_PER_VISITOR_PER_HOUR", 10],
    ["callsPerAddressPerHour", "LIMIT_CALLS_PER_ADDRESS_PER_HOUR", 5],
    ["callsPerNumberPerHour", "LIMIT_CALLS_PER_NUMBER_PER_HOUR", 3],
    ["callsPerNumberPerDay", "LIMIT_CALLS_PER_NUMBER_PER_DAY", 10],
    ["callsPerWidgetPerDay", "LIMIT_CALLS_PER_WIDGET_PER_DAY", 100],
    ["callsPerOrganizationPerDay", "LIMIT_CALLS_PER_ORGANIZATION_PER_DAY", 300],
    ["concurrentCallsPerOrganization", "LIMIT_CONCURRENT_CALLS_PER_ORGANIZATION", 20],
    ["messagesPerVisitorPerMinute", "LIMIT_MESSAGES_PER_VISITOR_PER_MINUTE", 30],
    ["messagesPerAddressPerMinute", "LIMIT_MESSAGES_PER_ADDRESS_PER_MINUTE", 120],
    ["newVisitorsPerAddressPerHour", "LIMIT_NEW_VISITORS_PER_ADDRESS_PER_HOUR", 60],
    ["agentRepliesPerOrganizationPerDay", "LIMIT_AGENT_REPLIES_PER_ORGANIZATION_PER_DAY", 20_000],
    ["loginFailuresPerQuarterHour", "LIMIT_LOGIN_FAILURES_PER_QUARTER_HOUR", 10],
    ["loginFailuresPerEmailPerQuarterHour", "LIMIT_LOGIN_FAILURES_PER_EMAIL_PER_QUARTER_HOUR", 100],
  ];
  for (const [key, variable, value] of expected) {
    assert.equal(defaults[key], value, key);
    assert.equal(parseConfig({ ...env, [variable]: "7" }, () => "s").limits[key], 7, variable);
  }
});
