/**
 * @module What the voice options remember while the call screen ("Calling…") stands in for them:
 * the refusal to show when they come back (the panel that asked was unmounted meanwhile) and the
 * number the visitor typed. Module state of the frame's realm, in the voice chunk.
 */
let pending: string | null = null;

/** Keeps a refusal for the voice options that mount next. */
export function carryVoiceError(error: string | null): void {
  pending = error;
}

/** The refusal kept for these voice options (once). */
export function takeVoiceError(): string | null {
  const error = pending;
  pending = null;
  return error;
}

/** The number last typed in the phone field. */
export const typed = { phone: "", country: "" };
