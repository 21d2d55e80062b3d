/**
 * @module Which Retell account an organization's requests go to. An organization that connected
 * its own key uses only that key; one that did not uses the deployment's `RETELL_API_KEY` only
 * while sign-up is closed (every organization is then the operator's own), and the offline demo
 * agent once strangers can sign up, so nobody spends the operator's Retell account but the
 * operator. Keys are sealed at rest (`lib/secret_box.ts`) and read with each request (a chat
 * message reads it in the same join as its session), so a key changed or removed in one process is
 * seen at once by every other process; only the opening of a sealed key is remembered.
 */
import type Retell from "retell-sdk";
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import { getRetellKey, setRetellKey } from "../db/queries/organizations.ts";
import { createSecretBox, keyHint, type SecretBox } from "../lib/secret_box.ts";
import { log } from "../lib/log.ts";
import type { Agent } from "./agent.ts";
import { createDemoAgent } from "./demo.ts";
import { createRetellAgent, type RetellAgent } from "./retell.ts";
import {
  type AccountAgent,
  type AccountNumber,
  type AgentResources,
  checkResources,
  holdings,
} from "./retell_account.ts";

import type { RetellSource } from "../contract/enums.ts";

export type { RetellSource };

/** The Retell account an organization uses. */
export interface RetellAccount {
  apiKey: string;
  source: RetellSource;
  /** "…abcd" */
  keyHint: string;
}

/** Retell clients (and opened keys) kept per key; more than this many evicts the oldest. */
const MAX_CLIENTS = 500;

/** An organization's key as stored: sealed, with its hint (both null: none connected). */
export interface StoredRetellKey {
  sealed: string | null;
  hint: string | null;
}

const sealContext = (organizationId: string) => `retell-key:${organizationId}`;

/** Resolves each organization's agent backend and Retell account. */
export class TenantAgents {
  #config: Config;
  #box: SecretBox;
  #demo?: Agent;
  #agents = new Map<string, RetellAgent>();
  /** Sealed key → key: the same sealed text always opens to the same key (AES-GCM). */
  #opened = new Map<string, string | undefined>();

  constructor(config: Config) {
    this.#config = config;
    this.#box = createSecretBox(config);
  }

  /** The Retell account the organization uses, or undefined when it has none (demo). */
  async accountOf(db: Db, organizationId: string): Promise<RetellAccount | undefined> {
    const own = await this.#ownKey(db, organizationId);
    if (own) return own;
    const deploymentKey = this.#config.retellApiKey;
    if (deploymentKey && this.#config.signup === "closed") {
      return { apiKey: deploymentKey, source: "deployment", keyHint: keyHint(deploymentKey) };
    }
    return undefined;
  }

  /**
   * The agent backend for the organization. `deployment` is the app's own agent (Retell with
   * `RETELL_API_KEY`, or the demo), used for organizations without a key while sign-up is closed.
   * `stored`: the organization's key as the caller already read it (saves a query).
   */
  async agentFor(
    db: Db,
    organizationId: string,
    deployment: Agent,
    stored?: StoredRetellKey,
  ): Promise<Agent> {
    const own = await this.#ownKey(db, organizationId, stored);
    if (own) return this.retellAgent(own.apiKey);
    if (this.#config.signup === "closed" || deployment.kind === "demo") return deployment;
    this.#demo ??= createDemoAgent({
      delayMs: this.#config.demoAgentDelayMs,
      callTimings: this.#config.demoCallTimings,
    });
    return this.#demo;
  }

  /** A Retell agent (and client) for a key, shared by every request with that key. */
  retellAgent(apiKey: string): RetellAgent {
    let agent = this.#agents.get(apiKey);
    if (agent) {
      this.#agents.delete(apiKey);
    } else {
      agent = createRetellAgent({
        apiKey,
        baseUrl: this.#config.retellBaseUrl,
        timeoutMs: this.#config.retellTimeoutMs,
        maxRetries: this.#config.retellMaxRetries,
      });
      if (this.#agents.size >= MAX_CLIENTS) this.#agents.delete(this.#agents.keys().next().value!);
    }
    this.#agents.set(apiKey, agent);
    return agent;
  }

  /** A Retell client for a key. */
  client(apiKey: string): Retell {
    return this.retellAgent(apiKey).client;
  }

  /** Seals and stores the organization's key. */
  async connect(db: Db, organizationId: string, apiKey: string): Promise<string> {
    const sealed = await this.#box.seal(apiKey, sealContext(organizationId));
    const hint = keyHint(apiKey);
    await setRetellKey(db, organizationId, { sealed, hint });
    return hint;
  }

  /** Forgets the organization's key. */
  async disconnect(db: Db, organizationId: string): Promise<void> {
    await setRetellKey(db, organizationId, null);
  }

  async #ownKey(
    db: Db,
    organizationId: string,
    known?: StoredRetellKey,
  ): Promise<RetellAccount | undefined> {
    const stored = known ?? await getRetellKey(db, organizationId);
    if (!stored?.sealed) return undefined;
    const apiKey = await this.#open(stored.sealed, organizationId);
    if (apiKey) return { apiKey, source: "organization", keyHint: stored.hint ?? keyHint(apiKey) };
    // The secret that sealed it changed (ENCRYPTION_KEY or JWT_SECRET): the owner must reconnect.
    log.warn("a stored Retell key does not decrypt; the organization must connect it again", {
      organizationId,
    });
    return undefined;
  }

  async #open(sealed: string, organizationId: string): Promise<string | undefined> {
    // The organization is part of the sealing context: the cache key must hold it too.
    const id = `${organizationId}:${sealed}`;
    if (this.#opened.has(id)) return this.#opened.get(id);
    const apiKey = await this.#box.open(sealed, sealContext(organizationId));
    if (this.#opened.size >= MAX_CLIENTS) this.#opened.delete(this.#opened.keys().next().value!);
    this.#opened.set(id, apiKey);
    return apiKey;
  }
}

/**
 * 400 `retell_resource_unknown` unless the Retell ids in `fields` exist in the Retell account the
 * organization uses (checked on every agent create and update, with `retell-sdk`).
 */
export async function checkAgentResources(
  deps: { tenants: TenantAgents; database: { db: Db } },
  organizationId: string,
  fields: AgentResources,
): Promise<void> {
  if (!fields.retellAgentId && !fields.retellChatAgentId && !fields.fromNumber) return;
  const account = await deps.tenants.accountOf(deps.database.db, organizationId);
  await checkResources(account && deps.tenants.client(account.apiKey), fields);
}

/** What the agent form can offer in place of typed Retell ids. */
export type AgentChoices =
  | {
    kind: "listed";
    source: RetellSource;
    chatAgents: AccountAgent[];
    voiceAgents: AccountAgent[];
    phoneNumbers: AccountNumber[];
    /** The account holds more than was listed (typed ids are still accepted then). */
    truncated: boolean;
  }
  /** No Retell account: the demo agent answers, and no id can be the organization's own. */
  | { kind: "no_account" }
  /** Retell failed or was too slow: the form falls back to typed ids. */
  | { kind: "unavailable" };

/** How long the agent form waits for Retell's lists before it offers typed ids instead. */
const CHOICES_TIMEOUT_MS = 4_000;

/** The agents and numbers of the Retell account the organization uses, for the agent form. */
export async function agentChoices(
  deps: { tenants: TenantAgents; database: { db: Db } },
  organizationId: string,
  timeoutMs = CHOICES_TIMEOUT_MS,
): Promise<AgentChoices> {
  const account = await deps.tenants.accountOf(deps.database.db, organizationId);
  if (!account) return { kind: "no_account" };
  // The page waits this long at most; the requests still in flight then are aborted.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), timeoutMs);
  try {
    const held = await holdings(deps.tenants.client(account.apiKey), { signal: timeout.signal });
    const byName = (a: AccountAgent, b: AccountAgent) => a.name.localeCompare(b.name);
    return {
      kind: "listed",
      source: account.source,
      chatAgents: held.agents.filter((a) => a.channel === "chat").sort(byName),
      voiceAgents: held.agents.filter((a) => a.channel === "voice").sort(byName),
      phoneNumbers: held.phoneNumbers,
      truncated: held.truncated,
    };
  } catch (err) {
    log.warn("listing the Retell account for the agent form failed", {
      organizationId,
      error: String(err),
    });
    return { kind: "unavailable" };
  } finally {
    clearTimeout(timer);
  }
}
