/**
 * @module The embed snippets of a widget (plain, after the page has loaded, and with a pre-set
 * configuration), with copy buttons.
 */
import type { WidgetRow } from "../../db/schema.ts";
import { DEFAULT_WELCOME } from "../../contract/defaults.ts";
import { Island } from "./Island.tsx";

/** A JSON literal safe to paste inside a `<script>` element. */
function jsLiteral(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(
    /\u2028|\u2029/g,
    (ch) => ch === "\u2028" ? "\\u2028" : "\\u2029",
  );
}

/** `<script src=".../embed/widget.js?id=ID" async></script>` */
export function plainSnippet(origin: string, widgetId: string): string {
  return `<script src="${origin}/embed/widget.js?id=${widgetId}" async></script>`;
}

/**
 * The loader inserted once the page has loaded and its first paint is on screen (a paint timing
 * entry; three seconds at most for a page that never paints content): the chat then costs the
 * page's first paint nothing at all, which Lighthouse's simulated LCP can see (it charges an
 * `async` script that arrives before the first paint). `load` alone is not enough: in headless
 * Chromium a small page's first paint is presented after `load`. For a page's own HTML; a tag
 * manager, which runs later anyway, takes the plain tag.
 */
export function afterLoadSnippet(origin: string, widgetId: string): string {
  return [
    "<script>",
    '  addEventListener("load", () => {',
    "    let s;",
    "    const insert = () => {",
    "      if (s) return;",
    '      s = document.createElement("script");',
    `      s.src = ${jsLiteral(`${origin}/embed/widget.js?id=${widgetId}`)};`,
    "      document.body.append(s);",
    "    };",
    '    new PerformanceObserver(insert).observe({ type: "paint", buffered: true });',
    "    setTimeout(insert, 3000);",
    "  });",
    "</script>",
  ].join("\n");
}

/** The pre-set form: `window.rtlChatWidget = {widgetId, config}` before the loader. */
export function presetSnippet(origin: string, widget: WidgetRow): string {
  const config = {
    position: widget.position,
    themeColor: widget.themeColor,
    headerText: widget.headerText,
    welcomeMessage: widget.welcomeMessage ?? DEFAULT_WELCOME,
    autoOpen: widget.autoOpen,
    width: widget.width,
    height: widget.height,
    // SPEC v2.5's options, only where the owner set them: a default need not be pasted.
    ...widget.locale ? { locale: widget.locale } : {},
    ...widget.colorScheme !== "light" ? { colorScheme: widget.colorScheme } : {},
    ...widget.hideLauncher ? { hideLauncher: true } : {},
    ...widget.teaser ? { teaser: widget.teaser } : {},
  };
  const lines = Object.entries(config).map(([k, v]) => `      ${k}: ${jsLiteral(v)}`);
  return [
    "<script>",
    "  window.rtlChatWidget = {",
    `    widgetId: ${jsLiteral(widget.id)},`,
    "    config: {",
    lines.join(",\n"),
    "    }",
    "  };",
    "</script>",
    `<script src="${origin}/embed/widget.js" async></script>`,
  ].join("\n");
}

/** A button of the owner's own that opens the chat, for a widget without the launcher. */
export function openButtonSnippet(headerText: string): string {
  const label = headerText.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
  return `<button type="button" onclick="rtlChatWidget.open()">${label}</button>`;
}

/** A titled code block with a copy button. */
export function Snippet(
  { id, title, hint, code }: { id: string; title: string; hint: string; code: string },
) {
  return (
    <div class="snippet">
      <div class="snippet-head">
        <div>
          <h3 id={`${id}-title`}>{title}</h3>
          <p class="hint">{hint}</p>
        </div>
        <Island name="CopyButton" props={{ text: code, label: "Copy code" }} />
      </div>
      <pre
        class="code"
        id={id}
        aria-labelledby={`${id}-title`}
        tabIndex={0}
      ><code>{code}</code></pre>
    </div>
  );
}

/** Both snippets, for a saved widget. */
export function EmbedCode({ origin, widget }: { origin: string; widget: WidgetRow }) {
  return (
    <section class="card" aria-labelledby="embed-title" id="embed">
      <h2 id="embed-title">Embed code</h2>
      <p class="muted">
        Paste this before <code>&lt;/body&gt;</code> on every page that should show the widget.
      </p>
      <Snippet
        id="snippet-plain"
        title="Script tag"
        hint="Uses the settings saved here; changes apply without touching your site."
        code={plainSnippet(origin, widget.id)}
      />
      <Snippet
        id="snippet-after-load"
        title="After the page has loaded"
        hint="The chat waits until your page has loaded and is on screen, so it costs your page's own loading nothing (Lighthouse included); the launcher shows a moment later."
        code={afterLoadSnippet(origin, widget.id)}
      />
      <Snippet
        id="snippet-preset"
        title="With settings in the page"
        hint="Settings written in the page win over the saved ones for look and placement."
        code={presetSnippet(origin, widget)}
      />
      {widget.hideLauncher && (
        <Snippet
          id="snippet-open"
          title="Your own chat button"
          hint="The launcher is hidden: put a button like this anywhere on the page to open the chat."
          code={openButtonSnippet(widget.headerText)}
        />
      )}
    </section>
  );
}
