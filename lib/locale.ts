/**
 * @module The languages the widget speaks and how a BCP 47 tag maps onto them: shared by the
 * server (the frame's `lang` and `dir`, stored system messages) and the frame (which strings to
 * load). English is built in; the others are loaded only by visitors who use them.
 */

/** Every supported locale, English first (the fallback for any missing key). */
export const LOCALES = ["en", "es", "fr", "de", "it", "pt", "nl", "ja", "zh", "ar", "he"] as const;

/** A supported locale. */
export type Locale = typeof LOCALES[number];

/** Locales written right to left. */
export const RTL_LOCALES: readonly Locale[] = ["ar", "he"];

/**
 * The supported locale a BCP 47 tag asks for, by its primary language (`pt-BR` → `pt`,
 * `zh-Hant-TW` → `zh`; `iw`, the old code for Hebrew, → `he`), or undefined.
 */
export function matchLocale(tag: string | null | undefined): Locale | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  const wanted = primary === "iw" ? "he" : primary;
  return LOCALES.find((l) => l === wanted);
}

/**
 * The locale to use: the first of `preferences` (the page's or widget's setting, then the
 * browser's languages in order) that we speak, else English.
 */
export function pickLocale(preferences: readonly (string | null | undefined)[]): Locale {
  for (const tag of preferences) {
    const locale = matchLocale(tag);
    if (locale) return locale;
  }
  return "en";
}

/** The languages of an `Accept-Language` header, most preferred first. */
export function acceptedLanguages(header: string | null | undefined): string[] {
  if (!header) return [];
  return header.split(",").map((part, i) => {
    const [tag, ...params] = part.trim().split(";");
    const q = Number(params.find((p) => p.trim().startsWith("q="))?.trim().slice(2) ?? 1);
    return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, i };
  }).filter((l) => l.tag && l.tag !== "*" && l.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i).map((l) => l.tag);
}

/** `"rtl"` for right-to-left locales, else `"ltr"`. */
export function directionOf(locale: Locale): "rtl" | "ltr" {
  return RTL_LOCALES.includes(locale) ? "rtl" : "ltr";
}
