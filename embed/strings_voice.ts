/**
 * @module The words of the voice options and the call screen (the rest are in `strings.ts`): in
 * the voice chunk, so the chat does not download them.
 */

/** Strings of the voice screens. */
export const voiceStrings = {
  voiceTitle: "Continue by voice",
  voiceIntro: "We'll pick up right where this chat left off.",
  phoneLabel: "Your phone number",
  phonePlaceholder: "+1 555 123 4567",
  phoneInvalid: "Enter your number with its country code, like +1 555 123 4567.",
  countryLabel: "Country",
  countryNotOffered: (names: string) => `We can only call numbers in ${names}.`,
  callMeSubmit: "Call me",
  callBrowser: "Call in the browser",
  callBrowserHint: "Uses your microphone",
  or: "or",
  calling: (phone: string) => `Calling ${phone}…`,
  connecting: "Connecting…",
  connected: "Connected",
  inBrowser: "In your browser",
  duration: "Call duration",
  callEnded: "Call ended",
  callFailed: "The call could not be connected.",
  endCall: "End call",
  backToChat: "Back to chat",
  mute: "Mute microphone",
  unmute: "Unmute microphone",
  captionsLabel: "Live captions",
  captionsWaiting: "Captions will appear here as you talk.",
  micDenied:
    "Your browser blocked the microphone. To talk in the browser, allow microphone access for this site (the icon in the address bar), or ask us to call your phone instead.",
  micMissing: "No microphone was found. Plug one in, or ask us to call your phone instead.",
  voiceUnavailable: "Voice calls aren't available right now. You can keep chatting here.",
  // Before any call, when the widget's owner set a notice (voiceConsentText) to agree to.
  consentTitle: "Before we call",
  consentAgree: "Agree and call",
};

export type VoiceStrings = typeof voiceStrings;
