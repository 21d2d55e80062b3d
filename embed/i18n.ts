/**
 * @module The frame's language. English is bundled; another locale is a small module of its own
 * (`/embed/locale-xx.js`, built from `embed/locales/`) that the server names in the frame page as
 * `<link rel="modulepreload" data-locale>` (so it costs no extra round trip). Its strings fill in
 * over English key by key. The chat's bundle carries no table of locales at all.
 */
import type { FrameStrings, LoaderStrings } from "./strings.ts";
import type { VoiceStrings } from "./strings_voice.ts";

/** One locale's words: any key left out falls back to English. */
export interface Translation {
  /** The launcher's and teaser's labels, which the server hands the loader (`/embed/config`). */
  loader: Partial<LoaderStrings>;
  frame: Partial<FrameStrings>;
  voice: Partial<VoiceStrings>;
}

/**
 * The page's locale module, if it is not English; an empty translation if it cannot load. The
 * extras chunk loads its own words the same way, naming their module (`""` for English).
 */
export async function translation<T = Partial<Translation>>(
  // No document when the voice chunk runs in unit tests.
  href = globalThis.document?.querySelector<HTMLLinkElement>("link[data-locale]")?.href,
): Promise<T> {
  try {
    return href ? (await import(href)).default : {} as T;
  } catch {
    // A locale that cannot load leaves the chat in English rather than not at all.
    return {} as T;
  }
}
