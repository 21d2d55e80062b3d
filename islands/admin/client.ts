/**
 * @module The admin pages' only script (the `deno bundle` entry): hydrates every
 * `[data-island]` marker with the registry's component, and on the widget preview page boots the
 * real widget loader instead.
 */
import { h, hydrate } from "preact";
import { type IslandName, ISLANDS } from "./registry.ts";
import { bootPreview, PREVIEW_CONFIG_ID } from "./preview_boot.ts";

function hydrateIslands(): void {
  for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
    const name = el.dataset.island as IslandName;
    // deno-lint-ignore no-explicit-any -- props are checked where the server renders the marker
    const Component = ISLANDS[name] as any;
    if (!Component) continue;
    hydrate(h(Component, JSON.parse(el.dataset.props ?? "{}")), el);
  }
  document.documentElement.dataset.hydrated = "true";
}

const preview = document.getElementById(PREVIEW_CONFIG_ID);
if (preview) bootPreview(preview);
else hydrateIslands();
