/**
 * @module The pages of `/admin/widgets` (the routes are in `widgets.tsx`): the list, the new-widget
 * form and the editor with its live preview.
 */
import type { AgentRow, WidgetRow } from "../../db/schema.ts";
import { selfOrigin } from "../../lib/origins.ts";
import { likelyCountry, phoneCountryOptions } from "../../calls/phone_policy.ts";
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
  WidgetFields,
  type WidgetValues,
} from "../../components/admin/WidgetForm.tsx";
import { EmbedCode } from "../../components/admin/EmbedCode.tsx";
import { IdentitySection } from "../../components/admin/IdentitySection.tsx";
import { DangerZone } from "../../components/admin/DangerZone.tsx";
import { Island } from "../../components/admin/Island.tsx";
import { accountOf, type AdminContext, noticeText } from "./middleware.ts";

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

/** The organization's widgets as cards. */
export function WidgetListPage(
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

/** The form for a new widget. */
export function NewWidgetPage(
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

/** The editor: the form, the live preview, the embed code, identity and deletion. */
export function EditWidgetPage(
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

const COUNTRY_OPTIONS = phoneCountryOptions();

/** The phone-country picker's list, with the country the organization's numbers are in first. */
function phoneChoices(c: AdminContext, agents: AgentRow[]): PhoneChoices {
  return {
    countries: COUNTRY_OPTIONS,
    likely: likelyCountry(agents.map((a) => a.fromNumber), c.req.header("accept-language")),
  };
}
