/**
 * @module The app's one dependency bag (routes, the call lifecycle and the domain layer all take
 * it) and the one typed Hono context every route uses.
 */
import type { Config } from "./config.ts";
import type { Database, Db } from "./db/client.ts";
import type { User } from "./db/schema.ts";
import type { Hub } from "./hub/hub.ts";
import type { Agent } from "./agents/agent.ts";
import type { AdminClaims, VisitorClaims } from "./lib/tokens.ts";
import type { SignInLive } from "./lib/auth.ts";
import type { RateLimits } from "./limits/rate_limit.ts";
import type { ResolveDns } from "./webhooks/destination.ts";
import type { TenantAgents } from "./agents/tenancy.ts";

/** Everything `createApp` is built from. */
export interface Deps {
  config: Config;
  database: Database;
  hub: Hub;
  agent: Agent;
  rateLimits: RateLimits;
  /** How webhook URLs' names are resolved (default `Deno.resolveDns`; tests answer for names). */
  resolveDns?: ResolveDns;
  /** Each organization's Retell account and agent backend. */
  tenants: TenantAgents;
}

/** Hono's environment: `new Hono<AppEnv>()` everywhere. */
export type AppEnv = {
  Variables: {
    deps: Deps;
    db: Db;
    config: Config;
    /** Whether an admin token's sign-in is live (`team/sign_in.ts`; lib/auth.ts asks). */
    signInLive: SignInLive;
    admin?: AdminClaims;
    /** The admin token's user, loaded from the database (`team/guard.ts`). */
    user?: User;
    visitor?: VisitorClaims;
  };
};
