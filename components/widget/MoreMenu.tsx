/**
 * @module The header's "More options" menu (WAI-ARIA menu button pattern: the first item takes the
 * focus, arrows, Home and End move, Escape and Tab close, the focus goes back to the button) with
 * "Talk to a person" (while it is on offer; in the header it crowded out the widget's title),
 * "Download transcript" and "Delete my conversation", whose confirmation is a modal alert dialog
 * that keeps the focus inside until it is answered.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import {
  deleteEverything,
  downloadTranscript,
  type ExtrasHost,
  transcript,
} from "../../embed/extras.ts";
import { frameStrings as S } from "../../embed/strings.ts";
import { extrasStrings as X } from "../../embed/strings_extras.ts";
import { Icon } from "./icons.tsx";

/** Props of the menu. */
export interface MoreMenuProps {
  controller: ExtrasHost;
  /** "Talk to a person", while the AI handles it and nobody was asked yet. */
  onHandoff?: () => void;
  /** The menu (or its dialog) is done. */
  onClose: () => void;
}

/** The header's button that opens the menu, where the focus returns. */
const BUTTON = "pw-more";

/** Moves the focus among `items` for a menu key; true when the key was one. */
function moveFocus(e: KeyboardEvent, items: HTMLElement[]): boolean {
  const at = items.indexOf(document.activeElement as HTMLElement);
  const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[e.key];
  if (to === undefined) return false;
  items[(to + items.length) % items.length]?.focus();
  return true;
}

const PERSON = "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0";
const DOWNLOAD = "M12 4v11m0 0-4.5-4.5M12 15l4.5-4.5M5 19h14";
const TRASH = "M4 7h16M10 11v6m4-6v6M6 7l1 12a2 2 0 0 0 2 2h6a2 2 0 0 0 2-2l1-12M9 7V4h6v3";

const icon = (d: string) => <Icon d={d} size={18} />;

/** The menu under the header, then (for deletion) its confirmation. */
export function MoreMenu(props: MoreMenuProps) {
  const c = props.controller;
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const menu = useRef<HTMLDivElement>(null);
  const dialog = useRef<HTMLDivElement>(null);
  const hasSession = !!c.model.session.value;
  // Fetched as the menu opens, so saving it needs no request after the click (see transcript).
  useEffect(() => {
    if (hasSession) transcript(c).catch(() => {});
  }, []);

  const close = (refocus = true) => {
    props.onClose();
    if (refocus) setTimeout(() => document.getElementById(BUTTON)?.focus());
  };

  useEffect(() => {
    (confirming ? dialog : menu).current?.querySelector<HTMLElement>(
      confirming ? ".btn-ghost" : "[role=menuitem]:not([aria-disabled=true])",
    )?.focus();
  }, [confirming]);

  // A press outside the open menu closes it (the dialog is modal: its backdrop does nothing).
  useEffect(() => {
    if (confirming) return;
    const outside = (e: PointerEvent) => {
      const t = e.target as Node;
      if (!menu.current?.contains(t) && !document.getElementById(BUTTON)?.contains(t)) {
        close(false);
      }
    };
    addEventListener("pointerdown", outside);
    return () => removeEventListener("pointerdown", outside);
  }, [confirming]);

  const download = async () => {
    if (!hasSession) return;
    close();
    try {
      await downloadTranscript(c);
    } catch {
      c.model.notice.value = X.downloadFailed;
    }
  };

  const remove = async () => {
    setBusy(true);
    setError("");
    try {
      await deleteEverything(c);
      props.onClose();
      setTimeout(() => document.querySelector<HTMLElement>(".composer textarea")?.focus());
    } catch {
      setError(X.deleteFailed);
      setBusy(false);
    }
  };

  if (confirming) {
    return (
      <div class="modal">
        <div
          ref={dialog}
          class="dialog"
          role="alertdialog"
          aria-modal="true"
          aria-labelledby="dl-title"
          aria-describedby="dl-body"
          onKeyDown={(e) => {
            if (e.key === "Escape") {
              e.stopPropagation();
              close();
            } else if (e.key === "Tab") {
              // Modal: the focus stays among the dialog's own buttons.
              const items = [...dialog.current!.querySelectorAll<HTMLElement>("button")];
              const edge = e.shiftKey ? items[0] : items[items.length - 1];
              if (document.activeElement === edge) {
                e.preventDefault();
                (e.shiftKey ? items[items.length - 1] : items[0]).focus();
              }
            }
          }}
        >
          <span class="dialog-icon" aria-hidden="true">{icon(TRASH)}</span>
          <h2 id="dl-title">{X.deleteTitle}</h2>
          <p id="dl-body">{X.deleteBody}</p>
          {error && <p class="form-error" role="alert">{error}</p>}
          <div class="dialog-actions">
            <button type="button" class="btn btn-ghost" onClick={() => close()}>{S.cancel}</button>
            <button
              type="button"
              class="btn btn-danger"
              aria-disabled={busy}
              onClick={() => !busy && remove()}
            >
              {busy && <span class="spinner" aria-hidden="true" />}
              {X.deleteYes}
            </button>
          </div>
        </div>
      </div>
    );
  }

  return (
    <div
      ref={menu}
      id="pw-menu"
      class="menu"
      role="menu"
      aria-labelledby={BUTTON}
      onKeyDown={(e) => {
        const items = [...menu.current!.querySelectorAll<HTMLElement>("[role=menuitem]")];
        if (moveFocus(e, items)) e.preventDefault();
        else if (e.key === "Escape") {
          e.stopPropagation();
          close();
        } else if (e.key === "Tab") close(false);
      }}
    >
      {props.onHandoff && (
        <button
          type="button"
          role="menuitem"
          tabIndex={-1}
          onClick={() => (close(), props.onHandoff!())}
        >
          {icon(PERSON)}
          {S.handoff}
        </button>
      )}
      <button
        type="button"
        role="menuitem"
        tabIndex={-1}
        aria-disabled={!hasSession}
        onClick={download}
      >
        {icon(DOWNLOAD)}
        {X.download}
      </button>
      <button
        type="button"
        role="menuitem"
        tabIndex={-1}
        class="menu-danger"
        onClick={() => setConfirming(true)}
      >
        {icon(TRASH)}
        {X.deleteChat}
      </button>
    </div>
  );
}
