/**
 * @module The voice options: a phone callback (number checked before it is sent) and, when the
 * widget allows it, a call in the browser. Errors are said plainly, in an alert.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { VoiceMode } from "../../contract/enums.ts";
import {
  composePhone,
  consentText,
  countryLabel,
  inCountries,
  phoneCountries,
} from "../../embed/voice.ts";
import { takeVoiceError, typed } from "../../embed/voice_notice.ts";
import { frameStrings as S } from "../../embed/strings.ts";
import { voiceStrings as V } from "../../embed/strings_voice.ts";
import { CloseIcon, MicIcon, PhoneIcon } from "./icons.tsx";

/** Props of the voice options. */
export interface VoicePanelProps {
  voiceMode: VoiceMode;
  /** Resolve to an error message, or null when the call started. */
  onPhone: (number: string) => Promise<string | null>;
  onBrowser: () => Promise<string | null>;
  onCancel: () => void;
  /** An error carried over (a failed start). */
  error?: string | null;
}

/** The sheet above the composer. */
export function VoicePanel(props: VoicePanelProps) {
  const [phone, setPhone] = useState(typed.phone);
  // A refusal that came back while the call screen stood in for this panel is shown here.
  const [error, setError] = useState<string | null>(() => props.error ?? takeVoiceError());
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement & HTMLButtonElement>(null);
  const allowPhone = props.voiceMode === "phone" || props.voiceMode === "both";
  const allowWeb = props.voiceMode === "web" || props.voiceMode === "both";
  // Only the countries the widget's owner allows (the server refuses the rest anyway).
  const [countries] = useState(phoneCountries);
  const [country, setCountry] = useState(typed.country || countries[0]?.code || "");
  const chosen = countries.find((c) => c.code === country);

  useEffect(() => first.current?.focus(), []);
  useEffect(() => {
    // Only an error handed in replaces what is shown (not the carried refusal on mount).
    if (props.error !== undefined) setError(props.error);
  }, [props.error]);

  // The owner's notice (SPEC v2.5): asked before any call, phone or browser.
  const [consent] = useState(consentText);
  const [asking, setAsking] = useState<(() => Promise<string | null>) | null>(null);
  const agree = useRef<HTMLButtonElement>(null);
  useEffect(() => agree.current?.focus(), [asking]);

  const start = async (call: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    try {
      const e = await call();
      if (mounted.current) setError(e);
    } finally {
      setBusy(false);
    }
  };
  const run = (call: () => Promise<string | null>) => {
    if (consent) setAsking(() => call);
    else start(call);
  };

  if (asking) {
    return (
      <section class="voice-panel voice-consent" aria-labelledby="consent-title">
        <div class="voice-panel-head">
          <h2 id="consent-title">{V.consentTitle}</h2>
        </div>
        <p class="voice-intro" id="consent-text" dir="auto">{consent}</p>
        <div class="consent-actions">
          <button
            ref={agree}
            type="button"
            class="btn btn-primary"
            aria-describedby="consent-text"
            onClick={() => {
              const call = asking;
              setAsking(null);
              start(call);
            }}
          >
            {V.consentAgree}
          </button>
          <button type="button" class="btn btn-secondary" onClick={() => setAsking(null)}>
            {S.cancel}
          </button>
        </div>
      </section>
    );
  }

  return (
    <section class="voice-panel" aria-labelledby="voice-title" data-voice-mode={props.voiceMode}>
      <div class="voice-panel-head">
        <h2 id="voice-title">{V.voiceTitle}</h2>
        <button type="button" class="icon-btn" aria-label={S.cancel} onClick={props.onCancel}>
          <CloseIcon />
        </button>
      </div>
      <p class="voice-intro">{V.voiceIntro}</p>
      {allowPhone && (
        <form
          class="phone-form"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            const number = composePhone(phone, chosen);
            const problem = !number
              ? V.phoneInvalid
              : !inCountries(number, countries)
              ? V.countryNotOffered(countries.map((c) => countryLabel(c.code)).join(", "))
              : null;
            setInvalid(!!problem);
            setError(problem);
            if (number && !problem) {
              run(() =>
                props.onPhone(number)
              );
            }
          }}
        >
          <label for="phone">{V.phoneLabel}</label>
          <div class="phone-row">
            {countries.length > 1 && (
              <select
                class="phone-country"
                aria-label={V.countryLabel}
                value={country}
                onChange={(e) => setCountry(typed.country = e.currentTarget.value)}
              >
                {countries.map((c) => (
                  <option key={c.code} value={c.code}>
                    {countryLabel(c.code)} +{c.callingCode}
                  </option>
                ))}
              </select>
            )}
            {countries.length === 1 && (
              <span class="phone-prefix" title={countryLabel(countries[0].code)}>
                {countryLabel(countries[0].code).split(" ")[0]} +{countries[0].callingCode}
              </span>
            )}
            <input
              ref={first}
              id="phone"
              type="tel"
              inputMode="tel"
              autoComplete="tel"
              placeholder={V.phonePlaceholder}
              value={phone}
              aria-invalid={invalid}
              aria-describedby={error ? "voice-error" : undefined}
              onInput={(e) =>
                setPhone(typed.phone = e.currentTarget.value)}
            />
            <button type="submit" class="btn btn-primary" disabled={busy}>
              <PhoneIcon size={16} /> {V.callMeSubmit}
            </button>
          </div>
        </form>
      )}
      {allowPhone && allowWeb && (
        <p class="or">
          <span>{V.or}</span>
        </p>
      )}
      {allowWeb && (
        <button
          ref={allowPhone ? undefined : first}
          type="button"
          class="btn btn-secondary btn-wide"
          disabled={busy}
          onClick={() => run(props.onBrowser)}
        >
          <MicIcon /> {V.callBrowser}
          <span class="btn-hint">{V.callBrowserHint}</span>
        </button>
      )}
      {error && <p id="voice-error" class="voice-error" role="alert">{error}</p>}
    </section>
  );
}
