/**
 * @module `createApp(deps)`: the whole HTTP surface as one Hono app, pure so tests run it
 * in-process with `app.request()`. `main.ts` only wires it to a server.
 */
import { Hono } from "hono";
import { isAdminSessionLive } from "./db/queries/admin_sessions.ts";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv, Deps } from "./context.ts";
import { classifyError, errorBody, HttpError, jsonErrorResponse } from "./lib/errors.ts";
import { log } from "./lib/log.ts";
import { authRoutes } from "./routes/api/auth.ts";
import { agentRoutes } from "./routes/api/agents.ts";
import { teamRoutes } from "./routes/api/team.ts";
import { widgetRoutes } from "./routes/api/widgets.ts";
import { organizationRoutes } from "./routes/api/organization.ts";
import { embedApiRoutes } from "./routes/embed_api.ts";
import { healthRoutes } from "./routes/health.ts";
import { chatRoutes } from "./routes/api/chat.ts";
import { voiceRoutes } from "./routes/api/voice.ts";
import { conversationExtraRoutes } from "./routes/api/conversation_extras.ts";
import { visitorAdminRoutes, visitorSelfRoutes } from "./routes/api/visitors.ts";
import { organizationSettingsRoutes } from "./routes/api/organization_settings.ts";
import { RETELL_WEBHOOK_PATH, retellWebhookRoutes } from "./routes/api/retell_webhook.ts";
import { wsRoutes } from "./routes/ws.ts";
import { adminRoutes } from "./routes/admin/mod.tsx";
import { embedAssetRoutes } from "./routes/embed_assets.ts";
import { pageRoutes } from "./routes/pages.tsx";
import { openApiRoutes } from "./routes/openapi.ts";
import { webhookRoutes } from "./routes/api/webhooks.ts";

/** Builds the app from its dependencies. */
export function createApp(deps: Deps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const started = performance.now();
    c.set("deps", deps);
    c.set("db", deps.database.db);
    c.set("config", deps.config);
    // Admin tokens are live only while their sign-in is (logout and "Sign out everywhere").
    c.set(
      "signInLive",
      (claims) => isAdminSessionLive(deps.database.db, claims.sessionId, claims.userId),
    );
    await next();
    log.info("request", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 100) / 100,
    });
  });

  // Baseline headers for every response but the WebSocket upgrade, whose 101 response must be
  // left alone. Pages set their own CSP (the frame: frame-ancestors from the allowlist; admin:
  // 'none'); Hono's secureHeaders() defaults are avoided because they forbid framing the widget.
  app.use(async (c, next) => {
    await next();
    if (c.req.path === "/ws") return;
    c.header("X-Content-Type-Options", "nosniff");
    if (!c.res.headers.has("Referrer-Policy")) {
      c.header("Referrer-Policy", "strict-origin-when-cross-origin");
    }
  });

  // Every body is bounded before anyone reads it; /ws has no body and no header middleware.
  // Retell's webhook has its own, larger limit (a long call's transcript is big).
  const limitBody = bodyLimit({
    maxSize: deps.config.limits.bodyBytes,
    onError: () => {
      throw new HttpError(413, "payload_too_large", "Request body is too large", {
        details: { maxBytes: deps.config.limits.bodyBytes },
      });
    },
  });
  app.use(
    "*",
    (c, next) =>
      c.req.path === RETELL_WEBHOOK_PATH || c.req.path.startsWith(`${RETELL_WEBHOOK_PATH}/`)
        ? next()
        : limitBody(c, next),
  );

  app.route("/", healthRoutes);
  app.route("/api", openApiRoutes(app));
  app.route("/api/auth", authRoutes);
  app.route("/api/organization", teamRoutes);
  app.route("/api/agents", agentRoutes);
  app.route("/api/widgets", widgetRoutes);
  app.route("/api/organization", organizationRoutes);
  app.route("/embed", embedApiRoutes);
  // Before chatRoutes: its catch-all auth middleware would otherwise run a second time.
  app.route("/api/chat", voiceRoutes);
  app.route("/api/chat", conversationExtraRoutes);
  app.route("/api/chat", visitorSelfRoutes);
  app.route("/api/visitors", visitorAdminRoutes);
  app.route("/api/organization", organizationSettingsRoutes);
  app.route("/api/chat", chatRoutes);
  app.route("/api/retell", retellWebhookRoutes);
  app.route("/api/webhooks", webhookRoutes);
  app.route("/", wsRoutes);
  app.route("/admin", adminRoutes);
  app.route("/embed", embedAssetRoutes());
  app.route("/", pageRoutes());

  app.notFound((c) =>
    c.json(errorBody("not_found", `Cannot find route ${c.req.method} ${c.req.path}`), 404)
  );
  app.onError((err, c) => renderError(err, c.req.method, c.req.path));
  return app;
}

/** Renders any thrown value as the error envelope; unexpected errors are logged, never shown. */
export function renderError(err: unknown, method: string, path: string): Response {
  const e = classifyError(err);
  if (e.code === "database_unavailable") {
    log.warn("database unavailable", { method, path, error: String(err) });
  }
  if (e.unexpected) {
    log.error("unhandled error", {
      method,
      path,
      error: String(err),
      stack: (err as Error)?.stack,
    });
  }
  return jsonErrorResponse(e);
}
