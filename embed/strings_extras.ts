/**
 * @module The words of the pre-chat form, the rating and the header menu's screens (SPEC v2.4):
 * in the extras chunk, so a chat that never shows them does not download them.
 */

/** Strings of the pre-chat form, the rating, the transcript download and self-deletion. */
export const extrasStrings = {
  formTitle: "Before we start",
  formIntro: "Tell us a little about yourself so we can help you better.",
  requiredNote: "Fields marked * are required.",
  nameLabel: "Name",
  emailLabel: "Email",
  phoneLabel: "Phone number",
  phoneHint: "With the country code, like +1 555 123 4567",
  nameRequired: "Please enter your name.",
  emailRequired: "Please enter your email address.",
  emailInvalid: "Enter an email address like name@example.com.",
  phoneRequired: "Please enter your phone number.",
  phoneInvalid: "Enter your number with its country code, like +1 555 123 4567.",
  oneRequired: "Please fill in at least one of these fields.",
  consentRequired: "Please agree to continue.",
  startChat: "Start the chat",
  formFailed: "We couldn't send your details. Please try again.",
  rateTitle: "How was this conversation?",
  rateLabel: "Your rating",
  stars: (n: number) => n === 1 ? "1 star" : `${n} stars`,
  score1: "Very poor",
  score2: "Poor",
  score3: "Okay",
  score4: "Good",
  score5: "Excellent",
  commentLabel: "Anything to add? (optional)",
  commentPlaceholder: "Tell us what went well or what we could do better…",
  rateSubmit: "Send feedback",
  rateSkip: "Skip",
  rateChoose: "Choose a number of stars first.",
  rateThanks: "Thank you for your feedback!",
  rateThanksSub: "It helps us get better.",
  alreadyRated: "You've already rated this conversation. Thank you!",
  rateFailed: "We couldn't send your rating. Please try again.",
  newChat: "Start a new conversation",
  download: "Download transcript",
  downloadFailed: "We couldn't download the transcript. Please try again.",
  deleteChat: "Delete my conversation",
  deleteTitle: "Delete your conversation?",
  deleteBody:
    "Your messages, calls and the details you gave us will be deleted for good. This can't be undone.",
  deleteYes: "Delete",
  deleted: "Your conversation was deleted.",
  deleteFailed: "We couldn't delete your conversation. Please try again.",
};

export type ExtrasStrings = typeof extrasStrings;
