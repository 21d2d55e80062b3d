/**
 * @module The teaser (`/embed/teaser.js`): a small bubble beside the launcher with the owner's
 * text, in the widget's shadow root. A bundle of its own that the loader imports only when a
 * teaser is configured and its delay has passed, so `widget.js` pays for one `import()` and pages
 * without a teaser download nothing more. The loader owns the decisions (whether, when, what a
 * click or a dismissal does); this module only draws the bubble.
 */

/** The widget's options the teaser reads (the loader's, page config over stored). */
export interface TeaserWidget {
  /** The owner's words (plain text; line breaks kept). */
  teaser?: { text: string } | null;
  /** `light` (default), `dark` or `auto`. */
  colorScheme?: string;
}

// Compact by hand, like the loader's: the minifier leaves strings alone. The card's colours pass
// WCAG AA in both schemes (text 17.7:1 and 14:1, the close icon 7.6:1 and 5.8:1), checked by axe.
const CSS =
  `.t{position:fixed;display:flex;align-items:flex-start;gap:2px;box-sizing:border-box;max-width:min(300px,100vw - 40px);padding:4px;border-radius:16px;background:#fff;color:#111827;box-shadow:0 12px 32px #0002,0 2px 6px #0001,0 0 0 1px #0000000f;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;animation:tin .35s cubic-bezier(.2,.9,.3,1.2)}.tt{all:unset;flex:1;padding:10px 0;padding-inline:12px 4px;border-radius:12px;cursor:pointer;white-space:pre-line;overflow-wrap:anywhere}.tx{all:unset;flex:none;display:grid;place-items:center;width:28px;height:28px;margin:2px;border-radius:50%;color:#4b5563;cursor:pointer}.tx:hover{background:#f3f4f6;color:#111827}.tx svg{width:14px}.tt:focus-visible,.tx:focus-visible{outline:2px solid currentColor;outline-offset:-2px}@keyframes tin{from{opacity:0;transform:translateY(calc(var(--d) / 2)) scale(.97)}}`;
const DARK =
  `.t{background:#1f2937;color:#f9fafb;box-shadow:0 12px 32px #0006,0 0 0 1px #ffffff1f}.tx{color:#9ca3af}.tx:hover{background:#374151;color:#f9fafb}`;
const X =
  `<svg viewBox="0 0 14 14" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" aria-hidden="true"><path d="M3 3l8 8M11 3l-8 8"/></svg>`;

/**
 * Shows the teaser in the widget's shadow root and returns what removes it. Positional
 * arguments, as the loader has them: their names would cost bytes on every page.
 * @param labels The launcher's labels in the page's language (`dismiss`: the close button).
 * @param place Pins an element to the launcher's corner, `offset` px from its edge.
 * @param open The visitor clicked the bubble: open the chat.
 * @param dismissed The visitor closed the bubble.
 */
export default function showTeaser(
  root: ShadowRoot,
  widget: TeaserWidget,
  labels: { dismiss: string },
  place: (el: HTMLElement, offset: number) => void,
  open: () => void,
  dismissed: () => void,
): () => void {
  const scheme = widget.colorScheme;
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(
    CSS +
      (scheme === "dark"
        ? DARK
        : scheme === "auto"
        ? `@media (prefers-color-scheme:dark){${DARK}}`
        : "") +
      "@media (prefers-reduced-motion:reduce){.t{animation:none}}",
  );
  root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  const card = document.createElement("div");
  card.className = "t";
  card.dataset.teaser = "";
  // The owner's language may not be the page's: the text sets the direction (and the close
  // button's side) itself.
  card.dir = "auto";
  const body = document.createElement("button");
  body.className = "tt";
  body.textContent = widget.teaser!.text;
  const close = document.createElement("button");
  close.className = "tx";
  close.ariaLabel = labels.dismiss;
  close.innerHTML = X;
  card.append(body, close);
  place(card, 88);
  root.append(card);

  const remove = () => {
    card.remove();
    root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
  };
  const dismiss = () => {
    // Focus on the bubble would fall to the page: hand it to the launcher beside it.
    const hadFocus = card.contains(root.activeElement);
    remove();
    if (hadFocus) root.querySelector<HTMLElement>(".l")?.focus();
    dismissed();
  };
  body.onclick = open;
  close.onclick = dismiss;
  // A block: returning `false` from a handler property would cancel Enter on the buttons.
  card.onkeydown = (e) => {
    if (e.key === "Escape") dismiss();
  };
  return remove;
}
