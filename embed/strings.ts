/**
 * @module Every word the widget shows, ready for translation: here, and the voice screens' in
 * `strings_voice.ts` (apart only so the chat does not download them). Functions take the values
 * they interpolate, so word order can change per language.
 */

/**
 * Strings of the loader (host page). The loader bundles none of them: `/embed/config` answers
 * them in the page's language (`loaderLabels`), so a new language costs the page nothing.
 */
export const loaderStrings = {
  open: "Open chat",
  close: "Close chat",
  /** The closed launcher while replies wait; `n` is the count, already formatted. */
  unread: (n: string) => `Open chat, ${n} unread`,
  /** The close button of the teaser bubble. */
  dismiss: "Dismiss message",
};

export type LoaderStrings = typeof loaderStrings;

/** Strings of the chat frame. */
export const frameStrings = {
  online: "Online · replies instantly",
  voiceMode: "On a voice call",
  handoff: "Talk to a person",
  human: (name?: string) => name ? `${name} is replying` : "A person will reply here",
  typingName: (name: string) => `${name} is typing`,
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
  returnToCall: "Return to call",
  callInProgress: "Call in progress",
  voiceFailed: "We couldn't start the call. Please try again in a moment.",
  unavailable: "This chat isn't available right now.",
  moreOptions: "More options",
};

export type FrameStrings = typeof frameStrings;
