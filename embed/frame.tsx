/**
 * @module The chat frame's entry (`/embed/widget-frame.js`): reads the widget's configuration that
 * the server inlined in the page, applies the page's overrides and the theme, waits for the host
 * page's `init` (which says, through the browser, who embeds the frame), renders the widget and
 * starts the conversation. Opened top-level instead of in a frame, it only shows a notice.
 */
import { render } from "preact";
import { signal } from "@webreflection/signal";
import type { PublicWidgetConfig } from "../contract/wire.ts";
import ChatWidget from "../islands/widget/ChatWidget.tsx";
import { ChatController } from "./controller.ts";
import { Api } from "./api.ts";
import { createStore, type Store } from "./store.ts";
import { type Bridge, connectHost } from "./bridge.ts";
import { keepTabInside } from "./focus_trap.ts";
import { translation } from "./i18n.ts";
import { frameStrings } from "./strings.ts";

const MAX_CHARS = 4000;

const params = new URLSearchParams(location.search);
/** The configuration the server inlined, with the theme it worked out (page colour included). */
interface FrameConfig extends
  Pick<
    PublicWidgetConfig,
    "id" | "headerText" | "welcomeMessage" | "voiceMode" | "preChatForm"
  > {
  theme: { color: string; fill: string; text: string };
}
const stored: FrameConfig = JSON.parse(
  document.getElementById("parley-config")?.textContent ?? "{}",
);
const text = (v: string | null, max: number) => v && v.trim() ? v.trim().slice(0, max) : undefined;
// The page's pre-set values win for presentation (SPEC); anything invalid is ignored.
const config: FrameConfig = {
  ...stored,
  headerText: text(params.get("headerText"), 100) ?? stored.headerText,
  welcomeMessage: text(params.get("welcomeMessage"), 1000) ?? stored.welcomeMessage,
};

const app = document.getElementById("app")!;
const focusRequest = signal(0);
let modal = false;
// The host's identity token and the page context, from `init` and any later `identify`.
const who: { token?: string; context?: Record<string, unknown> } = {};
let started = false;
let store: Store, controller: ChatController;

/** Starts the chat once the host page has said who it is (`init`). */
function boot(bridge: Bridge): void {
  const rootStyle = document.documentElement.style;
  rootStyle.setProperty("--theme", stored.theme.color);
  rootStyle.setProperty("--fill", stored.theme.fill);
  rootStyle.setProperty("--on-fill", stored.theme.text);
  const host = new URL(bridge.origin).hostname;
  // One conversation per embedding origin: siblings share the partition, never the entry.
  store = createStore(`${config.id}@${bridge.origin}`, {
    seed: bridge.state,
    mirror: (state) => bridge.send({ type: "store", state }),
  });
  const api = new Api({ base: "", widgetId: config.id, host, store, identity: () => who.token });
  controller = new ChatController({
    config,
    host,
    api,
    store,
    notify: (m) => bridge.send(m),
    maxChars: MAX_CHARS,
  });
  controller.setContext(who.context ?? {});
  bridge.send({ type: "ready" });
  started = true;
  // A verified visitor is `u_<sub>`: remembered state of anyone else (an anonymous visitor, or
  // the person who used this browser before) is not theirs to see.
  const expected = who.token && "u_" + subjectOf(who.token);
  const saved = store.load().visitorId;
  if (saved && (expected ? saved !== expected : saved.startsWith("u_"))) forget();
  controller.start();
  render(
    <ChatWidget
      controller={controller}
      title={config.headerText}
      voiceMode={config.voiceMode}
      maxChars={MAX_CHARS}
      onClose={() => bridge.send({ type: "close" })}
      focusRequest={focusRequest}
    />,
    app,
  );
}

function forget() {
  store.save({
    visitorId: undefined,
    visitorKey: undefined,
    sealedVisitor: undefined,
    token: undefined,
    expiresAt: undefined,
    sessionId: undefined,
  });
}

/** The `sub` of a JWT, read without verifying (the server verifies). */
function subjectOf(token: string): string {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return String(JSON.parse(atob(part)).sub ?? "");
  } catch {
    return "";
  }
}

if (parent !== window) {
  keepTabInside(() => modal);
  // Listening starts now, before anything is awaited: the loader answers our `hello` with `init`.
  const bridge = connectHost((msg) => {
    switch (msg.type) {
      case "init":
      case "identify":
        // Someone else signed in (or out) on the page: start afresh as them.
        if (started && msg.token !== who.token) forget(), location.reload();
        who.token = msg.token;
        who.context = msg.context;
        controller?.setContext(msg.context);
        break;
      case "open":
        modal = msg.modal;
        if (msg.focus) focusRequest.value++;
        break;
      case "close":
        break;
      default:
        msg satisfies never;
    }
  });
  // The visitor's language (a preloaded module, or nothing for English) before the first paint.
  Promise.all([bridge, translation()]).then(([b, t]) => {
    Object.assign(frameStrings, t.frame);
    boot(b);
  });
} else {
  // Opened as a page of its own (a link to our origin): nothing from the URL is shown, no visitor
  // or session is made. The server answers such navigations with this notice already; this covers
  // browsers that do not say how a page is requested (`Sec-Fetch-Dest`).
  app.textContent = frameStrings.unavailable;
}
