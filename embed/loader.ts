/**
 * @module The loader: the only script a host page pays for until the visitor opens the chat
 * (budget 3 KB gzipped, checked by tests). It adds a launcher in a shadow root, creates the chat
 * frame on first open, and replaces `window.rtlChatWidget` with the API object. No dependencies, no
 * other globals, all state in this closure; included twice, it still makes one widget.
 */
import { type FrameToHost, type HostToFrame, PROTOCOL } from "./protocol.ts";
import { loaderStrings as S } from "./strings.ts";

type EventName = "open" | "close" | "message" | "modeChange" | "ready";
type Handler = (detail?: unknown) => void;

/** Presentation options; the page's pre-set values win over the stored configuration. */
interface Options {
  position: string;
  themeColor: string;
  headerText: string;
  welcomeMessage?: string;
  /** BCP 47 tag; the frame picks the nearest language it speaks, else the browser's. */
  locale?: string;
  /** "light" (default), "dark", or "auto" (the visitor's system setting). */
  colorScheme?: string;
  autoOpen: boolean;
  width: string;
  height: string;
  zIndex: number;
}

const PATH = "/embed/widget.js";
const MARK = Symbol.for("parley.widget");
const EVENTS = ["open", "close", "message", "modeChange", "ready"];
const HEX = /^#([\da-f]{3}){1,2}$/i;

// Compact by hand: the minifier does not touch CSS inside strings.
const CSS =
  `:host{all:initial}.l{position:fixed;width:56px;height:56px;padding:0;border:0;border-radius:50%;background:var(--c);color:var(--i);cursor:pointer;display:grid;place-items:center;box-shadow:0 6px 20px #0004;transition:.2s}svg{grid-area:1/1;width:28px;transition:.25s}.x,:host([open]) .b{opacity:0;transform:rotate(90deg) scale(.5)}:host([open]) .x{opacity:1;transform:none}.n{position:absolute;top:-3px;right:-3px;min-width:8px;padding:0 6px;border-radius:10px;background:#e11d48;color:#fff;font:600 12px/20px sans-serif}.n:empty{display:none}iframe{position:fixed;width:min(var(--w),100vw - 32px);height:min(var(--h),100dvh - 116px);border:0;border-radius:18px;background:#fff;box-shadow:0 24px 64px #0004;opacity:0;visibility:hidden;transform:translateY(var(--d)) scale(.96);transition:.25s ease-out}:host([open][ready]) iframe{opacity:1;visibility:visible;transform:none}@media (max-width:480px){iframe{inset:var(--vt,0) 0 auto!important;width:100%;height:var(--vh,100dvh);border-radius:0}:host([open][ready]) .l{display:none}}@media (prefers-reduced-motion:reduce){*{transition:none!important}}`;
const HTML =
  `<button class="l" aria-expanded="false"><svg class="b" viewBox="0 0 24 24" fill="currentColor"><path d="M4 3h16a2 2 0 012 2v11a2 2 0 01-2 2H9l-5 4V5a2 2 0 012-2z"/></svg><svg class="x" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"><path d="M6 9l6 6 6-6"/></svg><span class="n"></span></button>`;

// deno-lint-ignore no-console -- the page owner's only feedback for a misconfigured embed
const warn = (msg: string) => console.warn("Parley: " + msg);

/** WCAG: white icons need 3:1 on the launcher (non-text contrast), else near-black. */
function iconColor(hex: string): string {
  const n = parseInt((hex.length < 5 ? hex.replace(/\w/g, "$&$&") : hex).slice(1), 16);
  // sRGB decoded with the plain 2.2 power (within 1 % of the exact curve above black).
  const l = [n >> 16, (n >> 8) & 255, n & 255].map((c) => (c / 255) ** 2.2);
  // 1.05 / (L + 0.05) >= 3  ⇔  L <= 0.3
  return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2] <= 0.3 ? "#fff" : "#111827";
}

function boot(): void {
  const w = window as unknown as { rtlChatWidget?: Record<PropertyKey, unknown> };
  const preset = w.rtlChatWidget;
  if (preset?.[MARK]) return;
  let script = document.currentScript as HTMLScriptElement | null;
  // An injected or very old async load may have no currentScript: find ours by path.
  if (!script?.src?.includes(PATH)) {
    script = [...document.scripts].find((s) => s.src.includes(PATH)) ?? null;
  }
  const src = new URL(script!.src);
  const origin = src.origin;
  const id = src.searchParams.get("id") ?? preset?.widgetId as string;
  if (!id) {
    // widget.js?id=… or window.rtlChatWidget = {widgetId} (bytes count here: README explains)
    throw new Error("Parley: no widget id");
  }
  const page = { ...preset?.config as Partial<Options> };

  const handlers: Record<string, Handler[]> = {};
  const key = "parley:" + id;
  let saved: { o?: boolean; u?: number } = {};
  try {
    saved = JSON.parse(sessionStorage[key] ?? "{}");
  } catch { /* storage blocked: state lasts one page */ }
  let open = false, ready = false, dead = false, wantFocus = false, unread = saved.u ?? 0;
  let host: HTMLElement | undefined, root: ShadowRoot, launcher: HTMLElement, badge: HTMLElement;
  let frame: HTMLIFrameElement | undefined, options: Options;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let corner: (el: HTMLElement, offset: number) => void;

  const attr = (name: string, on: boolean) => host?.toggleAttribute(name, on);
  // What the frame asks us to keep when its own storage is refused (the `store` message): no
  // bearer token, and useless under another origin.
  const kept = (v?: string) => {
    try {
      return v == null ? localStorage[key] : localStorage[key] = v;
    } catch { /* storage blocked */ }
  };
  // Nothing is stored on the visitor's device until the chat has been opened (SPEC v2.4).
  const save = () => {
    if (frame) {
      try {
        sessionStorage[key] = JSON.stringify({ o: open, u: unread });
      } catch { /* see above */ }
    }
  };
  const emit = (name: string, detail?: unknown) => {
    for (const h of handlers[name] ?? []) {
      try {
        h(detail);
      } catch (err) {
        // A broken page handler must not break the widget; the page still sees its error.
        reportError(err);
      }
    }
  };
  const post = (msg: HostToFrame) =>
    frame?.contentWindow?.postMessage({ ...msg, ns: PROTOCOL }, origin);
  // The host's identity token and page context reach the frame by message, never in its URL.
  let idToken = preset?.identityToken as string | undefined, ctx = {};
  const identify = () =>
    post({
      type: "identify",
      token: idToken,
      context: {
        ...ctx,
        page_url: location.origin + location.pathname,
        page_title: document.title,
      },
    });
  const setUnread = (n: number) => {
    unread = n;
    badge.textContent = n ? n > 99 ? "99+" : "" + n : "";
    launcher.ariaLabel = (open ? S.close : S.open) + (n ? S.unread(n) : "");
    save();
  };
  // Focus moves into the chat only when the visitor asked (launcher, API); never on autoOpen.
  const show = () => {
    if (wantFocus) frame!.focus();
    post({ type: "open", focus: wantFocus, modal: matchMedia("(max-width:480px)").matches });
  };

  function ensureFrame(): void {
    if (frame || dead) return;
    // Presentation only: who embeds the frame reaches it through `init`, and nothing that proves
    // the visitor is ever in the page (the frame keeps that first-party).
    const q = new URLSearchParams({ id: id as string });
    for (
      const k of ["themeColor", "headerText", "welcomeMessage", "locale", "colorScheme"] as const
    ) {
      if (page[k] != null) q.set(k, "" + page[k]);
    }
    frame = document.createElement("iframe");
    frame.src = `${origin}/embed/widget-frame.html?` + q;
    frame.title = options.headerText;
    frame.allow = "microphone; autoplay";
    corner(frame, 92);
    // The frame says `ready` once it renders; silence after loading means it was refused
    // (frame-ancestors) or broke.
    frame.onload = () => {
      post({ type: "init", state: kept() });
      if (!ready) timer = setTimeout(() => !ready && unavailable("the chat did not start"), 4000);
    };
    root.append(frame);
  }

  function setOpen(next: boolean, focus: boolean): void {
    if (dead || next === open) return;
    open = next;
    // Before the configuration arrives the wish is kept; `mount` applies and announces it.
    wantFocus = focus;
    if (!host) return;
    attr("open", open);
    launcher.ariaExpanded = String(open);
    if (open) {
      ensureFrame();
      if (ready) show();
    } else {
      post({ type: "close" });
      if (focus || document.activeElement === host) launcher.focus();
    }
    setUnread(open ? 0 : unread);
    emit(open ? "open" : "close");
  }

  function unavailable(reason: string): void {
    warn(reason);
    host!.dataset.state = "unavailable";
    host!.style.setProperty("display", "none", "important");
  }

  const onMessage = (e: MessageEvent) => {
    const m: FrameToHost = e.data;
    if (e.origin !== origin || !frame || e.source !== frame.contentWindow) return;
    if ((m as { ns?: string })?.ns !== PROTOCOL) return;
    switch (m.type) {
      case "ready":
        ready = true;
        clearTimeout(timer);
        attr("ready", true);
        host!.dataset.state = "ready";
        identify();
        if (open) show();
        emit("ready");
        break;
      case "close":
        setOpen(false, true);
        break;
      case "message":
        if (!open && m.message.senderType !== "user") setUnread(unread + 1);
        emit("message", m.message);
        break;
      case "modeChange":
        emit("modeChange", m.mode);
        break;
      case "unavailable":
        unavailable(m.reason);
        break;
      case "store":
        kept(m.state);
        break;
      default:
        m satisfies never;
    }
  };

  // Phones: follow the visual viewport so the on-screen keyboard never covers the input.
  const vv = globalThis.visualViewport;
  const onViewport = () => {
    host?.style.setProperty("--vh", vv!.height + "px");
    host?.style.setProperty("--vt", vv!.offsetTop + "px");
  };

  function mount(stored: Options): void {
    if (dead || host) return;
    options = { ...stored, ...page };
    if (!HEX.test(options.themeColor)) options.themeColor = stored.themeColor;
    host = document.createElement("parley-widget");
    const color = options.themeColor;
    // Inline !important beats any page rule aimed at our element; setProperty cannot be escaped.
    host.style.cssText = "all:initial!important;position:fixed!important;z-index:" +
      (options.zIndex ?? 2147483000) + "!important";
    for (
      const [k, v] of [["--c", color], ["--i", iconColor(color)], ["--w", options.width], [
        "--h",
        options.height,
      ]]
    ) host.style.setProperty(k, v);
    host.dataset.pos = options.position;
    // The corner as inline offsets: `bottom-left` → bottom and left.
    const [y, x] = /^(top|bottom)-(left|right)$/.test(options.position)
      ? options.position.split("-")
      : ["bottom", "right"];
    corner = (el, offset) =>
      el.style.cssText = `${y}:${offset}px;${x}:20px;--d:${y < "c" ? 16 : -16}px`;
    root = host.attachShadow({ mode: "open" });
    // A constructed stylesheet, which a page's strict `style-src` CSP does not block (a <style>
    // element would be). The markup is static and our own: nothing from the page or server.
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
    root.innerHTML = HTML;
    launcher = root.firstChild as HTMLElement;
    corner(launcher, 20);
    badge = launcher.lastChild as HTMLElement;
    launcher.onclick = () => setOpen(!open, true);
    root.addEventListener("keydown", (e) => {
      if ((e as KeyboardEvent).key === "Escape" && open) setOpen(false, true);
    });
    vv?.addEventListener("resize", onViewport);
    if (vv) onViewport();
    document.body.append(host);
    setUnread(unread);
    const start = open || (saved.o ?? options.autoOpen);
    open = false;
    if (start) setOpen(true, wantFocus);
  }

  const api: Record<PropertyKey, unknown> = {
    widgetId: id,
    config: page,
    open: () => setOpen(true, true),
    close: () => setOpen(false, false),
    toggle: () => setOpen(!open, true),
    // Another person: the frame starts afresh as them (an unopened chat waits for open).
    identify(token: string) {
      idToken = token;
      identify();
    },
    setContext(context: object) {
      ctx = context;
      identify();
    },
    on(name: EventName, fn: Handler) {
      if (!EVENTS.includes(name) || typeof fn !== "function") {
        throw new TypeError("Parley: on(" + EVENTS + ")");
      }
      (handlers[name] ??= []).push(fn);
      // A late `ready` listener still hears it.
      if (name === "ready" && ready) fn();
      return api;
    },
    off(name: EventName, fn: Handler) {
      handlers[name] = handlers[name]?.filter((h) => h !== fn);
      return api;
    },
    destroy() {
      dead = true;
      clearTimeout(timer);
      removeEventListener("message", onMessage);
      vv?.removeEventListener("resize", onViewport);
      host?.remove();
      if (w.rtlChatWidget === api) delete w.rtlChatWidget;
    },
    [MARK]: true,
  };
  w.rtlChatWidget = api;
  addEventListener("message", onMessage);

  fetch(`${origin}/embed/config/${encodeURIComponent(id)}`)
    .then((r) => r.ok ? r.json() : Promise.reject(Error("HTTP " + r.status)))
    .then((stored: Options) => {
      if (document.body) mount(stored);
      else addEventListener("DOMContentLoaded", () => mount(stored));
    })
    .catch((err: Error) => warn(`${id} did not load: ${err.message}`));
}

boot();
