/**
 * @module What a Retell account holds, asked through `retell-sdk`: whether a key is accepted,
 * its agents and phone numbers (for the admin's pickers), and whether the ids an agent names
 * exist there, so an organization can only use agents and caller ids of its own account.
 */
import type Retell from "retell-sdk";
import { APIError, AuthenticationError, PermissionDeniedError } from "retell-sdk";
import { HttpError } from "../lib/errors.ts";
import { isRetellNotFound, retellFailure } from "./retell.ts";

/** An agent of the account. */
export interface AccountAgent {
  id: string;
  name: string;
  channel: "voice" | "chat";
}

/** A phone number of the account. */
export interface AccountNumber {
  number: string;
  nickname: string | null;
}

/** What the account holds (the first pages: enough for a picker). */
export interface AccountInventory {
  organizationName: string | null;
  agents: AccountAgent[];
  phoneNumbers: AccountNumber[];
  /** True when the account has more than was listed. */
  truncated: boolean;
}

/** The ids an agent names (all optional). */
export interface AgentResources {
  retellAgentId?: string | null;
  retellChatAgentId?: string | null;
  fromNumber?: string | null;
}

const PAGE = 1000;
const MAX_PAGES = 5;

/** True when Retell refused the key itself. */
function keyRefused(err: unknown): boolean {
  return err instanceof AuthenticationError || err instanceof PermissionDeniedError ||
    (err instanceof APIError && (err.status === 401 || err.status === 403));
}

/** Checks a key by listing its agents: 400 `retell_key_invalid` when Retell refuses it. */
export async function checkKey(client: Retell): Promise<void> {
  try {
    await client.agent.list({ limit: 1 }, { maxRetries: 0 });
  } catch (err) {
    if (keyRefused(err)) {
      throw new HttpError(400, "retell_key_invalid", "Retell does not accept this API key", {
        details: [{ path: "apiKey", message: "was refused by Retell" }],
      });
    }
    throw retellFailure(err, "check the key with Retell");
  }
}

/**
 * The account's agents and numbers (no name: what the agent form's pickers need); `signal`
 * abandons the listing (the requests in flight are aborted).
 */
export async function holdings(
  client: Retell,
  { signal }: { signal?: AbortSignal } = {},
): Promise<Omit<AccountInventory, "organizationName">> {
  try {
    const agents: AccountAgent[] = [];
    const phoneNumbers: AccountNumber[] = [];
    let truncated = false;
    let key: string | undefined;
    for (let page = 0;; page++) {
      const res = await client.agent.list({ limit: PAGE, pagination_key: key }, { signal });
      for (const a of res.items ?? []) {
        agents.push({ id: a.agent_id, name: a.agent_name || a.agent_id, channel: a.channel });
      }
      key = res.pagination_key;
      if (!res.has_more || !key) break;
      if (page + 1 >= MAX_PAGES) {
        truncated = true;
        break;
      }
    }
    key = undefined;
    for (let page = 0;; page++) {
      const res = await client.phoneNumber.list({ limit: PAGE, pagination_key: key }, {
        signal,
      });
      for (const n of res.items ?? []) {
        phoneNumbers.push({ number: n.phone_number, nickname: n.nickname ?? null });
      }
      key = res.pagination_key;
      if (!res.has_more || !key) break;
      if (page + 1 >= MAX_PAGES) {
        truncated = true;
        break;
      }
    }
    return { agents, phoneNumbers, truncated };
  } catch (err) {
    throw retellFailure(err, "list the Retell account");
  }
}

/** The account's name, agents and numbers (`signal` as for `holdings`). */
export async function inventory(
  client: Retell,
  options: { signal?: AbortSignal } = {},
): Promise<AccountInventory> {
  const held = await holdings(client, options);
  // The account's name is a nicety: a key without that permission still works.
  const organizationName = await client.identity.retrieve(options).then(
    (r) => r.org_name || null,
    () => null,
  );
  return { organizationName, ...held };
}

/** True when `find` resolves; false when Retell says there is no such thing. */
async function exists(find: () => Promise<unknown>): Promise<boolean> {
  try {
    await find();
    return true;
  } catch (err) {
    if (isRetellNotFound(err)) return false;
    throw retellFailure(err, "check the agent's Retell ids");
  }
}

/**
 * 400 `retell_resource_unknown` unless every id given exists in the account (`client`
 * undefined: the organization has no Retell account, so no id can be its own).
 */
export async function checkResources(
  client: Retell | undefined,
  fields: AgentResources,
): Promise<void> {
  const wanted: [keyof AgentResources, string][] = [];
  for (const path of ["retellAgentId", "retellChatAgentId", "fromNumber"] as const) {
    const value = fields[path];
    if (value) wanted.push([path, value]);
  }
  if (!wanted.length) return;
  if (!client) {
    throw unknown(
      wanted.map(([path]) => path),
      "Connect a Retell account before naming Retell agents or numbers",
    );
  }
  const checks = wanted.map(async ([path, id]) => {
    const found = await exists(() =>
      path === "retellAgentId"
        ? client.agent.retrieve(id)
        : path === "retellChatAgentId"
        ? client.chatAgent.retrieve(id)
        : client.phoneNumber.retrieve(id)
    );
    return found ? undefined : path;
  });
  const missing = (await Promise.all(checks)).filter((p) => p !== undefined);
  if (missing.length) {
    throw unknown(missing, "Not found in the organization's Retell account");
  }
}

function unknown(paths: string[], message: string): HttpError {
  return new HttpError(400, "retell_resource_unknown", message, {
    details: paths.map((path) => ({
      path,
      message: "does not exist in the organization's Retell account",
    })),
  });
}
