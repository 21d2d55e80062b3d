/**
 * @module A fake Retell HTTP server (RETELL.md §7) that the real `retell-sdk` talks to: it checks
 * the Bearer key, records every request, keeps chats and calls in memory, can be told to fail or
 * stall, and sends voice webhooks signed with the SDK's `sign()` (`sendWebhook`).
 * Routes are a table: `fake.route("POST", "/v2/create-phone-call", handler)` adds one.
 *
 * It serves several Retell accounts at once (`addAccount`), as Retell does: each key sees only
 * its own agents, numbers, chats and calls, and anything else is Retell's "not found" (422).
 * The first account (`apiKey`) is the one the top-level `chatAgents`, `voiceAgents` and
 * `phoneNumbers` belong to.
 */
import { sign } from "retell-sdk";

/** One request as the fake saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
  /** The status the fake answered with (set once answered; undefined while stalled/aborted). */
  status?: number;
}

/** A chat the fake keeps. */
export interface FakeChat {
  chat_id: string;
  agent_id: string;
  chat_status: "ongoing" | "ended" | "error";
  start_timestamp: number;
  end_timestamp?: number;
  metadata?: unknown;
  retell_llm_dynamic_variables?: Record<string, string>;
  messages: { message_id: string; role: string; content: string; created_timestamp: number }[];
}

/** A voice call the fake keeps (phone or web; the fields of Retell's call object it needs). */
export interface FakeCall {
  call_id: string;
  call_type: "phone_call" | "web_call";
  agent_id: string;
  agent_version: number;
  call_status: "registered" | "not_connected" | "ongoing" | "ended" | "error";
  direction?: "outbound";
  from_number?: string;
  to_number?: string;
  metadata?: unknown;
  retell_llm_dynamic_variables?: Record<string, string>;
  access_token?: string;
  start_timestamp?: number;
  end_timestamp?: number;
  disconnection_reason?: string;
  [key: string]: unknown;
}

/** One Retell account: its key and what it holds. */
export interface FakeAccount {
  apiKey: string;
  orgName: string;
  chatAgents: Set<string>;
  voiceAgents: Set<string>;
  /** Numbers "bought from Retell": the only valid `from_number`s. */
  phoneNumbers: Set<string>;
}

/** What a route handler gets. */
export interface RouteContext {
  req: Request;
  params: Record<string, string>;
  body: unknown;
  fake: FakeRetell;
  /** The account whose key the request carried. */
  account: FakeAccount;
}

/** A handler's answer: a Response, or `[status, json]`, or a JSON body (200). */
export type RouteResult = Response | [number, unknown] | Record<string, unknown>;
export type RouteHandler = (ctx: RouteContext) => RouteResult | Promise<RouteResult>;

/** Which requests a failure or stall applies to. */
export type RequestMatch = string | RegExp | undefined;

interface Injection {
  match: RequestMatch;
  left: number;
  status?: number;
  retryAfterMs?: number;
  delayMs?: number;
  body?: unknown;
}

/** `{"status":"error","message":…}` as Retell sends it. */
export function retellError(status: number, message: string): Response {
  return Response.json({ status: "error", message }, { status });
}

const NOT_FOUND = "Cannot find requested asset under given api key.";

/** The fake server. */
export class FakeRetell {
  readonly apiKey: string;
  readonly requests: RecordedRequest[] = [];
  readonly chats = new Map<string, FakeChat>();
  /** Chat agent ids `create-chat` accepts (the first account's). */
  readonly chatAgents = new Set<string>(["agent_chat_test"]);
  /** Voice agent ids the call routes accept (the first account's). */
  readonly voiceAgents = new Set<string>(["agent_voice_test"]);
  /** Numbers "bought from Retell": the only valid `from_number`s (the first account's). */
  readonly phoneNumbers = new Set<string>(["+14155550100"]);
  /** Calls created through the fake, by `call_id`. */
  readonly calls = new Map<string, FakeCall>();
  /** Every account by key; the first is `apiKey`'s. */
  readonly accounts = new Map<string, FakeAccount>();
  /** Which account's key created each chat and call. */
  readonly ownerOf = new Map<string, string>();
  /** The agent's reply to a user message; replace it to script a conversation. */
  replyTo: (content: string, chat: FakeChat) => string = (content) => `Echo: ${content}`;
  url = "";
  #routes: { method: string; pattern: RegExp; handler: RouteHandler }[] = [];
  #injections: Injection[] = [];
  #answered = new Set<() => void>();
  #server?: Deno.HttpServer;
  #controller = new AbortController();
  #counter = 0;

  constructor(apiKey = "key_test_fake_retell") {
    this.apiKey = apiKey;
    this.accounts.set(apiKey, {
      apiKey,
      orgName: "Test",
      chatAgents: this.chatAgents,
      voiceAgents: this.voiceAgents,
      phoneNumbers: this.phoneNumbers,
    });
    this.#chatRoutes();
    this.#callRoutes();
  }

  /**
   * POSTs a voice webhook `{event, call}` to `url` as Retell does: the exact body signed with the
   * SDK's `sign()` (or the `signature` given, to test refusals). Returns the response.
   */
  async sendWebhook(
    url: string,
    event: string,
    call: Record<string, unknown>,
    options: { signature?: string; body?: string; key?: string } = {},
  ): Promise<Response> {
    const body = options.body ?? JSON.stringify({ event, call });
    const signature = options.signature ?? await sign(body, options.key ?? this.apiKey);
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-retell-signature": signature },
      body,
    });
    // Read now, so a test that checks only the status leaks no open body (the sanitizers see it).
    const bytes = await res.arrayBuffer();
    const empty = [101, 204, 205, 304].includes(res.status);
    return new Response(empty ? null : bytes, { status: res.status, headers: res.headers });
  }

  /** Adds another Retell account with its own key, agents and numbers. */
  addAccount(
    apiKey: string,
    holds: {
      chatAgents?: string[];
      voiceAgents?: string[];
      phoneNumbers?: string[];
      orgName?: string;
    } = {},
  ): FakeAccount {
    const account: FakeAccount = {
      apiKey,
      orgName: holds.orgName ?? apiKey,
      chatAgents: new Set(holds.chatAgents ?? []),
      voiceAgents: new Set(holds.voiceAgents ?? []),
      phoneNumbers: new Set(holds.phoneNumbers ?? []),
    };
    this.accounts.set(apiKey, account);
    return account;
  }

  /** The chat, when it exists and belongs to the account. */
  chatOf(account: FakeAccount, id: string): FakeChat | undefined {
    return this.ownerOf.get(id) === account.apiKey ? this.chats.get(id) : undefined;
  }

  /** The call, when it exists and belongs to the account. */
  callOf(account: FakeAccount, id: string): FakeCall | undefined {
    return this.ownerOf.get(id) === account.apiKey ? this.calls.get(id) : undefined;
  }

  #callRoutes(): void {
    const e164 = /^\+[1-9]\d{1,14}$/;
    this.route("POST", "/v2/create-phone-call", ({ body, fake, account }) => {
      const b = (body ?? {}) as Record<string, unknown>;
      if (
        typeof b.from_number !== "string" || typeof b.to_number !== "string" ||
        !e164.test(b.from_number) || !e164.test(b.to_number)
      ) {
        return [400, {
          status: "error",
          message: "Invalid request format, please check API reference.",
        }];
      }
      if (!account.phoneNumbers.has(b.from_number)) {
        return [422, { status: "error", message: NOT_FOUND }];
      }
      const agentId = typeof b.override_agent_id === "string"
        ? b.override_agent_id
        : "agent_voice_test";
      if (!account.voiceAgents.has(agentId)) return [422, { status: "error", message: NOT_FOUND }];
      const call: FakeCall = {
        call_id: fake.newId("call"),
        call_type: "phone_call",
        agent_id: agentId,
        agent_version: 0,
        call_status: "registered",
        direction: "outbound",
        from_number: b.from_number,
        to_number: b.to_number,
        metadata: b.metadata,
        retell_llm_dynamic_variables: b.retell_llm_dynamic_variables as Record<string, string>,
      };
      fake.calls.set(call.call_id, call);
      fake.ownerOf.set(call.call_id, account.apiKey);
      return [201, call];
    });
    this.route("POST", "/v2/create-web-call", ({ body, fake, account }) => {
      const b = (body ?? {}) as Record<string, unknown>;
      if (typeof b.agent_id !== "string" || !account.voiceAgents.has(b.agent_id)) {
        return [422, { status: "error", message: NOT_FOUND }];
      }
      const call: FakeCall = {
        call_id: fake.newId("call"),
        call_type: "web_call",
        agent_id: b.agent_id,
        agent_version: 0,
        call_status: "registered",
        metadata: b.metadata,
        retell_llm_dynamic_variables: b.retell_llm_dynamic_variables as Record<string, string>,
        access_token: `eyJfake.${crypto.randomUUID()}`,
      };
      fake.calls.set(call.call_id, call);
      fake.ownerOf.set(call.call_id, account.apiKey);
      return [201, call];
    });
    this.route("GET", "/v2/get-call/:id", ({ params, fake, account }) => {
      const call = fake.callOf(account, params.id);
      if (!call) return [422, { status: "error", message: NOT_FOUND }];
      return [200, call];
    });
    this.route("POST", "/v2/stop-call/:id", ({ params, fake, account }) => {
      const call = fake.callOf(account, params.id);
      if (!call || call.call_status === "ended") {
        return [422, { status: "error", message: NOT_FOUND }];
      }
      call.call_status = "ended";
      call.end_timestamp = Date.now();
      call.disconnection_reason = "manual_stopped";
      return new Response(null, { status: 204 });
    });
  }

  /** Adds (or overrides, when added later) a route; `:name` segments become `params.name`. */
  route(method: string, path: string, handler: RouteHandler): this {
    const pattern = new RegExp(
      "^" + path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\?:(\w+)/g, "(?<$1>[^/]+)") +
        "$",
    );
    this.#routes.unshift({ method, pattern, handler });
    return this;
  }

  /** The next `count` matching requests get `status` (with `retry-after-ms`). */
  failNext(
    status: number,
    options: { count?: number; retryAfterMs?: number; match?: RequestMatch; body?: unknown } = {},
  ): this {
    this.#injections.push({
      match: options.match,
      left: options.count ?? 1,
      status,
      retryAfterMs: options.retryAfterMs ?? 0,
      body: options.body,
    });
    return this;
  }

  /** The next `count` matching requests are answered only after `ms` (sooner when closed). */
  stallNext(ms: number, options: { count?: number; match?: RequestMatch } = {}): this {
    this.#injections.push({ match: options.match, left: options.count ?? 1, delayMs: ms });
    return this;
  }

  /** Recorded requests to a path (string equality or RegExp). */
  requestsTo(match: string | RegExp, method?: string): RecordedRequest[] {
    return this.requests.filter((r) =>
      (method === undefined || r.method === method) &&
      (typeof match === "string" ? r.path === match : match.test(r.path))
    );
  }

  /**
   * The first request to `match` that has been answered, waiting for it (an event, not a sleep):
   * for effects the code under test does not await, such as ending a losing chat.
   */
  answeredRequest(match: string | RegExp, method?: string, timeoutMs = 5000) {
    const found = () => this.requestsTo(match, method).find((r) => r.status !== undefined);
    return new Promise<RecordedRequest>((resolve, reject) => {
      const wake = () => {
        const request = found();
        if (!request) return;
        this.#answered.delete(wake);
        clearTimeout(timer);
        resolve(request);
      };
      const timer = setTimeout(() => {
        this.#answered.delete(wake);
        reject(new Error(`no answered ${method ?? ""} ${match} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#answered.add(wake);
      wake();
    });
  }

  /** A fresh id with Retell's prefix. */
  newId(prefix: string): string {
    return `${prefix}_${(++this.#counter).toString(36)}${crypto.randomUUID().slice(0, 8)}`;
  }

  /** Listens on 127.0.0.1 on a free port. */
  start(): Promise<this> {
    return new Promise((resolve) => {
      this.#server = Deno.serve({
        hostname: "127.0.0.1",
        port: 0,
        signal: this.#controller.signal,
        onListen: ({ port }) => {
          this.url = `http://127.0.0.1:${port}`;
          resolve(this);
        },
        // A client that timed out leaves a stalled response behind; that is expected here.
        onError: () => new Response(null, { status: 500 }),
      }, (req) => this.#handle(req));
    });
  }

  /** Stops the server. */
  async close(): Promise<void> {
    this.#controller.abort();
    await this.#server?.finished;
  }

  async #handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const text = await req.text();
    let body: unknown = undefined;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = text;
    }
    const recorded: RecordedRequest = {
      method: req.method,
      path: url.pathname,
      headers: Object.fromEntries(req.headers),
      body,
    };
    this.requests.push(recorded);
    const answer = (res: Response) => {
      recorded.status = res.status;
      for (const wake of this.#answered) wake();
      return res;
    };

    const bearer = /^Bearer (.+)$/.exec(req.headers.get("authorization") ?? "")?.[1];
    const account = bearer ? this.accounts.get(bearer) : undefined;
    if (!account) return answer(retellError(401, "API key is missing or invalid."));
    const injection = this.#injections.find((i) => i.left > 0 && matches(i.match, url.pathname));
    if (injection) {
      injection.left--;
      if (injection.delayMs !== undefined) {
        // Only closing the fake cuts a stall short (a timed-out client does not, as with Retell).
        const aborted = await delay(injection.delayMs, this.#controller.signal);
        if (aborted) return new Response(null, { status: 503 });
      } else {
        const res = Response.json(
          injection.body ?? { status: "error", message: `Injected failure ${injection.status}` },
          {
            status: injection.status,
            headers: { "retry-after-ms": String(injection.retryAfterMs ?? 0) },
          },
        );
        return answer(res);
      }
    }
    for (const r of this.#routes) {
      if (r.method !== req.method) continue;
      const m = r.pattern.exec(url.pathname);
      if (!m) continue;
      const params = Object.fromEntries(
        Object.entries(m.groups ?? {}).map(([k, v]) => [k, decodeURIComponent(v)]),
      );
      return answer(toResponse(await r.handler({ req, params, body, fake: this, account })));
    }
    return answer(retellError(404, `No route ${req.method} ${url.pathname}`));
  }

  #chatRoutes(): void {
    this.route("POST", "/create-chat", ({ body, fake, account }) => {
      const b = (body ?? {}) as Record<string, unknown>;
      if (typeof b.agent_id !== "string" || !account.chatAgents.has(b.agent_id)) {
        return [422, { status: "error", message: NOT_FOUND }];
      }
      const chat: FakeChat = {
        chat_id: fake.newId("chat"),
        agent_id: b.agent_id,
        chat_status: "ongoing",
        start_timestamp: Date.now(),
        metadata: b.metadata,
        retell_llm_dynamic_variables: b.retell_llm_dynamic_variables as Record<string, string>,
        messages: [],
      };
      fake.chats.set(chat.chat_id, chat);
      fake.ownerOf.set(chat.chat_id, account.apiKey);
      return [201, publicChat(chat)];
    });
    this.route("POST", "/create-chat-completion", ({ body, fake, account }) => {
      const b = (body ?? {}) as Record<string, unknown>;
      const chat = fake.chatOf(account, String(b.chat_id));
      if (!chat) return [422, { status: "error", message: NOT_FOUND }];
      if (chat.chat_status !== "ongoing") {
        return [400, { status: "error", message: "Chat has ended." }];
      }
      if (typeof b.content !== "string") {
        return [400, { status: "error", message: "Invalid request format." }];
      }
      const now = Date.now();
      chat.messages.push({
        message_id: fake.newId("msg"),
        role: "user",
        content: b.content,
        created_timestamp: now,
      });
      const reply = {
        message_id: fake.newId("msg"),
        role: "agent",
        content: fake.replyTo(b.content, chat),
        created_timestamp: now,
      };
      chat.messages.push(reply);
      return [201, { messages: [reply] }];
    });
    this.route("GET", "/get-chat/:id", ({ params, fake, account }) => {
      const chat = fake.chatOf(account, params.id);
      if (!chat) return [422, { status: "error", message: NOT_FOUND }];
      return [200, {
        ...publicChat(chat),
        transcript: chat.messages.map((m) =>
          `${m.role === "user" ? "User" : "Agent"}: ${m.content}\n`
        )
          .join(""),
      }];
    });
    this.route("PATCH", "/end-chat/:id", ({ params, fake, account }) => {
      const chat = fake.chatOf(account, params.id);
      if (!chat) return [422, { status: "error", message: NOT_FOUND }];
      chat.chat_status = "ended";
      chat.end_timestamp = Date.now();
      return new Response(null, { status: 204 });
    });
    this.route("GET", "/get-chat-agent/:id", ({ params, account }) => {
      if (!account.chatAgents.has(params.id)) {
        return [422, { status: "error", message: NOT_FOUND }];
      }
      return [200, {
        agent_id: params.id,
        response_engine: { type: "retell-llm", llm_id: "llm_test" },
        last_modification_timestamp: Date.now(),
      }];
    });
    this.route("GET", "/get-agent/:id", ({ params, account }) => {
      if (!account.voiceAgents.has(params.id)) {
        return [422, { status: "error", message: NOT_FOUND }];
      }
      return [200, {
        agent_id: params.id,
        version: 0,
        voice_id: "11labs-Adrian",
        response_engine: { type: "retell-llm", llm_id: "llm_test" },
        last_modification_timestamp: Date.now(),
      }];
    });
    this.route("GET", "/get-api-key-info", ({ account }) => [200, {
      api_key_name: "test",
      org_name: account.orgName,
    }]);
    this.route("POST", "/v2/list-agents", ({ req, body, account }) => {
      const channel = (body as { filter_criteria?: { channel?: { value?: string } } })
        ?.filter_criteria?.channel?.value;
      const items = [
        ...[...account.voiceAgents].map((id) => ({ id, channel: "voice" as const })),
        ...[...account.chatAgents].map((id) => ({ id, channel: "chat" as const })),
      ].filter((a) => !channel || a.channel === channel).map((a) => ({
        agent_id: a.id,
        agent_name: `Agent ${a.id}`,
        channel: a.channel,
        tags: {},
        user_modified_timestamp: 0,
      }));
      return [200, page(items, new URL(req.url))];
    });
    this.route("GET", "/v2/list-phone-numbers", ({ req, account }) => {
      const items = [...account.phoneNumbers].map((n) => ({
        phone_number: n,
        phone_number_type: "retell-twilio",
        nickname: `Line ${n.slice(-4)}`,
        last_modification_timestamp: 0,
      }));
      return [200, page(items, new URL(req.url))];
    });
    this.route("GET", "/get-phone-number/:number", ({ params, account }) => {
      if (!account.phoneNumbers.has(params.number)) {
        return [422, { status: "error", message: NOT_FOUND }];
      }
      return [200, {
        phone_number: params.number,
        phone_number_type: "retell-twilio",
        last_modification_timestamp: 0,
      }];
    });
  }
}

/** Starts a fake Retell server. */
export async function startFakeRetell(apiKey?: string): Promise<FakeRetell> {
  return await new FakeRetell(apiKey).start();
}

/** One page of a Retell list (`limit`, `pagination_key` = the offset as a string). */
function page<T>(items: T[], url: URL) {
  const limit = Math.max(1, Number(url.searchParams.get("limit") ?? 1000) || 1000);
  const offset = Number(url.searchParams.get("pagination_key") ?? 0) || 0;
  const slice = items.slice(offset, offset + limit);
  const more = offset + limit < items.length;
  return {
    items: slice,
    has_more: more,
    ...(more ? { pagination_key: String(offset + limit) } : {}),
  };
}

function publicChat(chat: FakeChat) {
  const { messages, ...rest } = chat;
  return { ...rest, message_with_tool_calls: messages };
}

function matches(match: RequestMatch, path: string): boolean {
  if (match === undefined) return true;
  return typeof match === "string" ? match === path : match.test(path);
}

function toResponse(result: RouteResult): Response {
  if (result instanceof Response) return result;
  if (Array.isArray(result)) return Response.json(result[1], { status: result[0] });
  return Response.json(result);
}

/** Waits `ms`; resolves true when `signal` aborted first. */
function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(true);
    }, { once: true });
  });
}
