/**
 * @module Which numbers a widget may ring (SPEC v2.1). Phone calls are opt-in per widget, limited
 * to the countries its owner chose, and never go to numbers that cost the caller's owner more than
 * a normal call (premium rate, shared cost, UAN, personal numbers) or to international networks
 * and satellites. The types come from libphonenumber-js's full metadata (the small default set has
 * no number types).
 */
import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  parsePhoneNumberFromString,
} from "libphonenumber-js/max";
import { HttpError } from "../lib/errors.ts";
import type { VoiceMode } from "../db/schema.ts";

/** What the visitor's widget allows; `countries` undefined means any country (an admin's own call). */
export interface PhonePolicy {
  voiceMode: VoiceMode;
  countries?: readonly string[];
}

/** Number types that bill the owner at a premium or route to someone other than a subscriber. */
const REFUSED_TYPES = new Set(["PREMIUM_RATE", "SHARED_COST", "UAN", "PERSONAL_NUMBER"]);

/** International freephone and shared-cost services, and the satellite / network codes. */
const REFUSED_CALLING_CODES = new Set(["800", "808", ...range(870, 883)]);

function range(from: number, to: number): string[] {
  return Array.from({ length: to - from + 1 }, (_, i) => String(from + i));
}

const PHONE_HELP = "Enter a valid phone number with its country code, such as +14155552671";

/** The 400 for a number that is not a phone number at all. */
export function invalidPhoneNumber(details: unknown = [
  { path: "phoneNumber", message: "is not a valid phone number" },
]): HttpError {
  return new HttpError(400, "validation_failed", PHONE_HELP, { details });
}

/** True when the widget offers phone calls at all. */
export function phoneEnabled(mode: VoiceMode): boolean {
  return mode === "phone" || mode === "both";
}

/**
 * The number in E.164 when the widget may ring it; otherwise the SPEC's refusal: 403
 * `phone_not_enabled`, 400 `phone_number_not_allowed`, 403 `phone_country_not_allowed` (or 400
 * `validation_failed` when it is not a number). Nothing has been sent to Retell when it throws.
 */
export function allowedPhoneNumber(input: string, policy: PhonePolicy): string {
  if (!phoneEnabled(policy.voiceMode)) {
    throw new HttpError(403, "phone_not_enabled", "This widget does not offer phone calls");
  }
  const digits = input.replace(/[^\d+]/g, "");
  const callingCode = /^\+(8\d\d)/.exec(digits)?.[1];
  if (callingCode && REFUSED_CALLING_CODES.has(callingCode)) {
    throw notAllowed("International network and satellite numbers cannot be called", "network");
  }
  const parsed = parsePhoneNumberFromString(digits);
  if (!parsed || !parsed.isValid()) throw invalidPhoneNumber();
  const type = parsed.getType();
  if (type && REFUSED_TYPES.has(type)) {
    throw notAllowed(`${TYPE_NAMES[type]} numbers cannot be called`, type);
  }
  const country = parsed.country;
  if (policy.countries && (!country || !policy.countries.includes(country))) {
    throw new HttpError(
      403,
      "phone_country_not_allowed",
      country
        ? `Calls to ${countryName(country)} are not offered here`
        : "Calls to this number are not offered here",
      { details: { country: country ?? null, allowedCountries: policy.countries } },
    );
  }
  return parsed.number;
}

const TYPE_NAMES: Record<string, string> = {
  PREMIUM_RATE: "Premium-rate",
  SHARED_COST: "Shared-cost",
  UAN: "Universal access",
  PERSONAL_NUMBER: "Personal-number",
};

function notAllowed(message: string, type: string): HttpError {
  return new HttpError(400, "phone_number_not_allowed", message, { details: { type } });
}

const regionNames = new Intl.DisplayNames(["en"], { type: "region" });

/** "France" for "FR" (the code itself when the runtime does not know it). */
export function countryName(code: string): string {
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Why a widget's phone settings cannot be saved (SPEC v2.1), or undefined when they can. */
export function phoneCountriesProblem(
  voiceMode: VoiceMode,
  countries: readonly string[],
): string | undefined {
  return phoneEnabled(voiceMode) && countries.length === 0
    ? "must name at least one country when voiceMode offers phone calls"
    : undefined;
}

/** "1" for "US"; "" for a code libphonenumber does not know. */
export function callingCodeOf(country: string): string {
  try {
    return getCountryCallingCode(country as CountryCode);
  } catch {
    return "";
  }
}

/** Every country a phone number can belong to, by English name, for the admin's picker. */
export function phoneCountryOptions(): { code: string; name: string; callingCode: string }[] {
  return getCountries()
    .map((code) => ({ code, name: countryName(code), callingCode: getCountryCallingCode(code) }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The organization's likely country: where its outbound numbers are, else the region of the
 * browser's preferred language (`en-GB` → GB), else none.
 */
export function likelyCountry(
  fromNumbers: readonly (string | null)[],
  acceptLanguage: string | undefined,
): string | null {
  for (const number of fromNumbers) {
    const country = number ? parsePhoneNumberFromString(number)?.country : undefined;
    if (country) return country;
  }
  const region = /^[a-z]{2,3}-([A-Z]{2})\b/i.exec(acceptLanguage?.trim() ?? "")?.[1]?.toUpperCase();
  return region && getCountries().includes(region as CountryCode) ? region : null;
}
