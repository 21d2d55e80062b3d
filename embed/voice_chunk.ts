/**
 * @module The voice chunk of the chat frame: call logic and its two screens, fetched by dynamic
 * import when the visitor first opens the voice options (the chat itself never pays for them).
 */
export { VoiceCalls } from "./voice_calls.ts";
export { VoicePanel } from "../components/widget/VoicePanel.tsx";
export { VoiceInterface } from "../components/widget/VoiceInterface.tsx";
