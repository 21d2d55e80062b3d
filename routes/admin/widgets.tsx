/**
 * @module `/admin/widgets`: list, create, edit (with the live preview and embed code), activate,
 * deactivate and delete the organization's widgets, and the preview page the editor frames.
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
import type { AgentRow, WidgetRow } from "../../db/schema.ts";
import { selfOrigin } from "../../lib/origins.ts";
import { AppShell } from "../../components/admin/Layout.tsx";
import {
  Badge,
  ButtonLink,
  EmptyState,
  ErrorSummary,
  type FieldErrors,
  Notice,
  PageHeader,
  PostForm,
} from "../../components/admin/ui.tsx";
import {
  type PhoneChoices,
  WIDGET_DEFAULTS,
  WidgetFields,
  type WidgetValues,
} from "../../components/admin/WidgetForm.tsx";
import {
  likelyCountry,
  phoneCountriesProblem,
  phoneCountryOptions,
} from "../../calls/phone_policy.ts";
import { EmbedCode } from "../../components/admin/EmbedCode.tsx";
import { IdentitySection } from "../../components/admin/IdentitySection.tsx";
import { rotateIdentitySecret } from "../../conversations/identity.ts";
import { grantPreview, PREVIEW_COOKIE_PATH } from "../../conversations/preview.ts";
import { isSecureRequest } from "../../lib/session_cookie.ts";
import { DangerZone } from "../../components/admin/DangerZone.tsx";
import { Island } from "../../components/admin/Island.tsx";
import { PreviewPage } from "../../components/admin/PreviewPage.tsx";
import {
  accountOf,
  type AdminContext,
  type AdminEnv,
  allowFramingBySelf,
  noticeText,
  page,
  readForm,
  requireAccount,
  requireCsrf,
  requireManager,
} from "./middleware.ts";
import { fieldErrors, widgetField, widgetInput } from "./forms.ts";

const NOTICES = {
  created: "Widget created. Copy the embed code below onto your site.",
  saved: "Changes saved. Sites using the script tag pick them up on the next page load.",
  activated: "Widget activated: visitors can see it again.",
  deactivated: "Widget deactivated: it no longer appears on your sites.",
  deleted: "Widget deleted.",
};

function domainsSummary(domains: string[]): string {
  if (domains.length === 0) return "Any site";
  return domains.length === 1 ? domains[0] : `${domains[0]} +${domains.length - 1}`;
}

function ActiveToggle(
  { c, widget, back }: { c: AdminContext; widget: WidgetRow; back?: "list" },
) {
  return (
    <PostForm action={`/admin/widgets/${widget.id}/active`} csrf={accountOf(c).csrf}>
      <input type="hidden" name="isActive" value={widget.isActive ? "false" : "true"} />
      {back && <input type="hidden" name="back" value={back} />}
      <button type="submit" class="btn btn-secondary btn-sm">
        {widget.isActive ? "Deactivate" : "Activate"}
      </button>
    </PostForm>
  );
}

function WidgetListPage(
  { c, widgets, agents }: { c: AdminContext; widgets: WidgetRow[]; agents: AgentRow[] },
) {
  const account = accountOf(c);
  const agentName = (id: string) => agents.find((a) => a.id === id)?.name ?? "Unknown agent";
  return (
    <AppShell title="Widgets" section="widgets" account={account} csrf={account.csrf}>
      <PageHeader
        title="Widgets"
        subtitle="Chat bubbles you can put on your sites, each with its own look and agent."
        actions={widgets.length > 0 && (
          <ButtonLink href="/admin/widgets/new" icon="plus">New widget</ButtonLink>
        )}
      />
      <Notice text={noticeText(c, NOTICES)} />
      {widgets.length === 0 && agents.length === 0 && (
        <EmptyState
          icon="widget"
          title="First, add an agent"
          action={<ButtonLink href="/admin/agents/new" icon="plus">Create an agent</ButtonLink>}
        >
          A widget needs an agent to answer your visitors. Create one, then come back here.
        </EmptyState>
      )}
      {widgets.length === 0 && agents.length > 0 && (
        <EmptyState
          icon="widget"
          title="No widgets yet"
          action={<ButtonLink href="/admin/widgets/new" icon="plus">Create a widget</ButtonLink>}
        >
          Create a widget, style it with a live preview, and paste one script tag on your site.
        </EmptyState>
      )}
      {widgets.length > 0 && (
        <ul class="widget-grid" role="list">
          {widgets.map((w) => (
            <li key={w.id} class="card widget-card">
              <div class="widget-card-head">
                <span class="swatch" style={{ background: w.themeColor }} aria-hidden="true" />
                <div class="widget-card-title">
                  <a class="row-link" href={`/admin/widgets/${w.id}`}>{w.name}</a>
                  <span class="muted">{agentName(w.agentId)}</span>
                </div>
                {w.isActive
                  ? <Badge tone="green">Active</Badge>
                  : <Badge tone="gray">Inactive</Badge>}
              </div>
              <dl class="facts">
                <div>
                  <dt>Domains</dt>
                  <dd>{domainsSummary(w.allowedDomains)}</dd>
                </div>
                <div>
                  <dt>Voice</dt>
                  <dd>
                    {w.voiceMode === "off"
                      ? "Off"
                      : w.voiceMode === "both"
                      ? "Phone + browser"
                      : w.voiceMode === "web"
                      ? "Browser"
                      : "Phone"}
                  </dd>
                </div>
              </dl>
              <div class="widget-card-actions">
                <ButtonLink href={`/admin/widgets/${w.id}`} variant="secondary">Edit</ButtonLink>
                <ActiveToggle c={c} widget={w} back="list" />
              </div>
            </li>
          ))}
        </ul>
      )}
    </AppShell>
  );
}

function NewWidgetPage(
  props: { c: AdminContext; agents: AgentRow[]; values: WidgetValues; errors?: FieldErrors },
) {
  const account = accountOf(props.c);
  return (
    <AppShell title="New widget" section="widgets" account={account} csrf={account.csrf} narrow>
      <PageHeader
        title="New widget"
        back="/admin/widgets"
        subtitle="The live preview and embed code appear as soon as the widget is created."
      />
      <ErrorSummary errors={props.errors} />
      <PostForm action="/admin/widgets" csrf={account.csrf} novalidate>
        <WidgetFields
          values={props.values}
          errors={props.errors ?? {}}
          agents={props.agents}
          phone={phoneChoices(props.c, props.agents)}
        />
        <div class="form-actions">
          <button type="submit" class="btn btn-primary">Create widget</button>
          <a class="btn btn-ghost" href="/admin/widgets">Cancel</a>
        </div>
      </PostForm>
    </AppShell>
  );
}

function EditWidgetPage(
  props: {
    c: AdminContext;
    widget: WidgetRow;
    agents: AgentRow[];
    values: WidgetValues;
    errors?: FieldErrors;
    /** A just-generated identity secret, shown this once. */
    secret?: string;
  },
) {
  const { c, widget } = props;
  const account = accountOf(c);
  const origin = selfOrigin(c.var.config.publicUrl, c.req.url);
  return (
    <AppShell title={widget.name} section="widgets" account={account} csrf={account.csrf} wide>
      <PageHeader
        title={widget.name}
        back="/admin/widgets"
        subtitle={
          <>
            {widget.isActive
              ? <Badge tone="green">Active</Badge>
              : <Badge tone="gray">Inactive</Badge>}
            <span class="mono muted widget-id">{widget.id}</span>
          </>
        }
        actions={<ActiveToggle c={c} widget={widget} />}
      />
      <Notice text={noticeText(c, NOTICES)} />
      <ErrorSummary errors={props.errors} />
      <div class="editor">
        <div class="editor-main">
          <PostForm
            action={`/admin/widgets/${widget.id}`}
            csrf={account.csrf}
            id="widget-form"
            novalidate
          >
            <WidgetFields
              values={props.values}
              errors={props.errors ?? {}}
              agents={props.agents}
              phone={phoneChoices(props.c, props.agents)}
            />
            <div class="form-actions form-actions-sticky">
              <button type="submit" class="btn btn-primary">Save changes</button>
              <a class="btn btn-ghost" href={`/admin/widgets/${widget.id}`}>Discard</a>
            </div>
          </PostForm>
          <EmbedCode origin={origin} widget={widget} />
          <IdentitySection
            widget={widget}
            csrf={account.csrf}
            origin={origin}
            secret={props.secret}
          />
          <DangerZone
            action={`/admin/widgets/${widget.id}/delete`}
            csrf={account.csrf}
            what="widget"
            consequence="Sites using its embed code stop showing it, and its conversations lose their link to it."
          />
        </div>
        <aside class="editor-aside" aria-label="Preview">
          <Island
            name="WidgetPreview"
            props={{
              previewUrl: `/admin/widgets/${widget.id}/preview`,
              formId: "widget-form",
              active: widget.isActive,
            }}
          />
        </aside>
      </div>
    </AppShell>
  );
}

async function ownWidget(c: AdminContext): Promise<WidgetRow> {
  const id = idParam(c, "widget");
  const widget = await getWidget(c.var.db, accountOf(c).organizationId, id);
  if (!widget) throw notFound("widget", id);
  return widget;
}

const COUNTRY_OPTIONS = phoneCountryOptions();

/** The phone-country picker's list, with the country the organization's numbers are in first. */
function phoneChoices(c: AdminContext, agents: AgentRow[]): PhoneChoices {
  return {
    countries: COUNTRY_OPTIONS,
    likely: likelyCountry(agents.map((a) => a.fromNumber), c.req.header("accept-language")),
  };
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
