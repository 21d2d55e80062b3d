/**
 * @module One delivery attempt: check the destination again, POST the signed body, read at most a
 * little of the answer. A receiver cannot make us follow a redirect, wait past the time-out or
 * hold more than `RESPONSE_BYTES` of its body in memory.
 */
import { checkDestination, DestinationError, type ResolveDns } from "./destination.ts";
import { signatureHeader } from "./signature.ts";

/** How much of a receiver's answer is kept for the delivery log. */
export const RESPONSE_BYTES = 1024;

/** What to send. */
export interface DeliveryRequest {
  url: string;
  secret: string;
  eventId: string;
  body: string;
}

/** Options of `attemptDelivery`. */
export interface AttemptOptions {
  now: Date;
  timeoutMs: number;
  allowPrivate: boolean;
  resolveDns?: ResolveDns;
  /**
   * A client created with `allowHost: true`: a plain-http request goes to the address we checked,
   * named by its host, so a second DNS answer (rebinding) cannot redirect it. HTTPS keeps its
   * name: the certificate check is what stops a rebinding there.
   */
  pinnedClient: Deno.HttpClient;
}

/** What happened: `ok` for a 2xx answer. */
export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  response: string | null;
}

/** Sends one attempt; never throws. */
export async function attemptDelivery(
  request: DeliveryRequest,
  options: AttemptOptions,
): Promise<AttemptResult> {
  const fail = (error: string, statusCode: number | null = null): AttemptResult => ({
    ok: false,
    statusCode,
    error,
    response: null,
  });
  let target: URL, host: string | undefined;
  try {
    const destination = await checkDestination(request.url, {
      allowPrivate: options.allowPrivate,
      resolveDns: options.resolveDns,
      requireResolved: true,
    });
    target = destination.url;
    if (target.protocol === "http:" && destination.address) {
      host = target.host;
      target = new URL(target);
      target.hostname = destination.address.includes(":")
        ? `[${destination.address}]`
        : destination.address;
    }
  } catch (err) {
    if (err instanceof DestinationError) return fail(`refused: ${err.message}`);
    return fail(`refused: ${String(err)}`);
  }
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "Parley-Webhooks/1",
      "x-parley-event-id": request.eventId,
      "x-parley-signature": await signatureHeader(request.secret, request.body, options.now),
    };
    if (host) headers.host = host;
    const response = await fetch(target, {
      method: "POST",
      headers,
      body: request.body,
      redirect: "manual",
      signal,
      ...(host ? { client: options.pinnedClient } : {}),
    });
    const text = await readSome(response, RESPONSE_BYTES);
    return {
      ok: response.status >= 200 && response.status < 300,
      statusCode: response.status,
      error: response.status >= 300 && response.status < 400 ? "redirect not followed" : null,
      response: text,
    };
  } catch (err) {
    if (signal.aborted) return fail(`timed out after ${options.timeoutMs} ms`);
    return fail(`connection failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The first `limit` bytes of a body as text; the rest is never read. */
async function readSome(response: Response, limit: number): Promise<string | null> {
  if (!response.body) return null;
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < limit) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  const all = new Uint8Array(Math.min(size, limit));
  let offset = 0;
  for (const chunk of chunks) {
    const part = chunk.subarray(0, all.length - offset);
    all.set(part, offset);
    offset += part.length;
    if (offset >= all.length) break;
  }
  return new TextDecoder().decode(all) || null;
}
