/**
 * @module The page the widget editor frames: a neutral sample site with the real widget on it. The
 * config travels as JSON in a non-executable script element (scripts themselves only come from
 * our origin, per the admin CSP), and `islands/admin/preview_boot.ts` mounts the loader with it.
 */
import { PREVIEW_CONFIG_ID } from "../../islands/admin/preview_boot.ts";
import { ASSETS } from "./Layout.tsx";

/** JSON that cannot close the surrounding `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

/**
 * A sample page with the widget pre-set to `config`. `renewInMs`: how soon the preview's pass (an
 * HttpOnly cookie the route set) is about to run out, so the page reloads for a new one.
 */
export function PreviewPage(
  { widgetId, config, renewInMs }: {
    widgetId: string;
    config: Record<string, unknown>;
    renewInMs: number;
  },
) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Widget preview · Parley</title>
        <link rel="stylesheet" href={ASSETS.css} />
      </head>
      <body class="preview-page">
        <div class="sample-site" aria-hidden="true">
          <div class="sample-nav">
            <span class="sample-logo" />
            <span class="sample-link" />
            <span class="sample-link" />
            <span class="sample-link" />
          </div>
          <div class="sample-hero">
            <span class="sample-line sample-line-lg" />
            <span class="sample-line sample-line-md" />
            <span class="sample-line sample-line-sm" />
            <span class="sample-button" />
          </div>
          <div class="sample-cards">
            <span class="sample-card" />
            <span class="sample-card" />
          </div>
        </div>
        <script
          type="application/json"
          id={PREVIEW_CONFIG_ID}
          dangerouslySetInnerHTML={{ __html: scriptJson({ widgetId, config, renewInMs }) }}
        />
        <script type="module" src={ASSETS.js} />
      </body>
    </html>
  );
}
