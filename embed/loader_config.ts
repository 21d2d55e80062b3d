/**
 * @module The launcher as the server works it out for one page (`GET /embed/config`): its labels
 * in the page's language and its colours. Doing this on the server keeps the loader free of
 * strings and colour maths (bytes every host page pays for), and gives the launcher every
 * language the frame speaks at no cost to the page.
 */
import type { Launcher } from "../contract/responses.ts";
import type { Locale } from "../lib/locale.ts";
import type { Translation } from "./i18n.ts";
import { loaderStrings } from "./strings.ts";
import { contrastRatio } from "./color.ts";
import es from "./locales/es.ts";
import fr from "./locales/fr.ts";
import de from "./locales/de.ts";
import it from "./locales/it.ts";
import pt from "./locales/pt.ts";
import nl from "./locales/nl.ts";
import ja from "./locales/ja.ts";
import zh from "./locales/zh.ts";
import ar from "./locales/ar.ts";
import he from "./locales/he.ts";

const TRANSLATIONS: Record<Exclude<Locale, "en">, Translation> = {
  es,
  fr,
  de,
  it,
  pt,
  nl,
  ja,
  zh,
  ar,
  he,
};

// `#rgb` or `#rrggbb` only: the value goes into the page's CSS as is.
const HEX = /^#([\da-f]{3}){1,2}$/i;

/** White or near-black for the launcher's icon: white while it keeps 3:1 on `color`. */
export function launcherIconColor(color: string): "#ffffff" | "#111827" {
  return contrastRatio(color, "#ffffff") >= 3 ? "#ffffff" : "#111827";
}

/** The launcher for a page: `themeColor` is the page's (used when valid), `stored` the widget's. */
export function launcherFor(
  locale: Locale,
  themeColor: string | undefined,
  stored: string,
): Launcher {
  const color = [themeColor, stored].find((c) => c && HEX.test(c)) ?? "#0088FF";
  // Key by key over English, like the frame: a key a translation lacks stays readable.
  const s = { ...loaderStrings, ...(locale === "en" ? {} : TRANSLATIONS[locale].loader) };
  return {
    locale,
    color,
    iconColor: launcherIconColor(color),
    labels: { open: s.open, close: s.close, unread: s.unread("{n}"), dismiss: s.dismiss },
  };
}
