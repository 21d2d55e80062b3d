/**
 * @module Every word the widget shows, in one place, ready for translation. Functions take the
 * values they interpolate, so word order can change per language.
 */

/** Strings of the loader (host page); kept apart so the loader bundles only these. */
export const loaderStrings = {
  open: "Open chat",
  close: "Close chat",
  unread: (n: number) => `, ${n} unread`,
};

/** Strings of the chat frame. */
export const frameStrings = {
  online: "Online · replies instantly",
  voiceMode: "On a voice call",
  minimize: "Minimize chat",
  endChat: "End conversation",
  endChatConfirm: "End this conversation?",
  endChatYes: "End chat",
  cancel: "Cancel",
  endFailed: "We couldn't end the conversation. Please try again.",
  chatEnded: "This conversation has ended. Write a message to start a new one.",
  newConversation: "New conversation",
  messagesLabel: "Conversation",
  you: "You",
  agent: "Assistant",
  voiceTag: "Voice",
  typing: "The assistant is typing",
  loading: "Loading the conversation…",
  loadFailed: "We couldn't load the chat.",
  retry: "Try again",
  sending: "Sending…",
  notSent: "Not sent.",
  retrySend: "Retry",
  agentFailed: "The assistant couldn't answer just now. Your message was kept; try again shortly.",
  rateLimited: (s: number) => `You're sending messages quickly. Try again in ${s} s.`,
  tooLong: (max: number) => `Messages can be up to ${max} characters.`,
  inputLabel: "Message",
  inputPlaceholder: "Write a message…",
  send: "Send message",
  voiceButton: "Talk by voice",
  reconnecting: "Reconnecting…",
  offline: "You're offline. Messages will be sent when you're back.",
  poweredBy: "Powered by Parley",
  voiceTitle: "Continue by voice",
  voiceIntro: "We'll pick up right where this chat left off.",
  phoneLabel: "Your phone number",
  phonePlaceholder: "+1 555 123 4567",
  phoneInvalid: "Enter your number with its country code, like +1 555 123 4567.",
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
  returnToCall: "Return to call",
  callInProgress: "Call in progress",
  mute: "Mute microphone",
  unmute: "Unmute microphone",
  captionsLabel: "Live captions",
  captionsWaiting: "Captions will appear here as you talk.",
  micDenied:
    "Your browser blocked the microphone. To talk in the browser, allow microphone access for this site (the icon in the address bar), or ask us to call your phone instead.",
  micMissing: "No microphone was found. Plug one in, or ask us to call your phone instead.",
  voiceUnavailable: "Voice calls aren't available right now. You can keep chatting here.",
  voiceFailed: "We couldn't start the call. Please try again in a moment.",
  unavailable: "This chat isn't available right now.",
};

export type FrameStrings = typeof frameStrings;
