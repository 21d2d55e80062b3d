/**
 * @module A tiny cookie-keeping client for admin page tests: it keeps the cookies the app sets,
 * sends the same-origin `Origin` a browser sends on form posts, and reads CSRF tokens from pages.
 */
import type { TestApp } from "../../helpers/test_app.ts";
import { uniqueEmail } from "../../helpers/test_app.ts";

/** The app's origin in `app.request()` tests. */
export const ORIGIN = "http://parley.test";

/** Options of a form post. */
export interface PostOptions {
  /** `undefined`: the token of the last page read; `null`: none. */
  csrf?: string | null;
  /** `undefined`: our own origin; `null`: no Origin header. */
  origin?: string | null;
}

/** The `_csrf` value of a page, if any. */
export function csrfOf(html: string): string | undefined {
  return /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
}

/** A browser-like session against the in-process app. */
export class AdminSession {
  readonly cookies = new Map<string, string>();
  /** The CSRF token of the last HTML page read. */
  csrf?: string;
  /** The raw `Set-Cookie` lines of the last response. */
  lastSetCookie: string[] = [];

  constructor(readonly t: TestApp) {}

  #remember(res: Response): void {
    this.lastSetCookie = res.headers.getSetCookie();
    for (const line of this.lastSetCookie) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim(), value = pair.slice(eq + 1).trim();
      if (!value || /max-age=0/i.test(line)) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  #cookieHeader(): Record<string, string> {
    if (this.cookies.size === 0) return {};
    return { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ") };
  }

  /** GET a page; remembers cookies and the page's CSRF token. */
  async get(path: string, headers: Record<string, string> = {}): Promise<Response> {
    const res = await this.t.request(path, { headers: { ...this.#cookieHeader(), ...headers } });
    this.#remember(res);
    return res;
  }

  /** GET a page and read its HTML (status checked by the caller). */
  async page(path: string): Promise<{ res: Response; html: string }> {
    const res = await this.get(path);
    const html = await res.text();
    this.csrf = csrfOf(html) ?? this.csrf;
    return { res, html };
  }

  /** POST a urlencoded form, as a browser does. */
  async post(
    path: string,
    form: Record<string, string>,
    options: PostOptions = {},
  ): Promise<Response> {
    const body = new URLSearchParams(form);
    const csrf = options.csrf === undefined ? this.csrf : options.csrf;
    if (csrf !== null && csrf !== undefined) body.set("_csrf", csrf);
    const origin = options.origin === undefined ? ORIGIN : options.origin;
    const res = await this.t.request(path, {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        ...(origin ? { origin } : {}),
        ...this.#cookieHeader(),
      },
      body,
      redirect: "manual",
    });
    this.#remember(res);
    return res;
  }
}

/** Signs up through the pages; returns the signed-in session. */
export async function signUp(
  t: TestApp,
  options: { email?: string; organizationName?: string } = {},
): Promise<AdminSession & { email: string }> {
  const s = new AdminSession(t) as AdminSession & { email: string };
  s.email = options.email ?? uniqueEmail();
  await s.page("/admin/signup");
  const res = await s.post("/admin/signup", {
    email: s.email,
    password: "correct horse battery",
    organizationName: options.organizationName ?? "Acme",
  });
  if (res.status !== 303) throw new Error(`signup failed: ${res.status} ${await res.text()}`);
  await s.page("/admin/agents");
  return s;
}

/** Creates an agent through the form; returns its id (read back from the API list). */
export async function createAgentByForm(
  s: AdminSession,
  fields: Record<string, string> = {},
): Promise<string> {
  await s.page("/admin/agents/new");
  const res = await s.post("/admin/agents", { name: "Helper", ...fields });
  if (res.status !== 303) throw new Error(`agent failed: ${res.status} ${await res.text()}`);
  const list = await s.page("/admin/agents");
  const ids = [...list.html.matchAll(/href="\/admin\/agents\/([0-9a-f-]{36})"/g)].map((m) => m[1]);
  return ids.at(-1)!;
}

/** A complete widget form (every option), with overrides. */
export function widgetForm(agentId: string, overrides: Record<string, string> = {}) {
  return {
    name: "Main site",
    agentId,
    themeColor: "#ff5500",
    headerText: "Ask us",
    welcomeMessage: "Hi there",
    allowedDomains: "example.com\n*.shop.example",
    isActive: "true",
    position: "top-left",
    width: "400px",
    height: "80vh",
    autoOpen: "true",
    voiceMode: "web",
    ...overrides,
  };
}

/** Creates a widget through the form; returns its id (from the redirect). */
export async function createWidgetByForm(
  s: AdminSession,
  agentId: string,
  overrides: Record<string, string> = {},
): Promise<string> {
  await s.page("/admin/widgets/new");
  const res = await s.post("/admin/widgets", widgetForm(agentId, overrides));
  const location = res.headers.get("location") ?? "";
  const id = /^\/admin\/widgets\/([0-9a-f-]{36})\?notice=created$/.exec(location)?.[1];
  if (res.status !== 303 || !id) {
    throw new Error(`widget failed: ${res.status} ${location} ${await res.text()}`);
  }
  return id;
}

/** A Bearer token for the JSON API, as the inbox islands get it (`POST /admin/token`). */
export async function apiToken(s: AdminSession): Promise<string> {
  const res = await s.t.request("/admin/token", {
    method: "POST",
    headers: {
      cookie: `parley_admin=${s.cookies.get("parley_admin")}`,
      "x-csrf-token": s.csrf!,
      origin: ORIGIN,
    },
  });
  if (res.status !== 200) throw new Error(`token failed: ${res.status}`);
  return (await res.json()).token;
}
