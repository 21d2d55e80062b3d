/**
 * @module Creating an endpoint and reading its secret: the signing secret is generated here,
 * returned once, and stored only sealed (AES-GCM bound to the endpoint), so a copy of the database
 * cannot sign deliveries.
 */
import type { Db } from "../db/client.ts";
import type { WebhookEndpointRow } from "../db/schema.ts";
import { createEndpoint } from "../db/queries/webhooks.ts";
import { createSecretBox } from "../lib/secret_box.ts";
import { newWebhookSecret } from "./signature.ts";

/** The keys secrets are sealed with (the app's config has them). */
export interface SealingKeys {
  jwtSecret: string;
  encryptionKey?: string;
}

const sealContext = (endpointId: string) => `webhook:${endpointId}:secret`;

/** Creates an endpoint; the plaintext secret exists only in the answer. */
export async function createWebhook(
  db: Db,
  keys: SealingKeys,
  input: { organizationId: string; url: string; events: string[] },
): Promise<{ row: WebhookEndpointRow; secret: string }> {
  const id = crypto.randomUUID();
  const secret = newWebhookSecret();
  const sealed = await createSecretBox(keys).seal(secret, sealContext(id));
  const row = await createEndpoint(db, { id, ...input, secret: sealed });
  return { row, secret };
}

/** The signing secret of an endpoint, or undefined when it cannot be opened with these keys. */
export async function openWebhookSecret(
  keys: SealingKeys,
  endpoint: { id: string; secret: string },
): Promise<string | undefined> {
  return await createSecretBox(keys).open(endpoint.secret, sealContext(endpoint.id));
}
