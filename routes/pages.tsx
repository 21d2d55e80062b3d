/**
 * @module The public pages: `/` (the landing page with the demo widget: the first active widget of
 * the deployment's first organization, the demo's or the owner's; `?widget=<id>` picks another of
 * that organization's only, never a widget of another organization) and `/demo/custom` (the
 * seed's custom configuration).
 */
import { type Context, Hono } from "hono";
import { render } from "preact-render-to-string";
import { and, asc, eq } from "drizzle-orm";
import type { VNode } from "preact";
import type { AppEnv } from "../context.ts";
import { isUuid } from "../lib/validate.ts";
import { organizations, widgetConfigurations } from "../db/schema.ts";
import { getWidgetById } from "../db/queries/widgets.ts";
import { selfOrigin } from "../lib/origins.ts";
import { chunkImports } from "../lib/bundles.ts";
import { CustomDemoPage, type EmbedInfo, LandingPage } from "../components/landing/Landing.tsx";

/** Options of the page routes; tests may point at another build directory. */
export interface PageOptions {
  buildDir?: URL;
}

async function gzipSize(url: URL): Promise<number> {
  const file = await Deno.open(url);
  const stream = file.readable.pipeThrough(new CompressionStream("gzip"));
  return (await new Response(stream).arrayBuffer()).byteLength;
}

/** The public pages, mounted at `/`. */
export function pageRoutes(options: PageOptions = {}): Hono<AppEnv> {
  const dir = options.buildDir ?? new URL("../static/build/", import.meta.url);
  let css: Promise<string> | undefined;
  let sizes: Promise<EmbedInfo["sizes"]> | undefined;
  const styles = () =>
    css ??= Deno.readTextFile(new URL("../static/landing.css", import.meta.url))
      .catch(() => "");
  // The chat's weight: its script, the chunks it imports at once and its styles (not voice).
  const measure = () =>
    sizes ??= (async () => {
      const entry = await Deno.readTextFile(new URL("widget-frame.js", dir));
      const size = (files: string[]) =>
        Promise.all(files.map((f) => gzipSize(new URL(f, dir)))).then((s) =>
          s.reduce((a, b) => a + b, 0)
        );
      return {
        loader: await size(["widget.js"]),
        frame: await size(["widget-frame.js", ...chunkImports(entry).static, "widget-frame.css"]),
        voice: await size(["voice-web.js"]),
      };
    })().catch(() => (sizes = undefined, undefined));

  /**
   * The widget to show: `?widget=` when it is an active widget of the deployment's first
   * organization, else that organization's first active widget. Parley's own origin runs no other
   * organization's widget (SPEC v2.2): a stranger's widget here would borrow our domain's trust.
   */
  async function info(c: Context<AppEnv>): Promise<EmbedInfo> {
    const origin = selfOrigin(c.var.config.publicUrl, c.req.url);
    const db = c.var.db;
    const [home] = await db.select({ id: organizations.id }).from(organizations)
      .orderBy(asc(organizations.createdAt), asc(organizations.id)).limit(1);
    if (!home) return { origin, widgetId: undefined, sizes: await measure() };
    const asked = c.req.query("widget") ?? "";
    let widgetId: string | undefined;
    if (isUuid(asked)) {
      const w = await getWidgetById(db, asked);
      if (w?.isActive && w.organizationId === home.id) widgetId = w.id;
    }
    if (!widgetId) {
      const [first] = await db.select({ id: widgetConfigurations.id })
        .from(widgetConfigurations)
        .where(
          and(
            eq(widgetConfigurations.isActive, true),
            eq(widgetConfigurations.organizationId, home.id),
          ),
        )
        .orderBy(asc(widgetConfigurations.createdAt), asc(widgetConfigurations.id))
        .limit(1);
      widgetId = first?.id;
    }
    return { origin, widgetId, sizes: await measure() };
  }

  const html = (c: Context<AppEnv>, page: VNode) =>
    c.html("<!doctype html>" + render(page), 200, { "cache-control": "no-cache" });

  return new Hono<AppEnv>()
    .get("/", async (c) => html(c, <LandingPage info={await info(c)} css={await styles()} />))
    .get(
      "/demo/custom",
      async (c) => html(c, <CustomDemoPage info={await info(c)} css={await styles()} />),
    );
}
