/**
 * @module Consent before a call (SPEC v2.5): a widget with `voiceConsentText` places no call,
 * phone or browser, until the caller says they agreed to that text. The moment they did is kept
 * on the call, so the owner can show when a recording was agreed to.
 */
import { HttpError } from "../lib/errors.ts";

/**
 * When consent was given for a call about to be placed: `now` when the widget asks for consent and
 * the request carries `consent: true`, null when the widget asks none. Otherwise a 400
 * `consent_required`, before any budget is spent or the agent is asked.
 */
export function consentFor(
  widget: { voiceConsentText: string | null } | null,
  consent: boolean | undefined,
  now: Date = new Date(),
): Date | null {
  if (!widget?.voiceConsentText) return null;
  if (consent === true) return now;
  throw new HttpError(
    400,
    "consent_required",
    "This widget asks the caller to agree to its voice consent text first; send consent: true " +
      "once they have",
    { details: { consentText: widget.voiceConsentText } },
  );
}
