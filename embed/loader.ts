/**
 * @module The loader: the only script a host page pays for until the visitor opens the chat
 * (budget 3 KB gzipped, checked by tests). It adds a launcher in a shadow root, creates the chat
 * frame on first open, and gives the page an API object per widget: `window.parley.get(widgetId)`,
 * and `window.rtlChatWidget` for the first. No dependencies, all state in this closure; one
 * widget per widget id, however often the script is included. What the server can work out
 * (labels in the page's language, the icon's colour) comes with `/embed/config`, and the teaser is
 * a module of its own (`teaser.ts`), so neither weighs on pages that do not need it.
 */
import { type FrameToHost, type HostToFrame, PROTOCOL } from "./protocol.ts";
import type { Launcher } from "../contract/responses.ts";
import type showTeaser from "./teaser.ts";

type EventName =
  | "open"
  | "close"
  | "message"
  | "modeChange"
  | "ready"
  | "unread"
  | "callStart"
  | "callEnd";
type Handler = (detail?: unknown) => void;
type Api = Record<PropertyKey, unknown>;
/** `window.parley`: each widget's API by widget id. */
interface Registry {
  get(widgetId: string): Api | undefined;
  [MARK]?: Record<string, Api>;
}

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
  /** No launcher: the page opens the chat through the API (its own button). */
  hideLauncher?: boolean;
  /** A bubble beside the launcher after `delaySeconds`, until the visitor opens or closes it. */
  teaser?: { text: string; delaySeconds?: number } | null;
}

const PATH = "/embed/widget.js";
const MARK = Symbol.for("parley.widget");
const EVENTS = [
  "open",
  "close",
  "message",
  "modeChange",
  "ready",
  "unread",
  "callStart",
  "callEnd",
];

// Compact by hand: the minifier does not touch CSS inside strings.
const CSS =
  `.l{position:fixed;width:56px;height:56px;padding:0;border:0;border-radius:50%;background:var(--c);color:var(--i);cursor:pointer;display:grid;place-items:center;box-shadow:0 6px 20px #0004;transition:.2s}svg{grid-area:1/1;width:28px;transition:.25s}.x,:host([open]) .b{opacity:0;transform:rotate(90deg) scale(.5)}:host([open]) .x{opacity:1;transform:none}.n{position:absolute;top:-3px;right:-3px;min-width:8px;padding:0 6px;border-radius:10px;background:#e11d48;color:#fff;font:600 12px/20px sans-serif}.n:empty{display:none}iframe{position:fixed;width:min(var(--w),100vw - 32px);height:min(var(--h),100dvh - 116px);border:0;border-radius:18px;background:#fff;box-shadow:0 24px 64px #0004;opacity:0;visibility:hidden;transform:translateY(var(--d)) scale(.96);transition:.25s ease-out}:host([open][ready]) iframe{opacity:1;visibility:visible;transform:none}@media (max-width:480px){iframe{inset:var(--vt,0) 0 auto!important;width:100%;height:var(--vh,100dvh);border-radius:0}:host([open][ready]) .l{display:none}}@media (prefers-reduced-motion:reduce){*{transition:none!important}}`;
const HTML =
  `<button class="l" aria-expanded="false"><svg class="b" viewBox="0 0 24 24" fill="currentColor"><path d="M4 3h16a2 2 0 012 2v11a2 2 0 01-2 2H9l-5 4V5a2 2 0 012-2z"/></svg><svg class="x" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round"><path d="M6 9l6 6 6-6"/></svg><span class="n"></span></button>`;

// deno-lint-ignore no-console -- the page owner's only feedback for a misconfigured embed
const warn = (msg: string) => console.warn("Parley: " + msg);

function boot(): void {
  const w = window as unknown as { rtlChatWidget?: Api; parley?: Registry };
  // One registry for every copy of this script on the page (each runs its own closure).
  const registry: Registry = w.parley ??= { get: (k) => registry[MARK]![k] };
  const all = registry[MARK] ??= {};
  const preset = w.rtlChatWidget;
  // Our own tag; a tag manager that runs our text inside its own script: the first one of ours.
  const src = new URL(
    [document.currentScript as HTMLScriptElement, ...document.scripts].find((s) =>
      s?.src?.includes(PATH)
    )!.src,
  );
  const origin = src.origin;
  const id = src.searchParams.get("id") ?? preset?.widgetId as string;
  if (!id) {
    // widget.js?id=… or window.rtlChatWidget = {widgetId} (bytes count here: README explains)
    throw Error("Parley: no widget id");
  }
  if (all[id]) return;
  // The pre-set object belongs to the widget it names (or, naming none, to the first to run).
  const mine = preset && !preset[MARK] && (preset.widgetId ?? id) == id;
  const page = { ...mine && preset.config as Partial<Options> };
  // The page's presentation options, for the frame's URL and for `/embed/config` (which reads
  // the locale and colour): who embeds the frame reaches it through `init`, and nothing that
  // proves the visitor is ever in the page (the frame keeps that first-party).
  const q = new URLSearchParams({ id });
  for (
    const k of ["themeColor", "headerText", "welcomeMessage", "locale", "colorScheme"] as const
  ) {
    if (page[k] != null) q.set(k, "" + page[k]);
  }

  const handlers: Record<string, Handler[]> = {};
  const key = "parley:" + id;
  // `o`/`u`: open and unread, once the chat has been opened; `t`: no teaser in this tab any more
  // (the visitor dismissed it, or has opened the chat).
  let saved: { o?: boolean; u?: number; t?: 1 } = {};
  let open = false, ready = false, dead = false, wantFocus = false, unread = 0, hide = false;
  let host: HTMLElement | undefined, root: ShadowRoot, launcher: HTMLElement, badge: HTMLElement;
  let frame: HTMLIFrameElement | undefined, options: Options, labels: Launcher["labels"];
  // The teaser's delay until the chat first opens, then the frame's time to say `ready`.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let corner: (el: HTMLElement, offset: number) => void, untease: (() => void) | undefined;
  // What had focus when the chat opened: closing returns it there when there is no launcher.
  let back: Element | null;

  // Reads (no value) or writes this widget's entry; blocked storage: state lasts one page.
  const keep = (area: "localStorage" | "sessionStorage", v?: string) => {
    try {
      return v == null ? globalThis[area][key] : globalThis[area][key] = v;
    } catch { /* storage blocked */ }
  };
  try {
    saved = JSON.parse(keep("sessionStorage") ?? "{}");
  } catch { /* not ours */ }
  // Nothing is stored on the visitor's device until the chat has been opened (SPEC v2.4).
  const save = () => frame && keep("sessionStorage", JSON.stringify({ o: open, u: unread, t: 1 }));
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
  let idToken = mine ? preset.identityToken as string : undefined, ctx = {};
  const who = () => ({
    token: idToken,
    context: {
      ...ctx,
      page_url: location.origin + location.pathname,
      page_title: document.title,
    },
  });
  const identify = () => post({ type: "identify", ...who() });
  const setUnread = (n: number) => {
    if (n != unread) emit("unread", n);
    unread = n;
    badge.textContent = n ? n > 99 ? "99+" : "" + n : "";
    launcher.ariaLabel = n
      ? labels.unread.replace("{n}", "" + n)
      : open
      ? labels.close
      : labels.open;
    save();
  };
  // Focus moves into the chat only when the visitor asked (launcher, API); never on autoOpen.
  const show = () => {
    if (wantFocus) frame!.focus();
    post({ type: "open", focus: wantFocus, modal: matchMedia("(max-width:480px)").matches });
  };

  function ensureFrame(): void {
    if (frame || dead) return;
    frame = document.createElement("iframe");
    frame.src = `${origin}/embed/widget-frame.html?` + q;
    frame.title = options.headerText;
    frame.allow = "microphone; autoplay";
    // Above the launcher, or in its place when there is none.
    corner(frame, hide ? 20 : 92);
    // The frame says `ready` once it renders; silence after loading means it was refused
    // (frame-ancestors) or broke.
    frame.onload = () => {
      timer = setTimeout(() => !ready && unavailable("the chat did not start"), 4000);
    };
    root.append(frame);
  }

  function setOpen(next: boolean, focus: boolean): void {
    if (dead || next === open) return;
    open = next;
    if (open) back = document.activeElement;
    // Before the configuration arrives the wish is kept; `mount` applies and announces it.
    wantFocus = focus;
    if (!host) return;
    host.toggleAttribute("open", open);
    launcher.ariaExpanded = "" + open;
    if (open) {
      if (!frame) clearTimeout(timer), untease?.();
      ensureFrame();
      if (ready) show();
    } else {
      post({ type: "close" });
      if (focus || document.activeElement === host) {
        (hide ? back as HTMLElement : launcher)?.focus();
      }
    }
    setUnread(open ? 0 : unread);
    emit(open ? "open" : "close");
  }

  function unavailable(reason: string): void {
    warn(reason);
    host!.dataset.state = "unavailable";
    host!.style.cssText += "display:none!important";
  }

  const onMessage = (e: MessageEvent) => {
    const m: FrameToHost = e.data;
    if (e.origin !== origin || e.source !== frame?.contentWindow) return;
    if ((m as { ns?: string })?.ns !== PROTOCOL) return;
    switch (m.type) {
      // The frame's script runs (before its `load`, which waits for every subresource).
      // With the token and the page context, so the frame authenticates at once.
      case "hello":
        post({ type: "init", state: keep("localStorage"), ...who() });
        break;
      case "ready":
        ready = true;
        clearTimeout(timer);
        host!.toggleAttribute("ready");
        host!.dataset.state = "ready";
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
      case "callStart":
      case "callEnd":
        emit(m.type, m.call);
        break;
      case "unavailable":
        unavailable(m.reason);
        break;
      case "store":
        // Kept for the frame where its own storage is refused: no bearer token, and useless
        // under another origin.
        keep("localStorage", m.state);
        break;
      default:
        m satisfies never;
    }
  };

  // Phones: follow the visual viewport so the on-screen keyboard never covers the input.
  const vv = globalThis.visualViewport;
  const onViewport = () => {
    const style = host!.style;
    style.setProperty("--vh", vv!.height + "px");
    style.setProperty("--vt", vv!.offsetTop + "px");
  };

  function mount(stored: Options & { launcher: Launcher }): void {
    if (dead || host) return;
    options = { ...stored, ...page };
    const l = stored.launcher;
    labels = l.labels;
    hide = options.hideLauncher === true;
    host = document.createElement("parley-widget");
    // Inline !important beats any page rule aimed at our element. The colours come checked from
    // the server, the sizes from the widget (checked CSS lengths) or the page's own config.
    host.style.cssText = "all:initial!important;position:fixed!important;z-index:" +
      (options.zIndex ?? 2147483000) + "!important;--c:" + l.color + ";--i:" + l.iconColor +
      ";--w:" + options.width + ";--h:" + options.height;
    host.dataset.pos = options.position;
    // The corner as inline offsets: `bottom-left` → bottom and left.
    const [y, x] =
      (/^(top|bottom)-(left|right)$/.test(options.position) ? options.position : "bottom-right")
        .split("-");
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
    launcher.onclick = api.toggle as () => void;
    // Kept out of the page rather than never made: labels and the badge count stay up to date.
    if (hide) launcher.remove();
    // A block, not an expression: a handler property that returns `false` cancels the key, and
    // Enter and Space would no longer press the launcher.
    host.onkeydown = (e) => {
      if (e.key == "Escape" && open) setOpen(false, true);
    };
    vv?.addEventListener("resize", onViewport);
    if (vv) onViewport();
    document.body.append(host);
    setUnread(saved.u ?? 0);
    const t = options.teaser;
    // Once per tab: not after the chat has been opened, nor after the visitor closed it (SPEC
    // v2.5). The dismissal is the one thing stored before the chat is opened: the visitor's own
    // "not now", for this tab only (sessionStorage), holding nothing that identifies them.
    if (t?.text && !hide && !saved.t) {
      timer = setTimeout(
        () =>
          import(origin + "/embed/teaser.js").then((m: { default: typeof showTeaser }) => {
            if (!open) {
              untease = m.default(
                root,
                options,
                labels,
                corner,
                api.open as () => void,
                () => keep("sessionStorage", '{"t":1}'),
              );
            }
          }),
        t.delaySeconds! * 1e3,
      );
    }
    const start = open || (saved.o ?? options.autoOpen);
    open = false;
    if (start) setOpen(true, wantFocus);
  }

  const api: Api = {
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
        throw TypeError("Parley: on(" + EVENTS + ")");
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
      delete all[id];
      clearTimeout(timer);
      removeEventListener("message", onMessage);
      vv?.removeEventListener("resize", onViewport);
      host?.remove();
      if (w.rtlChatWidget === api) delete w.rtlChatWidget;
    },
    [MARK]: true,
  };
  all[id] = api;
  // The first widget's, unless the pre-set object there is still waiting for its own widget.
  if (!preset || mine) w.rtlChatWidget = api;
  addEventListener("message", onMessage);

  // The id is the page's own (its script URL or pre-set object) and the route public: left as
  // it is, an odd id at worst asks our server for another public path, and gets a 404.
  // The page first: until the page's first paint is on screen, no config request, launcher or
  // layout, so none of it competes with what the page shows first (Lighthouse counts what ends
  // before that paint into LCP). The paint entry, not animation frames: headless Chromium
  // presents a small page's first paint 50-150 ms after two frames have run. Loaded after the
  // first paint (the usual case for an async script on a real network), it goes at once; a page
  // that never paints content (or a browser without paint timing) waits 3 s at most.
  let asked = 0;
  const go = () =>
    asked++ || fetch(`${origin}/embed/config/${id}?${q}`)
      .then((r) => r.ok ? r.json() : Promise.reject(r.status))
      .then(mount)
      .catch((err) => warn(`${id} did not load: ${err}`));
  new PerformanceObserver(go).observe({ type: "paint", buffered: true });
  setTimeout(go, 3e3);
}

boot();
