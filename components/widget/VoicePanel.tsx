/**
 * @module The voice options: a phone callback (number checked before it is sent) and, when the
 * widget allows it, a call in the browser. Errors are said plainly, in an alert.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { VoiceMode } from "../../contract/enums.ts";
import { normalizePhone } from "../../embed/voice.ts";
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
  const [phone, setPhone] = useState("");
  const [error, setError] = useState<string | null>(props.error ?? null);
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement & HTMLButtonElement>(null);
  const allowPhone = props.voiceMode === "phone" || props.voiceMode === "both";
  const allowWeb = props.voiceMode === "web" || props.voiceMode === "both";

  useEffect(() => first.current?.focus(), []);
  useEffect(() => setError(props.error ?? null), [props.error]);

  const run = async (start: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    try {
      setError(await start());
    } finally {
      setBusy(false);
    }
  };

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
            if (!normalizePhone(phone)) {
              setInvalid(true);
              setError(V.phoneInvalid);
              return;
            }
            setInvalid(false);
            run(() => props.onPhone(phone));
          }}
        >
          <label for="phone">{V.phoneLabel}</label>
          <div class="phone-row">
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
                setPhone(e.currentTarget.value)}
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
