/**
 * @module The frame's HTTP client: visitor authentication (`POST /embed/auth`) kept fresh and
 * renewed silently with the same visitor id, Bearer requests, and errors as `ApiError`.
 */
import type { z } from "zod";
import type { Saved, Store } from "./store.ts";
import type { Lead, Rating, Session } from "../contract/wire.ts";
import type {
  CallStarted,
  EmbedAuthResponseSchema,
  MessageListSchema,
  MessagePair,
  SessionListSchema,
} from "../contract/responses.ts";
import type {
  LeadCreateSchema,
  MessageCreateSchema,
  RatingCreateSchema,
  SessionCreateSchema,
  SessionUpdateSchema,
  VoiceStartSchema,
} from "../contract/requests.ts";

/** A failed request: `status` 0 means the network failed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** What `POST /embed/auth` answers. */
export type AuthResponse = z.infer<typeof EmbedAuthResponseSchema>;
type SessionPath = `/api/chat/sessions/${string}`;
type MessageList = z.infer<typeof MessageListSchema>;
type SessionList = z.infer<typeof SessionListSchema>;
type In<T extends z.ZodType> = z.input<T>;

/** Options of the client. */
export interface ApiOptions {
  /** Server origin ("" for same origin). */
  base: string;
  widgetId: string;
  /** The host page's host name, checked against the widget's allowed domains. */
  host: string;
  store: Store;
  /** The host's identity token, when the page signed its visitor in (SPEC v2.4). */
  identity?: () => string | undefined;
  fetch?: typeof fetch;
}

// Renew a little before expiry so a request never races the clock.
const RENEW_BEFORE_MS = 5 * 60_000;

/** Talks to the Parley server as one visitor of one widget. */
export class Api {
  #o: ApiOptions;
  #fetch: typeof fetch;
  #auth?: Promise<string>;

  constructor(options: ApiOptions) {
    this.#o = options;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** A valid visitor token, authenticating when there is none or it is about to expire. */
  token(force = false): Promise<string> {
    const saved = this.#o.store.load();
    const fresh = saved.token && saved.expiresAt &&
      Date.parse(saved.expiresAt) - Date.now() > RENEW_BEFORE_MS;
    if (fresh && !force) return Promise.resolve(saved.token!);
    // One authentication at a time, however many requests want it.
    this.#auth ??= this.#authenticate(saved).finally(() => this.#auth = undefined);
    return this.#auth;
  }

  async #authenticate({ visitorId, visitorKey, sealedVisitor }: Saved): Promise<string> {
    // The server reads `sealedVisitor` (the host page's copy) only when there is no key.
    const body = {
      widgetId: this.#o.widgetId,
      domain: this.#o.host,
      identityToken: this.#o.identity?.(),
    };
    let res: AuthResponse;
    try {
      res = await this.#send("POST", "/embed/auth", {
        ...body,
        visitorId,
        visitorKey,
        sealedVisitor,
      }) as AuthResponse;
    } catch (err) {
      // Remembered values the server no longer accepts: start as a new visitor rather than fail.
      if (!(err instanceof ApiError) || err.status !== 400) throw err;
      res = await this.#send("POST", "/embed/auth", body) as AuthResponse;
    }
    // A new visitor (nothing remembered, or the remembered one refused) has a new key, and no
    // remembered conversation is its own.
    this.#o.store.save(res.visitorKey ? { ...res, sessionId: undefined } : res);
    return res.token;
  }

  /**
   * An authenticated request; a 401 renews the token once and retries. The overloads give each
   * route the contract's request and response types (types only: nothing reaches the bundle).
   */
  request(method: "GET", path: `/api/chat/sessions?${string}`): Promise<SessionList>;
  request(method: "GET", path: `${SessionPath}/messages?${string}`): Promise<MessageList>;
  request(method: "GET", path: SessionPath): Promise<Session>;
  request(
    method: "POST",
    path: "/api/chat/sessions",
    body: In<typeof SessionCreateSchema>,
  ): Promise<Session>;
  request(method: "PUT", path: SessionPath, body: In<typeof SessionUpdateSchema>): Promise<Session>;
  request(
    method: "POST",
    path: `${SessionPath}/messages`,
    body: In<typeof MessageCreateSchema>,
  ): Promise<MessagePair>;
  request(
    method: "POST",
    path: `${SessionPath}/voice`,
    body: In<typeof VoiceStartSchema>,
  ): Promise<CallStarted>;
  request(method: "POST", path: `${SessionPath}/voice/end`, body: object): Promise<CallStarted>;
  request(
    method: "POST",
    path: `${SessionPath}/handoff`,
    body: { reason?: string },
  ): Promise<Session>;
  request(
    method: "POST",
    path: `${SessionPath}/lead`,
    body: In<typeof LeadCreateSchema>,
  ): Promise<Lead>;
  request(
    method: "POST",
    path: `${SessionPath}/rating`,
    body: In<typeof RatingCreateSchema>,
  ): Promise<Rating>;
  request(method: "DELETE", path: "/api/chat/visitor"): Promise<void>;
  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    try {
      return await this.#send(method, path, body, await this.token());
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      return await this.#send(method, path, body, await this.token(true));
    }
  }

  async #send(method: string, path: string, body?: unknown, token?: string): Promise<unknown> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (token) headers.authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await this.#fetch(this.#o.base + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ApiError(0, "network", String((err as Error)?.message ?? err));
    }
    const text = await res.text().catch(() => "");
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (res.ok) return json;
    const e = (json as { error?: { code?: string; message?: string; details?: unknown } })?.error;
    const retry = Number(res.headers.get("retry-after"));
    throw new ApiError(
      res.status,
      e?.code ?? "http_" + res.status,
      e?.message ?? res.statusText,
      e?.details,
      Number.isFinite(retry) && retry > 0 ? retry : undefined,
    );
  }
}
