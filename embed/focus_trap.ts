/**
 * @module Tab containment for the phone layout: there the chat covers the whole page, so a Tab
 * past its last control would land, unseen, on the page hidden behind it (WCAG 2.4.3, 2.4.7).
 * Escape still closes the chat, so this is no keyboard trap (WCAG 2.1.2).
 */

const FOCUSABLE = "button,textarea,input,select,a[href],[tabindex='0']";

/** While `active()` is true, Tab and Shift+Tab wrap around the frame's visible controls. */
export function keepTabInside(active: () => boolean): void {
  addEventListener("keydown", (e) => {
    if (e.key != "Tab" || !active()) return;
    const all = [...document.querySelectorAll<HTMLButtonElement>(FOCUSABLE)].filter((el) =>
      !el.disabled && el.offsetWidth
    );
    const first = all[0], last = all[all.length - 1];
    const edge = e.shiftKey ? first : last;
    if (!edge || document.activeElement == edge) {
      e.preventDefault();
      (e.shiftKey ? last : first)?.focus();
    }
  });
}
