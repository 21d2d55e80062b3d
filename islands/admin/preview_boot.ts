/**
 * @module Runs inside the editor's preview frame (`/admin/widgets/:id/preview`): pre-sets
 * `page.rtlChatWidget = {widgetId, config}`, loads the real loader, and re-mounts it whenever the
 * editor posts a new config. Only our own origin's parent window is listened to.
 */
import type { PreviewConfigMessage } from "./WidgetPreview.tsx";

/** The id of the JSON element the preview page renders its initial config into. */
export const PREVIEW_CONFIG_ID = "parley-preview";

interface PreviewData {
  widgetId: string;
  config: Record<string, unknown>;
  /** How soon the preview's pass runs out (ms): a widget mounted after it might not be let in. */
  renewInMs: number;
}

interface LoaderApi {
  widgetId?: string;
  open?: () => void;
  on?: (event: string, handler: () => void) => void;
  destroy?: () => void;
}

/** The page's global object, as the loader sees it. */
const page = globalThis as unknown as { rtlChatWidget?: LoaderApi | PreviewData };

let generation = 0;
let showingTeaser = false;

// Counted on this browser's clock from when the page arrived: the server's clock may differ.
let renewAt = Infinity;

function mount(data: PreviewData, teaser = false): void {
  // A new pass comes with the page; the editor posts the unsaved edits again once it has loaded.
  if (Date.now() >= renewAt) return location.reload();
  const api = page.rtlChatWidget as LoaderApi | undefined;
  if (api && typeof api.destroy === "function") api.destroy();
  document.querySelectorAll("script[data-parley-loader]").forEach((s) => s.remove());
  // The preview shows the chat window open, whatever `autoOpen` says, unless the owner is editing
  // the teaser: then the page as a visitor first sees it, with the teaser out. The loader keeps
  // "opened" and "teaser closed" for the tab; the preview starts each mount afresh.
  sessionStorage.removeItem(`parley:${data.widgetId}`);
  const config = teaser && data.config.teaser && !data.config.hideLauncher
    ? { ...data.config, autoOpen: false }
    : { ...data.config, autoOpen: true, teaser: null };
  page.rtlChatWidget = { widgetId: data.widgetId, config };
  const script = document.createElement("script");
  // A fresh URL per mount makes the browser run the loader again after `destroy()`.
  script.src = `/embed/widget.js?preview=${++generation}`;
  script.async = true;
  script.dataset.parleyLoader = "";
  document.body.append(script);
}

/** Starts the preview from the page's JSON element. */
export function bootPreview(el: HTMLElement): void {
  const data = JSON.parse(el.textContent ?? "{}") as PreviewData;
  renewAt = Date.now() + data.renewInMs;
  // The editor posts its form's options as soon as this page has loaded: mounting before they
  // come would show the widget twice in a row. Opened on its own, the page mounts what it has.
  let mounted = false;
  const fallback = setTimeout(() => {
    mounted = true;
    mount(data);
  }, 1000);
  addEventListener("message", (event: MessageEvent<PreviewConfigMessage>) => {
    if (event.origin !== location.origin || event.source !== parent) return;
    if (event.data?.type !== "parley:preview-config") return;
    clearTimeout(fallback);
    const config = { ...data.config, ...event.data.config };
    const teaser = event.data.teaser === true;
    const same = JSON.stringify(config) === JSON.stringify(data.config) &&
      teaser === showingTeaser;
    if (mounted && same) return;
    mounted = true;
    data.config = config;
    showingTeaser = teaser;
    mount(data, teaser);
  });
}
