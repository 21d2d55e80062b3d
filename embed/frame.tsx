/**
 * @module The chat frame's entry (`/embed/widget-frame.js`): reads the widget's configuration that
 * the server inlined in the page, applies the page's overrides and the theme, connects to the host
 * page, renders the widget and starts the conversation.
 */
import { render } from "preact";
import { signal } from "@preact/signals-core";
import type { PublicWidgetConfig } from "../contract/wire.ts";
import ChatWidget from "../islands/widget/ChatWidget.tsx";
import { ChatController } from "./controller.ts";
import { Api } from "./api.ts";
import { createStore } from "./store.ts";
import { createBridge, hostPage } from "./bridge.ts";
import { keepTabInside } from "./focus_trap.ts";
import { translation } from "./i18n.ts";
import { frameStrings } from "./strings.ts";

const MAX_CHARS = 4000;

const params = new URLSearchParams(location.search);
/** The configuration the server inlined, with the theme it worked out (page colour included). */
interface FrameConfig
  extends Pick<PublicWidgetConfig, "id" | "headerText" | "welcomeMessage" | "voiceMode"> {
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

const rootStyle = document.documentElement.style;
rootStyle.setProperty("--theme", stored.theme.color);
rootStyle.setProperty("--fill", stored.theme.fill);
rootStyle.setProperty("--on-fill", stored.theme.text);

const { origin, host } = hostPage(params);
const focusRequest = signal(0);
let modal = false;
keepTabInside(() => modal);
// The loader sends the host's identity token and the page context once the frame is ready; the
// visitor is authenticated only after that (or after a pause, when no loader speaks to us).
let identified: (token?: string) => void;
const identity = new Promise<string | undefined>((resolve) => {
  identified = resolve;
  setTimeout(resolve, 3000);
});
const who: { token?: string } = {};
const bridge = createBridge(origin, (msg) => {
  switch (msg.type) {
    case "identify":
      // Someone else signed in (or out) on the page: start afresh as them.
      if (started && msg.token !== who.token) forget(), location.reload();
      identified(msg.token);
      controller.setContext(msg.context);
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
const store = createStore(config.id, {
  seed: (() => {
    try {
      return decodeURIComponent(location.hash.slice(1));
    } catch {
      return "";
    }
  })(),
  mirror: (state) => bridge.send({ type: "store", state }),
});
const api = new Api({ base: "", widgetId: config.id, host, store, identity: () => who.token });
const controller = new ChatController({
  config,
  host,
  api,
  store,
  notify: (m) => bridge.send(m),
  maxChars: MAX_CHARS,
});

// The visitor's language first (a preloaded module, or nothing for English), then the first paint.
Object.assign(frameStrings, (await translation()).frame);
render(
  <ChatWidget
    controller={controller}
    title={config.headerText}
    voiceMode={config.voiceMode}
    maxChars={MAX_CHARS}
    onClose={() => bridge.send({ type: "close" })}
    focusRequest={focusRequest}
  />,
  document.getElementById("app")!,
);
bridge.send({ type: "ready" });
let started = false;
who.token = await identity;
started = true;
// A verified visitor is `u_<sub>`: remembered state of anyone else (an anonymous visitor, or the
// person who used this browser before) is not theirs to see.
const expected = who.token && "u_" + subjectOf(who.token);
const saved = store.load().visitorId;
if (saved && (expected ? saved !== expected : saved.startsWith("u_"))) forget();
controller.start();

function forget() {
  store.save({
    visitorId: undefined,
    visitorKey: undefined,
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
