/**
 * @module The countries a widget's phone calls may ring: a searchable list of checkboxes (plain
 * form fields, so the form works before this hydrates), the selected countries first, then the
 * organization's likely country, then the rest by name. The order is fixed when the page loads so
 * that rows do not jump while the owner ticks them.
 */
import { useSignal } from "@preact/signals";

/** One country of the list (computed on the server: libphonenumber stays out of the bundle). */
export interface CountryOption {
  code: string;
  name: string;
  callingCode: string;
}

/** Props of `CountryPicker`. */
export interface CountryPickerProps {
  countries: CountryOption[];
  selected: string[];
  likely: string | null;
  /** The id of the hint and error that describe the list. */
  describedBy?: string;
}

/** 🇺🇸 from "US": the two regional indicator symbols. */
export function flagOf(code: string): string {
  return String.fromCodePoint(...[...code].map((c) => 0x1f1e6 + c.charCodeAt(0) - 65));
}

function normalise(text: string): string {
  return text.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

/** The list in the order it is shown. */
export function orderCountries(
  countries: CountryOption[],
  selected: readonly string[],
  likely: string | null,
): CountryOption[] {
  const rank = (c: CountryOption) => selected.includes(c.code) ? 0 : c.code === likely ? 1 : 2;
  return [...countries].sort((a, b) => rank(a) - rank(b) || a.name.localeCompare(b.name));
}

/** The searchable country list. */
export default function CountryPicker(props: CountryPickerProps) {
  const query = useSignal("");
  const chosen = useSignal<string[]>(props.selected);
  const ordered = useSignal(orderCountries(props.countries, props.selected, props.likely));
  const q = normalise(query.value.trim()).replace(/^\+/, "");
  const matches = (c: CountryOption) =>
    !q || normalise(c.name).includes(q) || c.code.toLowerCase() === q || c.callingCode === q;
  const shown = ordered.value.filter(matches).length;
  function toggle(code: string, on: boolean) {
    chosen.value = on ? [...chosen.value, code] : chosen.value.filter((c) => c !== code);
  }
  return (
    <div
      class="country-picker"
      role="group"
      aria-label="Countries phone calls may go to"
      aria-describedby={props.describedBy}
    >
      <input
        type="search"
        class="country-search"
        placeholder="Search by country, code or +calling code"
        aria-label="Search countries"
        aria-controls="country-list"
        value={query.value}
        onInput={(e) => query.value = (e.target as HTMLInputElement).value}
      />
      <p class="hint country-count" aria-live="polite">
        {chosen.value.length === 0
          ? "No country selected: phone calls are refused."
          : `${chosen.value.length} selected: ${chosen.value.join(", ")}`}
        {q && ` · ${shown} match${shown === 1 ? "" : "es"}`}
      </p>
      <ul class="country-list" id="country-list">
        {ordered.value.map((c) => (
          <li key={c.code} hidden={!matches(c)}>
            <label class="country-option">
              <input
                type="checkbox"
                name="phoneCountries"
                value={c.code}
                checked={chosen.value.includes(c.code)}
                onChange={(e) => toggle(c.code, (e.target as HTMLInputElement).checked)}
              />
              <span class="country-flag" aria-hidden="true">{flagOf(c.code)}</span>
              <span class="country-name">{c.name}</span>
              {c.code === props.likely && <span class="country-likely">Your country</span>}
              <span class="country-code">+{c.callingCode}</span>
            </label>
          </li>
        ))}
      </ul>
    </div>
  );
}
