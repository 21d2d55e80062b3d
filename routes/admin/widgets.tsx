/**
 * @module `/admin/widgets`: list, create, edit (with the live preview and embed code), activate,
 * deactivate and delete the organization's widgets, and the preview page the editor frames. The
 * pages themselves are in `widget_pages.tsx`.
 */
import { Hono } from "hono";
import { setCookie } from "hono/cookie";
import { WidgetCreateSchema } from "../../contract/requests.ts";
import { notFound } from "../../lib/errors.ts";
import { idParam } from "../../lib/validate.ts";
import { toPublicConfig } from "../../db/wire.ts";
import { listAgents } from "../../db/queries/agents.ts";
import { findOwnAgent } from "../../conversations/own_agent.ts";
import {
  createWidget,
  deleteWidget,
  getWidget,
  listWidgets,
  updateWidget,
} from "../../db/queries/widgets.ts";
import type { WidgetRow } from "../../db/schema.ts";
import { WIDGET_DEFAULTS, type WidgetValues } from "../../components/admin/WidgetForm.tsx";
import { phoneCountriesProblem } from "../../calls/phone_policy.ts";
import { EditWidgetPage, NewWidgetPage, WidgetListPage } from "./widget_pages.tsx";
import { rotateIdentitySecret } from "../../conversations/identity.ts";
import { grantPreview, PREVIEW_COOKIE_PATH } from "../../conversations/preview.ts";
import { isSecureRequest } from "../../lib/session_cookie.ts";
import { PreviewPage } from "../../components/admin/PreviewPage.tsx";
import {
  accountOf,
  type AdminContext,
  type AdminEnv,
  allowFramingBySelf,
  page,
  readForm,
  requireAccount,
  requireCsrf,
  requireManager,
} from "./middleware.ts";
import { fieldErrors, widgetField, widgetInput } from "./forms.ts";

async function ownWidget(c: AdminContext): Promise<WidgetRow> {
  const id = idParam(c, "widget");
  const widget = await getWidget(c.var.db, accountOf(c).organizationId, id);
  if (!widget) throw notFound("widget", id);
  return widget;
}

/** Validates the form like `POST /api/widgets` does, including "the agent is yours". */
async function validWidget(c: AdminContext, form: Record<string, string>) {
  const input = widgetInput(form);
  const parsed = WidgetCreateSchema.safeParse(input);
  let errors = parsed.success ? undefined : fieldErrors(parsed.error, input, widgetField);
  if (
    parsed.success &&
    !await findOwnAgent(c.var.db, accountOf(c).organizationId, parsed.data.agentId)
  ) {
    errors = { agentId: "Choose one of your agents" };
  }
  const phoneProblem = parsed.success &&
    phoneCountriesProblem(parsed.data.voiceMode ?? "web", parsed.data.phoneCountries ?? []);
  if (phoneProblem) {
    errors = {
      ...errors,
      phoneCountries: "Choose at least one country, or offer browser calls only",
    };
  }
  const values: WidgetValues = { ...input };
  return errors || !parsed.success ? { errors, values } : { data: parsed.data, values };
}

/** The widget pages. */
export const widgetPages = new Hono<AdminEnv>()
  .use(requireAccount(), requireManager())
  .get("/", async (c) => {
    const { organizationId } = accountOf(c);
    const [widgets, agents] = await Promise.all([
      listWidgets(c.var.db, organizationId),
      listAgents(c.var.db, organizationId),
    ]);
    return page(c, <WidgetListPage c={c} widgets={widgets} agents={agents} />);
  })
  .get("/new", async (c) => {
    const agents = await listAgents(c.var.db, accountOf(c).organizationId);
    if (agents.length === 0) return c.redirect("/admin/widgets", 303);
    const values = { ...WIDGET_DEFAULTS, name: "", agentId: agents[0].id };
    return page(c, <NewWidgetPage c={c} agents={agents} values={values} />);
  })
  .post("/", requireCsrf("session"), async (c) => {
    const { organizationId } = accountOf(c);
    const result = await validWidget(c, await readForm(c));
    if (!result.data) {
      const agents = await listAgents(c.var.db, organizationId);
      return page(
        c,
        <NewWidgetPage c={c} agents={agents} values={result.values} errors={result.errors} />,
        400,
      );
    }
    const widget = await createWidget(c.var.db, organizationId, result.data);
    return c.redirect(`/admin/widgets/${widget.id}?notice=created`, 303);
  })
  .get("/:id", async (c) => {
    const widget = await ownWidget(c);
    const agents = await listAgents(c.var.db, accountOf(c).organizationId);
    return page(c, <EditWidgetPage c={c} widget={widget} agents={agents} values={widget} />);
  })
  .post("/:id", requireCsrf("session"), async (c) => {
    const widget = await ownWidget(c);
    const { organizationId } = accountOf(c);
    const result = await validWidget(c, await readForm(c));
    if (!result.data) {
      const agents = await listAgents(c.var.db, organizationId);
      return page(
        c,
        <EditWidgetPage
          c={c}
          widget={widget}
          agents={agents}
          values={result.values}
          errors={result.errors}
        />,
        400,
      );
    }
    const saved = await updateWidget(c.var.db, organizationId, widget.id, result.data);
    if (!saved) throw notFound("widget", widget.id);
    if (!saved.isActive) await c.var.deps.hub.closeWidget(saved.id);
    return c.redirect(`/admin/widgets/${widget.id}?notice=saved`, 303);
  })
  // The page answers with the secret (no redirect): it is shown this once and never stored plain.
  .post("/:id/identity-secret", requireCsrf("session"), async (c) => {
    const widget = await ownWidget(c);
    const secret = await rotateIdentitySecret(c.var.db, c.var.config, widget.id);
    const [fresh, agents] = await Promise.all([
      ownWidget(c),
      listAgents(c.var.db, accountOf(c).organizationId),
    ]);
    c.header("Cache-Control", "no-store");
    return page(
      c,
      <EditWidgetPage c={c} widget={fresh} agents={agents} values={fresh} secret={secret} />,
    );
  })
  .post("/:id/active", requireCsrf("session"), async (c) => {
    const widget = await ownWidget(c);
    const form = await readForm(c);
    const isActive = form.isActive === "true";
    await updateWidget(c.var.db, accountOf(c).organizationId, widget.id, { isActive });
    // Its visitors' sockets close at once (4403), in every process.
    if (!isActive) await c.var.deps.hub.closeWidget(widget.id);
    const notice = isActive ? "activated" : "deactivated";
    return c.redirect(
      form.back === "list"
        ? `/admin/widgets?notice=${notice}`
        : `/admin/widgets/${widget.id}?notice=${notice}`,
      303,
    );
  })
  .post("/:id/delete", requireCsrf("session"), async (c) => {
    const id = idParam(c, "widget");
    if (!await deleteWidget(c.var.db, accountOf(c).organizationId, id)) {
      throw notFound("widget", id);
    }
    await c.var.deps.hub.closeWidget(id);
    return c.redirect("/admin/widgets?notice=deleted", 303);
  })
  .get("/:id/preview", async (c) => {
    const widget = await ownWidget(c);
    const { id: _, agentId: __, voiceMode: ___, phoneCountries: ____, ...config } = toPublicConfig(
      widget,
    );
    // The one pass for our own origin through this widget's allowlist (SPEC v2.2): scoped to
    // `/embed/auth`, unreadable by script, and Strict, so that no other site's request carries it.
    const preview = await grantPreview(c.var.config, widget, accountOf(c).userId);
    setCookie(c, preview.name, preview.token, {
      path: PREVIEW_COOKIE_PATH,
      httpOnly: true,
      sameSite: "Strict",
      secure: isSecureRequest(c, c.var.config.publicUrl),
      expires: preview.expiresAt,
    });
    allowFramingBySelf(c);
    return page(
      c,
      <PreviewPage
        widgetId={widget.id}
        config={config}
        renewInMs={preview.expiresAt.getTime() - Date.now() - 60_000}
      />,
    );
  });
