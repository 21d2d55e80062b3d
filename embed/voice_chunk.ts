/**
 * @module The voice chunk of the chat frame: call logic and its two screens, fetched by dynamic
 * import when the visitor first opens the voice options (the chat itself never pays for them).
 */
import { voiceStrings } from "./strings_voice.ts";
import { translation } from "./i18n.ts";

// Before any voice screen renders: the visitor's language over the English defaults (the
// module is already loaded by the chat, so this costs no request).
Object.assign(voiceStrings, (await translation()).voice);

export { VoiceCalls, watchCalls } from "./voice_calls.ts";
export { formatDuration } from "./duration.ts";
export { VoicePanel } from "../components/widget/VoicePanel.tsx";
export { VoiceInterface } from "../components/widget/VoiceInterface.tsx";

/**
 * The voice screens' stylesheet, added when this chunk loads; resolves once it applies (or
 * failed), so the screens never show unstyled.
 */
export const stylesReady: Promise<void> = new Promise((resolve) => {
  const href = globalThis.document?.querySelector<HTMLMetaElement>(
    'meta[name="parley-voice-css"]',
  )?.content;
  if (!href) return resolve();
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  link.onload = link.onerror = () => resolve();
  document.head.append(link);
});
