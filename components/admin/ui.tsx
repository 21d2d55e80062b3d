/** @module Small presentational pieces of the admin pages: fields, notices, empty states. */
import type { ComponentChildren } from "preact";
import { CSRF_FIELD } from "../../lib/csrf.ts";
import { Icon, type IconName } from "./icons.tsx";

/** Field name → message, as the page handlers produce them from zod issues. */
export type FieldErrors = Record<string, string>;

/** The hidden CSRF field every POST form carries. */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name={CSRF_FIELD} value={token} />;
}

/** A POST form with the CSRF field. */
export function PostForm(
  props: {
    action: string;
    csrf: string;
    children: ComponentChildren;
    class?: string;
    id?: string;
    novalidate?: boolean;
  },
) {
  return (
    <form
      method="post"
      action={props.action}
      class={props.class}
      id={props.id}
      noValidate={props.novalidate}
    >
      <CsrfField token={props.csrf} />
      {props.children}
    </form>
  );
}

/** A labelled control with hint and error, wired with `aria-describedby`. */
export function Field(
  props: {
    name: string;
    label: string;
    hint?: ComponentChildren;
    error?: string;
    children: (aria: Record<string, string | boolean | undefined>) => ComponentChildren;
    optional?: boolean;
  },
) {
  const id = `f-${props.name}`;
  const describedBy = [props.hint && `${id}-hint`, props.error && `${id}-error`].filter(Boolean)
    .join(" ") || undefined;
  return (
    <div class={`field${props.error ? " field-invalid" : ""}`}>
      <label for={id}>
        {props.label}
        {props.optional && <span class="optional">optional</span>}
      </label>
      {props.children({
        id,
        name: props.name,
        "aria-invalid": props.error ? "true" : undefined,
        "aria-describedby": describedBy,
      })}
      {props.hint && <p class="hint" id={`${id}-hint`}>{props.hint}</p>}
      {props.error && (
        <p class="error-text" id={`${id}-error`}>
          <Icon name="alert" size={14} /> {props.error}
        </p>
      )}
    </div>
  );
}

/** A text-like input field. */
export function TextField(
  props: {
    name: string;
    label: string;
    value?: string | null;
    error?: string;
    hint?: ComponentChildren;
    type?: string;
    placeholder?: string;
    required?: boolean;
    optional?: boolean;
    autocomplete?: string;
    maxLength?: number;
    autofocus?: boolean;
    class?: string;
  },
) {
  return (
    <Field
      name={props.name}
      label={props.label}
      hint={props.hint}
      error={props.error}
      optional={props.optional}
    >
      {(aria) => (
        <input
          {...aria}
          class={props.class}
          type={props.type ?? "text"}
          value={props.value ?? ""}
          placeholder={props.placeholder}
          required={props.required}
          autocomplete={props.autocomplete}
          maxLength={props.maxLength}
          autofocus={props.autofocus}
        />
      )}
    </Field>
  );
}

/** The summary at the top of a form that failed validation (focusable, announced). */
export function ErrorSummary({ errors, message }: { errors?: FieldErrors; message?: string }) {
  const count = errors ? Object.keys(errors).length : 0;
  if (!count && !message) return null;
  return (
    <div class="notice notice-error" role="alert" tabIndex={-1} id="error-summary">
      <Icon name="alert" />
      <div>
        <strong>{message ?? "Please fix the highlighted fields"}</strong>
        {count > 0 && (
          <ul>
            {Object.entries(errors!).map(([field, text]) => (
              <li key={field}>
                <a href={`#f-${field}`}>{text}</a>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}

/** A one-line success notice after a redirect. */
export function Notice({ text }: { text?: string }) {
  if (!text) return null;
  return (
    <div class="notice notice-success" role="status">
      <Icon name="check" />
      <div>{text}</div>
    </div>
  );
}

/** What a list shows before it has anything in it. */
export function EmptyState(
  props: {
    icon: IconName;
    title: string;
    children?: ComponentChildren;
    action?: ComponentChildren;
  },
) {
  return (
    <div class="empty-state">
      <div class="empty-icon">
        <Icon name={props.icon} size={28} />
      </div>
      <h2>{props.title}</h2>
      {props.children && <p>{props.children}</p>}
      {props.action}
    </div>
  );
}

/** The page title row with an optional primary action. */
export function PageHeader(
  props: {
    title: string;
    subtitle?: ComponentChildren;
    actions?: ComponentChildren;
    back?: string;
  },
) {
  return (
    <header class="page-header">
      <div>
        {props.back && (
          <a class="back-link" href={props.back}>
            <Icon name="chevronLeft" size={16} /> Back
          </a>
        )}
        <h1>{props.title}</h1>
        {props.subtitle && <p class="subtitle">{props.subtitle}</p>}
      </div>
      {props.actions && <div class="page-actions">{props.actions}</div>}
    </header>
  );
}

/** A small coloured status label. */
export function Badge(
  { tone, children }: { tone: "green" | "gray" | "blue" | "amber" | "red"; children: string },
) {
  return <span class={`badge badge-${tone}`}>{children}</span>;
}

/** A link styled as the primary button. */
export function ButtonLink(
  { href, icon, children, variant = "primary" }: {
    href: string;
    icon?: IconName;
    children: ComponentChildren;
    variant?: "primary" | "secondary";
  },
) {
  return (
    <a class={`btn btn-${variant}`} href={href}>
      {icon && <Icon name={icon} size={16} />}
      {children}
    </a>
  );
}
