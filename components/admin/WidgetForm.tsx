/**
 * @module The widget form: every option of the seed's configuration table plus name, agent,
 * allowed domains, voice mode and active state. Plain HTML controls, so it works without
 * JavaScript; the preview island listens to its `input` events.
 */
import type { AgentRow } from "../../db/schema.ts";
import type { PreChatForm, Teaser } from "../../contract/wire.ts";
import { LOCALES } from "../../lib/locale.ts";
import { Field, type FieldErrors, TextField } from "./ui.tsx";
import { PreChatFields, TeaserFields } from "./VisitorPromptFields.tsx";
import { Island } from "./Island.tsx";
import type { CountryOption } from "../../islands/admin/CountryPicker.tsx";

/** The form's values as strings and booleans (a stored widget or what was just typed). */
export interface WidgetValues {
  name: string;
  agentId: string;
  themeColor: string;
  headerText: string;
  welcomeMessage: string | null;
  allowedDomains: string[];
  isActive: boolean;
  position: string;
  width: string;
  height: string;
  autoOpen: boolean;
  voiceMode: string;
  requireIdentity?: boolean;
  preChatForm?: PreChatForm | null;
  phoneCountries: string[];
  /** null: the visitor's browser decides. */
  locale?: string | null;
  colorScheme?: string;
  hideLauncher?: boolean;
  teaser?: Teaser | null;
  voiceConsentText?: string | null;
}

/** The phone-country picker's data: every country, and the organization's likely one. */
export interface PhoneChoices {
  countries: CountryOption[];
  likely: string | null;
}

/** The seed's defaults for a new widget. */
export const WIDGET_DEFAULTS: Omit<WidgetValues, "name" | "agentId"> = {
  themeColor: "#0088FF",
  headerText: "Chat with us",
  welcomeMessage: "Hello! How can I help you today?",
  allowedDomains: [],
  isActive: true,
  position: "bottom-right",
  width: "350px",
  height: "550px",
  autoOpen: false,
  // Phone calls are opt-in (SPEC v2.1): they cost the owner money per minute.
  voiceMode: "web",
  phoneCountries: [],
  locale: null,
  colorScheme: "light",
  hideLauncher: false,
  teaser: null,
  voiceConsentText: null,
};

/** Each language by its own name, with the English one for the owner who cannot read it. */
const LANGUAGES = LOCALES.map((l) => {
  const own = new Intl.DisplayNames([l], { type: "language" }).of(l) ?? l;
  const english = new Intl.DisplayNames(["en"], { type: "language" }).of(l) ?? l;
  const name = own[0].toLocaleUpperCase(l) + own.slice(1);
  return { value: l, label: name === english ? name : `${name} (${english})` };
});

const COLOR_SCHEMES = [
  { value: "light", label: "Light" },
  { value: "dark", label: "Dark" },
  { value: "auto", label: "Match the visitor's device" },
];

const POSITIONS = [
  { value: "top-left", label: "Top left" },
  { value: "top-right", label: "Top right" },
  { value: "bottom-left", label: "Bottom left" },
  { value: "bottom-right", label: "Bottom right" },
];

const VOICE_MODES = [
  { value: "both", label: "Phone and browser calls" },
  { value: "web", label: "Browser calls only" },
  { value: "phone", label: "Phone calls only" },
  { value: "off", label: "Off: text chat only" },
];

function Checkbox(
  props: { name: string; label: string; hint: string; checked: boolean },
) {
  return (
    <div class="check-field">
      <input
        type="checkbox"
        id={`f-${props.name}`}
        name={props.name}
        value="true"
        checked={props.checked}
        aria-describedby={`f-${props.name}-hint`}
      />
      <div>
        <label for={`f-${props.name}`}>{props.label}</label>
        <p class="hint" id={`f-${props.name}-hint`}>{props.hint}</p>
      </div>
    </div>
  );
}

/** The widget's form sections (without the `<form>` itself). */
export function WidgetFields(
  { values, errors, agents, phone }: {
    values: WidgetValues;
    errors: FieldErrors;
    agents: AgentRow[];
    phone: PhoneChoices;
  },
) {
  return (
    <>
      <section class="card form-section" aria-labelledby="sec-basics">
        <h2 id="sec-basics">Basics</h2>
        <TextField
          name="name"
          label="Name"
          value={values.name}
          error={errors.name}
          placeholder="Main website"
          hint="For you only, to tell widgets apart."
          maxLength={100}
          required
        />
        <Field name="agentId" label="Agent" error={errors.agentId} hint="Who answers visitors.">
          {(aria) => (
            <select {...aria} required>
              {!values.agentId && <option value="">Choose an agent…</option>}
              {agents.map((a) => (
                <option key={a.id} value={a.id} selected={a.id === values.agentId}>{a.name}</option>
              ))}
            </select>
          )}
        </Field>
        <Checkbox
          name="isActive"
          label="Active"
          hint="Visitors see the widget only while it is active."
          checked={values.isActive}
        />
      </section>

      <section class="card form-section" aria-labelledby="sec-look">
        <h2 id="sec-look">Appearance</h2>
        <div class="field-row">
          <Field name="themeColor" label="Theme colour" error={errors.themeColor}>
            {(aria) => (
              <input {...aria} type="color" class="color-input" value={values.themeColor} />
            )}
          </Field>
          <TextField
            name="headerText"
            label="Header text"
            value={values.headerText}
            error={errors.headerText}
            maxLength={100}
            required
          />
        </div>
        <Field
          name="welcomeMessage"
          label="Welcome message"
          error={errors.welcomeMessage}
          hint="The agent's first message in every new conversation."
          optional
        >
          {(aria) => (
            <textarea {...aria} rows={3} maxLength={1000}>{values.welcomeMessage ?? ""}</textarea>
          )}
        </Field>
        <div class="field-row">
          <Field
            name="locale"
            label="Language"
            error={errors.locale}
            hint="Of every word the visitor sees. A page's own locale setting wins."
          >
            {(aria) => (
              <select {...aria}>
                <option value="" selected={!values.locale}>The visitor's browser language</option>
                {LANGUAGES.map((l) => (
                  <option key={l.value} value={l.value} selected={values.locale === l.value}>
                    {l.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field name="colorScheme" label="Colour scheme" error={errors.colorScheme}>
            {(aria) => (
              <select {...aria}>
                {COLOR_SCHEMES.map((m) => (
                  <option
                    key={m.value}
                    value={m.value}
                    selected={(values.colorScheme ?? "light") === m.value}
                  >
                    {m.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <fieldset class="field" aria-describedby="f-position-hint">
          <legend>Position</legend>
          <div class="position-picker">
            {POSITIONS.map((p) => (
              <label key={p.value} class={`position-option pos-${p.value}`}>
                <input
                  type="radio"
                  name="position"
                  value={p.value}
                  checked={values.position === p.value}
                />
                <span class="position-screen" aria-hidden="true">
                  <span class="position-dot" />
                </span>
                <span class="position-label">{p.label}</span>
              </label>
            ))}
          </div>
          <p class="hint" id="f-position-hint">The corner of the page the launcher sits in.</p>
          {errors.position && <p class="error-text">{errors.position}</p>}
        </fieldset>
        <div class="field-row">
          <TextField
            name="width"
            label="Width"
            value={values.width}
            error={errors.width}
            hint="A CSS length: 350px, 30rem, 90vw."
            class="mono"
            required
          />
          <TextField
            name="height"
            label="Height"
            value={values.height}
            error={errors.height}
            hint="For example 550px or 80vh."
            class="mono"
            required
          />
        </div>
        <Checkbox
          name="autoOpen"
          label="Open automatically"
          hint="Open the chat window as soon as the page loads."
          checked={values.autoOpen}
        />
        <Checkbox
          name="hideLauncher"
          label="Hide the launcher button"
          hint="Open the chat from your own button instead: the embed code below shows how."
          checked={values.hideLauncher ?? false}
        />
      </section>

      <TeaserFields teaser={values.teaser ?? null} errors={errors} />

      <section class="card form-section" aria-labelledby="sec-voice">
        <h2 id="sec-voice">Voice</h2>
        <Field
          name="voiceMode"
          label="Voice calls"
          error={errors.voiceMode}
          hint="How visitors can move the conversation to a call with the agent's voice agent. Browser calls need no phone number."
        >
          {(aria) => (
            <select {...aria}>
              {VOICE_MODES.map((m) => (
                <option key={m.value} value={m.value} selected={m.value === values.voiceMode}>
                  {m.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <fieldset
          class={`field${errors.phoneCountries ? " field-invalid" : ""}`}
          aria-describedby="f-phoneCountries-hint"
        >
          <legend>Phone countries</legend>
          <p class="hint" id="f-phoneCountries-hint">
            Phone calls ring the number a visitor types, from your Retell number, and Retell bills
            you for every minute. Choose the countries your customers are in: numbers anywhere else,
            and premium-rate, shared-cost and satellite numbers, are refused, so a stranger cannot
            run up your bill. Needed only when visitors may be phoned.
          </p>
          {errors.phoneCountries && (
            <p class="error-text" id="f-phoneCountries-error">{errors.phoneCountries}</p>
          )}
          <Island
            name="CountryPicker"
            props={{
              countries: phone.countries,
              selected: values.phoneCountries,
              likely: phone.likely,
              describedBy: errors.phoneCountries
                ? "f-phoneCountries-hint f-phoneCountries-error"
                : "f-phoneCountries-hint",
            }}
          />
        </fieldset>
        <Field
          name="voiceConsentText"
          label="Consent before a call"
          error={errors.voiceConsentText}
          hint="When set, visitors see this text and must agree before any call starts, for example a recording notice. When they agreed is kept with the call."
          optional
        >
          {(aria) => (
            <textarea
              {...aria}
              rows={2}
              maxLength={1000}
              placeholder="Calls are recorded and transcribed to improve our service."
            >
              {values.voiceConsentText ?? ""}
            </textarea>
          )}
        </Field>
      </section>

      <section class="card form-section" aria-labelledby="sec-security">
        <h2 id="sec-security">Where it may run</h2>
        <Field
          name="allowedDomains"
          label="Allowed domains"
          error={errors.allowedDomains}
          hint={
            <>
              One per line, such as <code>example.com</code> or <code>*.example.com</code>{" "}
              for every subdomain. Leave empty to allow any site.
            </>
          }
          optional
        >
          {(aria) => (
            <textarea {...aria} rows={3} class="mono" placeholder="example.com">
              {values.allowedDomains.join("\n")}
            </textarea>
          )}
        </Field>
        <Checkbox
          name="requireIdentity"
          label="Require identity"
          hint="Only visitors your site signs in with an identity token may chat (see Identity verification below)."
          checked={values.requireIdentity ?? false}
        />
      </section>

      <PreChatFields form={values.preChatForm ?? null} errors={errors} />
    </>
  );
}
