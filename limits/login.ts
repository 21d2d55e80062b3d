/**
 * @module Sign-in guesses (SPEC v2.1): counted per (email, client address), so a stranger cannot
 * lock the owner out of their own address, and per email across every address with a higher
 * threshold. A guess is counted BEFORE its password is checked, so concurrent guesses cannot
 * pass the limit together; a successful sign-in gives its guess back and clears its pair.
 */
import { HttpError } from "../lib/errors.ts";
import type { RateLimits, Spend } from "./rate_limit.ts";

function spends(email: string, address: string): Spend[] {
  return [["loginFailures", `${email}|${address}`], ["loginFailuresPerEmail", email]];
}

/** Counts one guess; the 429 to answer (whatever the password) when the pair or email is locked. */
export async function countGuess(
  limits: RateLimits,
  email: string,
  address: string,
): Promise<HttpError | undefined> {
  try {
    await limits.consumeAll(spends(email, address));
    return undefined;
  } catch (err) {
    if (err instanceof HttpError && err.status === 429) return err;
    throw err;
  }
}

/** After the right password: the pair starts afresh and the email's count gets its guess back. */
export async function forgiveGuess(
  limits: RateLimits,
  email: string,
  address: string,
): Promise<void> {
  await limits.reset("loginFailures", `${email}|${address}`);
  await limits.refund("loginFailuresPerEmail", email);
}
