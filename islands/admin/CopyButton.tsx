/** @module A button that copies a text (the embed snippet) to the clipboard and says so. */
import { useSignal } from "@preact/signals";
import { Icon } from "../../components/admin/icons.tsx";

/** Props of `CopyButton`. */
export interface CopyButtonProps {
  text: string;
  label?: string;
}

/** Copies `text`; falls back to selecting a hidden textarea where the Clipboard API is refused. */
export default function CopyButton({ text, label = "Copy" }: CopyButtonProps) {
  const state = useSignal<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      state.value = "copied";
    } catch {
      const area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.append(area);
      area.select();
      // execCommand is deprecated but is the only fallback when the Clipboard API is refused.
      state.value = document.execCommand("copy") ? "copied" : "failed";
      area.remove();
    }
    setTimeout(() => state.value = "idle", 2000);
  }
  const copied = state.value === "copied";
  return (
    <button type="button" class="btn btn-secondary btn-sm copy-button" onClick={copy}>
      <Icon name={copied ? "check" : "copy"} size={16} />
      <span aria-live="polite">
        {copied ? "Copied" : state.value === "failed" ? "Press Ctrl+C" : label}
      </span>
    </button>
  );
}
