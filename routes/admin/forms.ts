/**
 * @module Form fields ↔ the API's zod schemas. The pages validate with exactly the schemas the
 * JSON API uses (contract/requests.ts); this module only turns form strings into those shapes and zod
 * issues into one readable sentence per field.
 */
import type { z } from "zod";
import type { FieldErrors } from "../../components/admin/ui.tsx";

const LABELS: Record<string, string> = {
  name: "Name",
  email: "Email",
  password: "Password",
  organizationName: "Organization name",
  retellAgentId: "Retell voice agent id",
  retellChatAgentId: "Retell chat agent id",
  fromNumber: "Outbound number",
  agentId: "Agent",
  themeColor: "Theme colour",
  headerText: "Header text",
  welcomeMessage: "Welcome message",
  allowedDomains: "Allowed domains",
  position: "Position",
  width: "Width",
  height: "Height",
  voiceMode: "Voice calls",
  phoneCountries: "Phone countries",
};

function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One message per issue, phrased for a person rather than a developer. */
function friendly(issue: z.core.$ZodIssue, input: Record<string, unknown>): string {
  const field = String(issue.path[0] ?? "");
  const label = LABELS[field] ?? "This field";
  switch (issue.code) {
    case "too_small":
      return issue.minimum === 1
        ? `${label} is required`
        : `${label} must be at least ${issue.minimum} characters`;
    case "too_big":
      return field === "allowedDomains"
        ? `${label} can list at most ${issue.maximum} domains`
        : `${label} must be at most ${issue.maximum} characters`;
    case "invalid_format":
      if (issue.format === "email") return "Enter an email address such as you@example.com";
      if (issue.format === "uuid") return `Choose an ${label.toLowerCase()}`;
      break;
    case "invalid_value":
      return `Choose a valid ${label.toLowerCase()}`;
    case "invalid_type":
      if (input[field] === undefined) return `${label} is required`;
      break;
    case "unrecognized_keys":
      return "The form has unexpected fields; reload the page and try again";
  }
  if (field === "allowedDomains" && typeof issue.path[1] === "number") {
    const list = input.allowedDomains as string[] | undefined;
    return `"${list?.[issue.path[1]] ?? ""}" ${issue.message}`;
  }
  return `${label} ${issue.message.replace(/^Invalid input: /, "")}`.replace(
    /^This field (must|is)/,
    (m) => sentence(m.slice("This field ".length)),
  );
}

/** zod error → first message per top-level field (`""` for form-wide issues). */
export function fieldErrors(
  error: z.ZodError,
  input: Record<string, unknown>,
  fieldOf: (path: PropertyKey[]) => string = (path) => path.length ? String(path[0]) : "",
): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const field = fieldOf(issue.path);
    out[field] ??= friendly(issue, input);
  }
  return out;
}

/** `""` → null (clears an optional field), otherwise the trimmed text. */
export function optionalText(value: string | undefined): string | null {
  const v = value?.trim();
  return v ? v : null;
}

/** A checkbox's value: present and not "false" means checked. */
export function checkbox(value: string | undefined): boolean {
  return value !== undefined && value !== "false" && value !== "0";
}

/**
 * Domains typed one per line (commas and spaces also separate), blanks dropped. A pasted URL is
 * reduced to its host, since domains match on any scheme and port.
 */
export function domainList(value: string | undefined): string[] {
  return (value ?? "").split(/[\s,]+/)
    .map((d) => d.trim().replace(/^[a-z]+:\/\//i, "").replace(/[/?#].*$/, "").replace(/:\d+$/, ""))
    .filter(Boolean);
}

/** The agent form's fields in the API's shape. */
export function agentInput(form: Record<string, string>) {
  return {
    name: form.name ?? "",
    retellAgentId: optionalText(form.retellAgentId),
    retellChatAgentId: optionalText(form.retellChatAgentId),
    fromNumber: optionalText(form.fromNumber)?.replace(/[\s().-]/g, "") ?? null,
  };
}

/** The widget form's fields in the API's shape (every option is always sent by the form). */
export function widgetInput(form: Record<string, string>) {
  return {
    name: form.name ?? "",
    agentId: form.agentId ?? "",
    themeColor: form.themeColor?.trim() ?? "",
    headerText: form.headerText ?? "",
    welcomeMessage: optionalText(form.welcomeMessage),
    allowedDomains: domainList(form.allowedDomains),
    isActive: checkbox(form.isActive),
    position: form.position ?? "",
    width: form.width?.trim() ?? "",
    height: form.height?.trim() ?? "",
    autoOpen: checkbox(form.autoOpen),
    voiceMode: form.voiceMode ?? "",
    requireIdentity: checkbox(form.requireIdentity),
    preChatForm: preChatFormInput(form),
    phoneCountries: (form.phoneCountries ?? "").split(",").map((c) => c.trim()).filter(Boolean),
    locale: optionalText(form.locale),
    colorScheme: form.colorScheme ?? "light",
    hideLauncher: checkbox(form.hideLauncher),
    teaser: teaserInput(form),
    voiceConsentText: optionalText(form.voiceConsentText),
  };
}

/** The form field of an API path: nested options are typed in fields of their own. */
export function widgetField(path: PropertyKey[]): string {
  const [top, inner] = path.map(String);
  if (top === "teaser") return inner === "delaySeconds" ? "teaserDelay" : "teaserText";
  if (top === "preChatForm" && inner === "consentText") return "consentText";
  return top ?? "";
}

/** The teaser's two fields as the API's `teaser` (null: no text, no teaser). */
function teaserInput(form: Record<string, string>) {
  const text = optionalText(form.teaserText);
  if (!text) return null;
  const delay = (form.teaserDelay ?? "").trim();
  // A blank delay is the default; anything else goes to the schema as typed, to be judged there.
  return { text, delaySeconds: delay === "" ? 5 : /^-?\d+$/.test(delay) ? Number(delay) : NaN };
}

/** The pre-chat form builder's fields as the API's `preChatForm` (null: no form). */
function preChatFormInput(form: Record<string, string>) {
  const fields = (["name", "email", "phone"] as const).flatMap((name) => {
    const ask = form[`pre_${name}`];
    return ask === "optional" || ask === "required" ? [{ name, required: ask === "required" }] : [];
  });
  const consentText = optionalText(form.consentText) ?? undefined;
  return fields.length || consentText ? { fields, ...(consentText ? { consentText } : {}) } : null;
}
