/**
 * @module The live preview beside the widget form: an iframe of our own preview page, which runs
 * the real loader (`/embed/widget.js`) with a pre-set `window.rtlChatWidget` config. Every edit in
 * the form is posted to that page (same origin, origin and source checked there), which re-mounts
 * the widget with the new presentation options before anything is saved.
 */
import { useEffect, useRef } from "preact/hooks";
import { useSignal } from "@preact/signals";

/** Props of `WidgetPreview`. */
export interface WidgetPreviewProps {
  previewUrl: string;
  formId: string;
  active: boolean;
}

/** The message the editor posts to the preview page. */
export interface PreviewConfigMessage {
  type: "parley:preview-config";
  config: PreviewConfig;
  /** Show the page as a visitor first sees it (chat closed, the teaser out) instead of the chat. */
  teaser?: boolean;
}

/** The presentation options the preview page mounts the loader with. */
export type PreviewConfig = Record<
  string,
  string | boolean | { text: string; delaySeconds: number }
>;

/** The languages the frame speaks (as `lib/locale.ts` lists them; no import, to stay small). */
const LOCALES = ["en", "es", "fr", "de", "it", "pt", "nl", "ja", "zh", "ar", "he"];

const POSITIONS = ["bottom-right", "bottom-left", "top-right", "top-left"];

/**
 * The pre-set config the form describes right now. A value the browser would not accept is left
 * to the saved one (the server validates with the API's schema on save; zod stays out of this
 * bundle, and the browser's own `CSS.supports` is the better judge of a length here).
 */
export function configFromForm(form: HTMLFormElement): PreviewConfig {
  const data = new FormData(form);
  const text = (name: string) => String(data.get(name) ?? "").trim();
  const config: PreviewConfig = {
    autoOpen: data.has("autoOpen"),
    hideLauncher: data.has("hideLauncher"),
    // "The visitor's browser" previews in this browser's language, as a visitor like you sees it.
    locale: LOCALES.includes(text("locale"))
      ? text("locale")
      : LOCALES.find((l) => navigator.language.toLowerCase().split("-")[0] === l) ?? "en",
  };
  if (["light", "dark", "auto"].includes(text("colorScheme"))) {
    config.colorScheme = text("colorScheme");
  }
  if (text("teaserText")) {
    config.teaser = { text: text("teaserText").slice(0, 140), delaySeconds: 0 };
  }
  if (POSITIONS.includes(text("position"))) config.position = text("position");
  if (/^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(text("themeColor"))) {
    config.themeColor = text("themeColor");
  }
  if (text("headerText")) config.headerText = text("headerText").slice(0, 100);
  if (text("welcomeMessage")) config.welcomeMessage = text("welcomeMessage").slice(0, 1000);
  for (const size of ["width", "height"]) {
    if (/^\d/.test(text(size)) && CSS.supports("width", text(size))) config[size] = text(size);
  }
  return config;
}

/**
 * The sample page is rendered at a real device size and scaled down to fit the column, so the
 * widget shows its desktop layout (a floating window) rather than its phone layout (full screen,
 * below 480px), and the phone layout on demand.
 */
const DEVICES = {
  desktop: { label: "Desktop", width: 560, height: 760 },
  phone: { label: "Phone", width: 375, height: 720 },
} as const;
type Device = keyof typeof DEVICES;
const MAX_STAGE_HEIGHT = 620;

/** The preview frame, kept in step with the form. */
export default function WidgetPreview({ previewUrl, formId, active }: WidgetPreviewProps) {
  const frame = useRef<HTMLIFrameElement>(null);
  const stage = useRef<HTMLDivElement>(null);
  const device = useSignal<Device>("desktop");
  const stageWidth = useSignal(438);
  useEffect(() => {
    const el = stage.current;
    if (!el) return;
    const observer = new ResizeObserver(() => stageWidth.value = el.clientWidth);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  useEffect(() => {
    const form = document.getElementById(formId);
    if (!(form instanceof HTMLFormElement)) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    // While the owner edits the teaser, the preview shows it (chat closed); any other field
    // brings the chat back.
    let teaser = false;
    const post = () => {
      const message: PreviewConfigMessage = {
        type: "parley:preview-config",
        config: configFromForm(form),
        teaser,
      };
      frame.current?.contentWindow?.postMessage(message, location.origin);
    };
    const send = (event?: Event) => {
      const name = (event?.target as HTMLInputElement | null)?.name;
      if (name) teaser = name.startsWith("teaser");
      clearTimeout(timer);
      // A short pause so that typing a word re-mounts the widget once, not once per key.
      timer = setTimeout(post, 200);
    };
    const iframe = frame.current;
    form.addEventListener("input", send);
    form.addEventListener("change", send);
    // Unsaved edits survive a reload of the frame.
    // The preview page waits for this first message before it mounts the widget.
    const reload = () => post();
    iframe?.addEventListener("load", reload);
    return () => {
      clearTimeout(timer);
      form.removeEventListener("input", send);
      form.removeEventListener("change", send);
      iframe?.removeEventListener("load", reload);
    };
  }, [formId]);
  const size = DEVICES[device.value];
  const scale = Math.min(1, stageWidth.value / size.width, MAX_STAGE_HEIGHT / size.height);
  const left = Math.max(0, (stageWidth.value - size.width * scale) / 2);
  return (
    <div class="preview">
      <div class="preview-bar">
        <span class="preview-dots" aria-hidden="true">
          <i />
          <i />
          <i />
        </span>
        <span class="preview-title">Live preview</span>
        {!active && <span class="badge badge-amber">Inactive</span>}
        <span class="segmented" role="group" aria-label="Preview size">
          {(Object.keys(DEVICES) as Device[]).map((d) => (
            <button
              key={d}
              type="button"
              aria-pressed={device.value === d}
              onClick={() => device.value = d}
            >
              {DEVICES[d].label}
            </button>
          ))}
        </span>
      </div>
      <div
        class="preview-stage"
        ref={stage}
        data-device={device.value}
        style={{ height: `${Math.round(size.height * scale)}px` }}
      >
        <iframe
          ref={frame}
          class="preview-frame"
          src={previewUrl}
          title="Live preview of the widget on a sample page"
          style={{
            width: `${size.width}px`,
            height: `${size.height}px`,
            transform: `scale(${scale})`,
            left: `${left}px`,
          }}
        />
      </div>
      <p class="preview-note">
        {active
          ? "Follows your edits as you type. Messages you send here start a real conversation."
          : "This widget is inactive: visitors do not see it, and the preview cannot start a chat."}
      </p>
    </div>
  );
}
