/**
 * @module The pre-chat form (SPEC v2.4): the fields the widget's owner asks for, checked here as
 * the server checks them (email, E.164 phone, required fields, consent) and then by the server,
 * whose field errors show under the same fields. Each error is tied to its field
 * (`aria-describedby`, `aria-invalid`) and the first one takes the focus.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { PreChatForm as Form } from "../../contract/wire.ts";
import { ApiError } from "../../embed/api.ts";
import { type ExtrasHost, type LeadInput, markDone, submitLead } from "../../embed/extras.ts";
import { extrasStrings as X } from "../../embed/strings_extras.ts";

/** Props of the pre-chat form. */
export interface PreChatFormProps {
  /** Its `deps.config.preChatForm` is the form. */
  controller: ExtrasHost;
  /** The answers were stored: the chat may start. */
  onDone: () => void;
}

type Field = "name" | "email" | "phone" | "consent";
type Errors = Partial<Record<Field, string>>;

const INPUT = {
  name: { type: "text", autocomplete: "name" },
  email: { type: "email", autocomplete: "email" },
  phone: { type: "tel", autocomplete: "tel" },
} as const;

/** Spaces, dashes, dots and brackets people type in phone numbers; E.164 has none. */
const compactPhone = (v: string) => v.replace(/[\s().-]/g, "");

/** The client's checks, the same as the server's (which checks again). */
export function checkLead(form: Form, values: Record<string, string>, consent: boolean): Errors {
  const errors: Errors = {};
  for (const { name, required } of form.fields) {
    const v = values[name]?.trim() ?? "";
    if (!v) {
      if (required) errors[name] = X[`${name}Required`];
    } else if (name === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) {
      errors.email = X.emailInvalid;
    } else if (name === "phone" && !/^\+[1-9]\d{6,14}$/.test(compactPhone(v))) {
      errors.phone = X.phoneInvalid;
    }
  }
  const first = form.fields[0]?.name;
  if (first && !form.fields.some((f) => values[f.name]?.trim()) && !errors[first]) {
    errors[first] = X.oneRequired;
  }
  if (form.consentText && !consent) errors.consent = X.consentRequired;
  return errors;
}

/** The server's 400 details, in the visitor's language where the field is known. */
function serverErrors(details: unknown): Errors {
  const errors: Errors = {};
  for (const d of Array.isArray(details) ? details : []) {
    const path = String(d?.path ?? "");
    const message = String(d?.message ?? "");
    if (path === "email") errors.email = X.emailInvalid;
    else if (path === "phone") errors.phone = X.phoneInvalid;
    else if (path === "consent") errors.consent = X.consentRequired;
    else if (path === "name") {
      errors.name = message.includes(" or ") ? X.oneRequired : X.nameRequired;
    }
  }
  return errors;
}

/** The form shown in place of the composer until the visitor has answered it. */
export function PreChatForm(props: PreChatFormProps) {
  const form = props.controller.deps.config.preChatForm!;
  const [values, setValues] = useState<Record<string, string>>({});
  const [consent, setConsent] = useState(false);
  const [errors, setErrors] = useState<Errors>({});
  const [failed, setFailed] = useState("");
  const [busy, setBusy] = useState(false);
  const root = useRef<HTMLFormElement>(null);

  const focusFirst = (selector: string) =>
    root.current?.querySelector<HTMLInputElement>(selector)?.focus();
  // In place of the composer, which would have taken the focus.
  useEffect(() => focusFirst("input"), []);

  const show = (e: Errors) => {
    setErrors(e);
    // After the render that ties the message to the field, so it is read with the field.
    setTimeout(() => focusFirst('[aria-invalid="true"]'));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found = checkLead(form, values, consent);
    if (Object.keys(found).length) return show(found);
    setErrors({});
    setFailed("");
    setBusy(true);
    const lead: LeadInput = { consent };
    for (const { name } of form.fields) {
      const v = values[name]?.trim();
      if (v) lead[name] = name === "phone" ? compactPhone(v) : v;
    }
    try {
      await submitLead(props.controller, lead);
      props.onDone();
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      const fromServer = status === 400 ? serverErrors((err as ApiError).details) : {};
      // A 409: this conversation has its answers already (another tab gave them).
      if (status === 409) markDone("lead"), props.onDone();
      else if (Object.keys(fromServer).length) show(fromServer);
      else setFailed(X.formFailed);
    } finally {
      setBusy(false);
    }
  };

  const describedBy = (field: Field, hint?: boolean) =>
    [hint && `pc-${field}-hint`, errors[field] && `pc-${field}-error`].filter(Boolean).join(" ") ||
    undefined;
  const error = (field: Field) =>
    errors[field] && (
      <p class="field-error" id={`pc-${field}-error`}>
        <svg viewBox="0 0 20 20" width="14" height="14" aria-hidden="true">
          <path
            fill="currentColor"
            d="M10 1.5a8.5 8.5 0 1 0 0 17 8.5 8.5 0 0 0 0-17Zm-.9 4.5h1.8v5.2H9.1V6Zm0 6.8h1.8v1.8H9.1v-1.8Z"
          />
        </svg>
        {errors[field]}
      </p>
    );
  const anyRequired = form.fields.some((f) => f.required);

  return (
    <form
      ref={root}
      class="prechat"
      noValidate
      aria-labelledby="pc-title"
      aria-describedby="pc-intro"
      onSubmit={submit}
      data-busy={busy ? "" : undefined}
    >
      <h2 id="pc-title">{X.formTitle}</h2>
      <p id="pc-intro" class="prechat-intro">
        {X.formIntro}
        {anyRequired && <span class="prechat-note">{" " + X.requiredNote}</span>}
      </p>
      {form.fields.map(({ name, required }) => (
        <div class="field" key={name}>
          <label for={`pc-${name}`}>
            {X[`${name}Label`]}
            {required && <span class="req" aria-hidden="true">*</span>}
          </label>
          <input
            id={`pc-${name}`}
            name={name}
            {...INPUT[name]}
            dir={name === "name" ? undefined : "ltr"}
            value={values[name] ?? ""}
            required={required}
            aria-invalid={errors[name] ? "true" : undefined}
            aria-describedby={describedBy(name, name === "phone")}
            maxLength={name === "name" ? 200 : name === "email" ? 254 : 32}
            onInput={(e) => {
              setValues({ ...values, [name]: e.currentTarget.value });
              if (errors[name]) setErrors({ ...errors, [name]: undefined });
            }}
          />
          {name === "phone" && <p class="field-hint" id="pc-phone-hint">{X.phoneHint}</p>}
          {error(name)}
        </div>
      ))}
      {form.consentText && (
        <div class="field">
          <div class="consent">
            <input
              id="pc-consent"
              type="checkbox"
              checked={consent}
              required
              aria-invalid={errors.consent ? "true" : undefined}
              aria-describedby={describedBy("consent")}
              onChange={(e) => {
                setConsent(e.currentTarget.checked);
                if (errors.consent) setErrors({ ...errors, consent: undefined });
              }}
            />
            <label for="pc-consent" dir="auto">{form.consentText}</label>
          </div>
          {error("consent")}
        </div>
      )}
      {failed && <p class="form-error" role="alert">{failed}</p>}
      <button type="submit" class="btn btn-primary prechat-submit" aria-disabled={busy}>
        {busy && <span class="spinner" aria-hidden="true" />}
        {X.startChat}
      </button>
    </form>
  );
}
