/**
 * @module The widget form's sections that speak to visitors before they chat: the teaser bubble
 * beside the launcher and the pre-chat form (which fields to ask, and consent).
 */
import type { PreChatForm, Teaser } from "../../contract/wire.ts";
import { Field, type FieldErrors, TextField } from "./ui.tsx";

/** The teaser: a short line beside the launcher after a delay, until the visitor closes it. */
export function TeaserFields({ teaser, errors }: { teaser: Teaser | null; errors: FieldErrors }) {
  return (
    <section class="card form-section" aria-labelledby="sec-teaser">
      <h2 id="sec-teaser">Teaser</h2>
      <p class="hint">
        A small bubble beside the launcher that invites visitors to chat. It shows once per visit,
        and not after the visitor has closed it or opened the chat.
      </p>
      <div class="field-row field-row-teaser">
        <TextField
          name="teaserText"
          label="Text"
          value={teaser?.text ?? ""}
          error={errors.teaserText}
          placeholder="Questions about pricing? We answer in seconds."
          hint="Leave empty for no teaser."
          maxLength={140}
          optional
        />
        <Field
          name="teaserDelay"
          label="Show after (seconds)"
          error={errors.teaserDelay}
          hint="From 0 to 600."
        >
          {(aria) => (
            <input
              {...aria}
              type="number"
              inputMode="numeric"
              min={0}
              max={600}
              step={1}
              value={Number.isFinite(teaser?.delaySeconds) ? String(teaser!.delaySeconds) : "5"}
            />
          )}
        </Field>
      </div>
    </section>
  );
}

const LEAD_FIELDS = [
  { name: "name", label: "Name" },
  { name: "email", label: "Email" },
  { name: "phone", label: "Phone" },
] as const;

/** The pre-chat form builder: which fields to ask before the first message, and consent. */
export function PreChatFields({ form, errors }: { form: PreChatForm | null; errors: FieldErrors }) {
  const ask = (name: string) => form?.fields.find((f) => f.name === name);
  return (
    <section class="card form-section" aria-labelledby="sec-prechat">
      <h2 id="sec-prechat">Pre-chat form</h2>
      <p class="hint">
        Ask visitors who they are before their first message. Leads appear in the conversation and
        go to your <code>lead.created</code> webhooks.
      </p>
      {LEAD_FIELDS.map((f) => {
        const field = ask(f.name);
        const value = field ? field.required ? "required" : "optional" : "off";
        return (
          <Field key={f.name} name={`pre_${f.name}`} label={f.label}>
            {(aria) => (
              <select {...aria}>
                <option value="off" selected={value === "off"}>Not asked</option>
                <option value="optional" selected={value === "optional"}>Optional</option>
                <option value="required" selected={value === "required"}>Required</option>
              </select>
            )}
          </Field>
        );
      })}
      <Field
        name="consentText"
        label="Consent text"
        error={errors.consentText}
        hint="When set, visitors must tick a box with this text before they can chat."
        optional
      >
        {(aria) => (
          <textarea {...aria} rows={2} maxLength={1000}>{form?.consentText ?? ""}</textarea>
        )}
      </Field>
    </section>
  );
}
