/**
 * @module The island marker (the HonoX pattern, STYLE.md §13): the server renders the island's
 * component as usual inside `<div data-island="Name" data-props="{json}">`, and the admin bundle
 * (`islands/admin/client.ts`) hydrates every marker with the component of the same name from the
 * hand-written registry. Props must be JSON: no functions, no dates.
 */
import type { ComponentProps } from "preact";
import { type IslandName, ISLANDS } from "../../islands/admin/registry.ts";

/** Server-renders island `name` with `props` and marks it for hydration. */
export function Island<N extends IslandName>(
  { name, props }: { name: N; props: ComponentProps<(typeof ISLANDS)[N]> },
) {
  // deno-lint-ignore no-explicit-any
  const Component = ISLANDS[name] as any;
  return (
    <div class="island" data-island={name} data-props={JSON.stringify(props)}>
      <Component {...props} />
    </div>
  );
}
