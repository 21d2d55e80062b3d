/**
 * @module The admin's live preview: the one place where Parley's own origin may run a widget
 * whose allowlist does not name it (SPEC v2.2). The editor's preview page is given a short-lived
 * token, bound to the widget and its organization, in an HttpOnly cookie that only `/embed/auth`
 * receives: no script reads it (the preview page's included) and no URL carries it. Every other
 * page on our origin (`/`, `/demo/custom`, anything else) gets the widget's allowlist as any
 * site does.
 */
import type { Config } from "../config.ts";
import type { WidgetRow } from "../db/schema.ts";
import { isHostAllowed } from "../lib/origins.ts";
import { signPreviewToken, verifyPreviewToken } from "../lib/tokens.ts";

/** Only `/embed/auth` receives the preview cookie. */
export const PREVIEW_COOKIE_PATH = "/embed/auth";

/** The preview cookie of one widget: one per widget, so two editors in two tabs both work. */
export function previewCookieName(widgetId: string): string {
  return `parley_preview_${widgetId.replaceAll("-", "")}`;
}

/** A preview of `widget` for the admin `userId`: the cookie to set and when it runs out. */
export async function grantPreview(
  config: Pick<Config, "jwtSecret">,
  widget: Pick<WidgetRow, "id" | "organizationId">,
  userId: string,
): Promise<{ name: string; token: string; expiresAt: Date }> {
  const { token, expiresAt } = await signPreviewToken(config.jwtSecret, {
    widgetId: widget.id,
    organizationId: widget.organizationId,
    userId,
  });
  return { name: previewCookieName(widget.id), token, expiresAt };
}

/** Where a visitor's browser says the widget runs, and what it holds. */
export interface EmbeddingPlace {
  /** The host page's host name. */
  host: string;
  /** Parley's own host name. */
  ownHost: string | undefined;
  /** The preview cookie of this widget, if the browser sent one. */
  previewToken?: string;
}

/**
 * Whether the widget may run at `place`: a host its allowlist names, or our own host in its own
 * admin preview (a token for this very widget of this very organization, not expired).
 */
export async function mayRunAt(
  config: Pick<Config, "jwtSecret">,
  widget: Pick<WidgetRow, "id" | "organizationId" | "allowedDomains">,
  place: EmbeddingPlace,
): Promise<boolean> {
  if (isHostAllowed(widget.allowedDomains, place.host)) return true;
  if (!place.ownHost || place.host !== place.ownHost || !place.previewToken) return false;
  const claims = await verifyPreviewToken(config.jwtSecret, place.previewToken);
  return claims?.widgetId === widget.id && claims.organizationId === widget.organizationId;
}
