/**
 * @module The extras chunk of the chat frame (SPEC v2.4): the pre-chat form, the rating and the
 * header menu's screens, fetched by dynamic import only when one is needed (a widget with a
 * form, an ended conversation, the menu opened), so the chat itself never pays for them.
 */
import { type ExtrasStrings, extrasStrings } from "./strings_extras.ts";
import { translation } from "./i18n.ts";

// Before any of these screens renders: the visitor's language over the English defaults. These
// words are a module of their own per language (`/embed/extras-xx.js`, built from
// `embed/locales/extras/`), not part of the locale module every chat preloads.
const lang = globalThis.document?.documentElement.lang;
Object.assign(
  extrasStrings,
  await translation<Partial<ExtrasStrings>>(lang && lang != "en" ? `/embed/extras-${lang}.js` : ""),
);

export { deleteEverything, done, downloadTranscript } from "./extras.ts";
export { PreChatForm } from "../components/widget/PreChatForm.tsx";
export { RatingPanel } from "../components/widget/RatingPanel.tsx";
export { MoreMenu } from "../components/widget/MoreMenu.tsx";

// The extras' stylesheet, before any of these screens renders (so none shows unstyled): the
// module finishes loading once it applies, or failed. Its colours follow the page's light or dark
// scheme through `light-dark()`, so it needs no dark twin.
await new Promise<void>((resolve) => {
  if (!globalThis.document) return resolve();
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = "/embed/widget-extras.css";
  link.onload = link.onerror = () => resolve();
  document.head.append(link);
});
