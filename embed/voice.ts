/**
 * @module Voice from the widget: phone numbers checked before they are sent, the microphone
 * asked for before a browser call is created, and the browser-call client behind a tiny interface
 * loaded only on that click, from its own chunk (`/embed/voice-web.js`, ~150 KB the chat never
 * pays for). Tests serve a fake chunk with the same export, as the real client can only reach
 * Retell's cloud.
 */

/** The part of Retell's `RetellWebClient` the widget uses. */
export interface WebCallClient {
  startCall(options: { accessToken: string }): Promise<void>;
  stopCall(): void;
  mute(): void;
  unmute(): void;
  // deno-lint-ignore no-explicit-any -- the emitter's listeners take event-specific arguments
  on(event: string, listener: (...args: any[]) => void): unknown;
}

/** What the `voice-web.js` chunk exports. */
export interface VoiceWebModule {
  createWebCallClient(): WebCallClient;
}

/**
 * Loads the browser-call chunk (once) and makes a client. The page names the chunk with its
 * content hash (`<meta name="parley-voice">`), so browsers may cache it for good.
 */
export async function loadWebCallClient(
  url = document.querySelector<HTMLMetaElement>('meta[name="parley-voice"]')?.content ??
    "/embed/voice-web.js",
): Promise<WebCallClient> {
  const mod: VoiceWebModule = await import(url);
  return mod.createWebCallClient();
}

/**
 * Normalises what a visitor typed into E.164 (`+` and 8–15 digits), accepting spaces, dots,
 * dashes, brackets and a `00` international prefix; null when it cannot be a number.
 */
export function normalizePhone(input: string): string | null {
  let v = input.trim().replace(/[\s().\-\u00a0]/g, "");
  if (v.startsWith("00")) v = "+" + v.slice(2);
  return /^\+[1-9]\d{7,14}$/.test(v) ? v : null;
}

/** The outcome of asking for the microphone. */
export type MicResult = "ok" | "denied" | "missing" | "unsupported";

/** Asks for the microphone (and lets it go at once): a call is created only when this is "ok". */
export async function checkMicrophone(): Promise<MicResult> {
  const media = navigator.mediaDevices;
  if (!media?.getUserMedia) return "unsupported";
  try {
    const stream = await media.getUserMedia({ audio: true });
    for (const track of stream.getTracks()) track.stop();
    return "ok";
  } catch (err) {
    const name = (err as DOMException)?.name;
    if (name === "NotFoundError" || name === "OverconstrainedError") return "missing";
    return "denied";
  }
}

/** A country the widget's phone calls may ring, as the frame page inlines it. */
export interface PhoneCountry {
  code: string;
  callingCode: string;
}

function inlined(): { phone?: unknown; consent?: unknown } {
  try {
    return JSON.parse(globalThis.document?.getElementById("parley-config")?.textContent ?? "{}");
  } catch {
    return {};
  }
}

/** The countries the page inlined (`#parley-config`'s `phone`); empty when none. */
export function phoneCountries(): PhoneCountry[] {
  const { phone } = inlined();
  return Array.isArray(phone) ? phone : [];
}

/**
 * The owner's notice a visitor must agree to before any call (`voiceConsentText`), or undefined
 * when calls need no consent.
 */
export function consentText(): string | undefined {
  const { consent } = inlined();
  return typeof consent === "string" && consent ? consent : undefined;
}

/**
 * The E.164 number for what was typed: as given when it starts with `+` or `00`, otherwise a
 * national number in `country` (its one leading trunk 0 dropped, except in Italy where it is
 * part of the number); null when it cannot be a number.
 */
export function composePhone(input: string, country?: PhoneCountry): string | null {
  const typed = input.trim();
  if (!country || /^(\+|00)/.test(typed)) return normalizePhone(typed);
  let digits = typed.replace(/[\s().\-\u00a0]/g, "");
  if (country.code !== "IT") digits = digits.replace(/^0/, "");
  return /^\d+$/.test(digits) ? normalizePhone(`+${country.callingCode}${digits}`) : null;
}

/** True when the number starts with the calling code of one of `countries` (or none are known). */
export function inCountries(e164: string, countries: readonly PhoneCountry[]): boolean {
  return countries.length === 0 || countries.some((c) => e164.startsWith(`+${c.callingCode}`));
}

/** "🇫🇷 France" in the visitor's language. */
export function countryLabel(code: string): string {
  const flag = String.fromCodePoint(...[...code].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
  let name = code;
  try {
    name = new Intl.DisplayNames([navigator.language, "en"], { type: "region" }).of(code) ?? code;
  } catch {
    // An old browser without DisplayNames shows the code.
  }
  return `${flag} ${name}`;
}
