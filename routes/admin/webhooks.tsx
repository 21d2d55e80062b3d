/**
 * @module `/admin/webhooks`: add an endpoint with a checklist of events, see its signing secret
 * once, read each endpoint's delivery log and send a test event.
 */
import { Hono } from "hono";
import { HttpError, notFound } from "../../lib/errors.ts";
import { findOrganizationUser } from "../../db/queries/users.ts";
import { MANAGERS } from "../../team/guard.ts";
import { idParam } from "../../lib/validate.ts";
import {
  deleteEndpoint,
  type DeliveryListRow,
  findEndpoint,
  listDeliveries,
  listEndpoints,
} from "../../db/queries/webhooks.ts";
import type { WebhookEndpointRow } from "../../db/schema.ts";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "../../webhooks/events.ts";
import { checkDestination, DestinationError } from "../../webhooks/destination.ts";
import { createWebhook } from "../../webhooks/endpoints.ts";
import { enqueueTestEvent } from "../../webhooks/enqueue.ts";
import { MAX_WEBHOOKS_PER_ORGANIZATION, WebhookCreateSchema } from "../../contract/webhooks.ts";
import { AppShell } from "../../components/admin/Layout.tsx";
import {
  Badge,
  EmptyState,
  ErrorSummary,
  type FieldErrors,
  Notice,
  PageHeader,
  PostForm,
  TextField,
} from "../../components/admin/ui.tsx";
import { DangerZone } from "../../components/admin/DangerZone.tsx";
import { Island } from "../../components/admin/Island.tsx";
import {
  accountOf,
  type AdminContext,
  type AdminEnv,
  noticeText,
  page,
  readForm,
  requireAccount,
  requireCsrf,
} from "./middleware.ts";

const NOTICES = {
  deleted: "Endpoint deleted.",
  test: "Test event queued. It appears in the log below as soon as it is sent.",
};

const EVENT_HINTS: Record<WebhookEventType, string> = {
  "conversation.created": "A visitor starts a conversation.",
  "message.created": "Any message is stored: the visitor's, the agent's, a teammate's.",
  "handoff.requested": "A visitor asks to talk to a person.",
  "call.ended": "A voice call ends, with its duration and summary.",
  "lead.created": "A visitor leaves their name, email or phone.",
  "conversation.rated": "A visitor rates the conversation.",
};

function EventChecklist({ checked, error }: { checked: string[]; error?: string }) {
  return (
    <fieldset
      class={`field event-list${error ? " field-invalid" : ""}`}
      aria-describedby={error ? "f-events-error" : undefined}
    >
      <legend>Events</legend>
      <div class="event-grid" id="f-events">
        {WEBHOOK_EVENT_TYPES.map((type) => (
          <label class="event-option" key={type}>
            <input
              type="checkbox"
              name={`event:${type}`}
              value="on"
              checked={checked.includes(type)}
            />
            <span>
              <code>{type}</code>
              <span class="hint">{EVENT_HINTS[type]}</span>
            </span>
          </label>
        ))}
      </div>
      {error && <p class="error-text" id="f-events-error">{error}</p>}
    </fieldset>
  );
}

function SecretCard({ endpoint, secret }: { endpoint: WebhookEndpointRow; secret: string }) {
  return (
    <section class="card secret-card" aria-labelledby="secret-title" role="status">
      <h2 id="secret-title">Signing secret</h2>
      <p class="muted">
        Copy it now: it is shown only this once. Every delivery to{" "}
        <span class="mono">{endpoint.url}</span> carries <code>x-parley-signature</code>,{" "}
        an HMAC-SHA256 of the body made with this secret.
      </p>
      <div class="secret-row">
        <code class="code secret" id="webhook-secret">{secret}</code>
        <Island name="CopyButton" props={{ text: secret, label: "Copy secret" }} />
      </div>
    </section>
  );
}

function statusBadge(status: string) {
  return status === "delivered"
    ? <Badge tone="green">Delivered</Badge>
    : status === "failed"
    ? <Badge tone="red">Failed</Badge>
    : <Badge tone="amber">Pending</Badge>;
}

const when = (d: Date | null) => d ? d.toISOString().replace("T", " ").slice(0, 19) + " UTC" : "—";

function lastAnswer(d: DeliveryListRow): string {
  if (d.attempts === 0) return "Not sent yet";
  const code = d.lastStatusCode ? `HTTP ${d.lastStatusCode}` : "";
  const detail = d.lastError ?? d.lastResponse?.replace(/\s+/g, " ").slice(0, 80) ?? "";
  return [code, detail].filter(Boolean).join(" · ") || "No answer";
}

function DeliveryLog({ deliveries }: { deliveries: DeliveryListRow[] }) {
  if (deliveries.length === 0) {
    return (
      <EmptyState icon="webhook" title="No deliveries yet">
        Events appear here as they are sent. Send a test event to try the endpoint now.
      </EmptyState>
    );
  }
  return (
    <div class="card card-flush">
      <table class="table delivery-log">
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Status</th>
            <th scope="col" class="num">Attempts</th>
            <th scope="col">Last answer</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.map((d) => (
            <tr key={d.id}>
              <td class="mono">{d.event}</td>
              <td data-label="Status">{statusBadge(d.status)}</td>
              <td class="num" data-label="Attempts">{d.attempts}</td>
              <td class="muted last-answer" data-label="Last answer" title={d.lastResponse ?? ""}>
                {lastAnswer(d)}
                {d.status === "pending" && d.attempts > 0 && (
                  <span class="hint">Next try {when(d.nextAttemptAt)}</span>
                )}
              </td>
              <td class="muted" data-label="Created">{when(d.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function WebhooksPage(props: {
  c: AdminContext;
  endpoints: WebhookEndpointRow[];
  created?: { row: WebhookEndpointRow; secret: string };
  values?: { url?: string; events?: string[] };
  errors?: FieldErrors;
}) {
  const account = accountOf(props.c);
  const full = props.endpoints.length >= MAX_WEBHOOKS_PER_ORGANIZATION;
  return (
    <AppShell title="Webhooks" section="webhooks" account={account} csrf={account.csrf}>
      <PageHeader
        title="Webhooks"
        subtitle="Tell your other systems when something happens in a conversation. Deliveries are signed and retried for a day."
      />
      <Notice text={noticeText(props.c, NOTICES)} />
      {props.created && <SecretCard endpoint={props.created.row} secret={props.created.secret} />}
      <div class="webhooks-layout">
        <section aria-labelledby="endpoints-title">
          <h2 id="endpoints-title" class="section-title">Endpoints</h2>
          {props.endpoints.length === 0
            ? (
              <EmptyState icon="webhook" title="No endpoints yet">
                Add the URL of your server and choose the events it should hear about.
              </EmptyState>
            )
            : (
              <ul class="endpoint-list">
                {props.endpoints.map((e) => (
                  <li key={e.id} class="card endpoint">
                    <a class="row-link mono endpoint-url" href={`/admin/webhooks/${e.id}`}>
                      {e.url}
                    </a>
                    <div class="event-chips">
                      {e.events.map((type) => <span class="chip" key={type}>{type}</span>)}
                    </div>
                  </li>
                ))}
              </ul>
            )}
        </section>
        <section class="card" aria-labelledby="add-title">
          <h2 id="add-title">Add an endpoint</h2>
          <ErrorSummary errors={props.errors} />
          {full
            ? <p class="muted">This organization has the most endpoints allowed.</p>
            : (
              <PostForm action="/admin/webhooks" csrf={account.csrf} class="stack" novalidate>
                <TextField
                  name="url"
                  label="Endpoint URL"
                  type="url"
                  value={props.values?.url}
                  error={props.errors?.url}
                  placeholder="https://example.com/webhooks/parley"
                  hint="https:, or http: to a public address. Redirects are not followed."
                  maxLength={2048}
                  class="mono"
                  required
                />
                <EventChecklist
                  checked={props.values?.events ?? ["conversation.created", "handoff.requested"]}
                  error={props.errors?.events}
                />
                <div class="form-actions">
                  <button type="submit" class="btn btn-primary">Add endpoint</button>
                </div>
              </PostForm>
            )}
        </section>
      </div>
    </AppShell>
  );
}

function EndpointPage(props: {
  c: AdminContext;
  endpoint: WebhookEndpointRow;
  deliveries: DeliveryListRow[];
}) {
  const account = accountOf(props.c);
  const { endpoint } = props;
  return (
    <AppShell title="Webhook endpoint" section="webhooks" account={account} csrf={account.csrf}>
      <PageHeader
        title="Webhook endpoint"
        back="/admin/webhooks"
        subtitle={<span class="mono break">{endpoint.url}</span>}
        actions={
          <PostForm action={`/admin/webhooks/${endpoint.id}/test`} csrf={account.csrf}>
            <button type="submit" class="btn btn-secondary">Send test event</button>
          </PostForm>
        }
      />
      <Notice text={noticeText(props.c, NOTICES)} />
      <div class="event-chips endpoint-events" aria-label="Events">
        {endpoint.events.map((type) => <span class="chip" key={type}>{type}</span>)}
      </div>
      <h2 class="section-title">Delivery log</h2>
      <DeliveryLog deliveries={props.deliveries} />
      <DangerZone
        action={`/admin/webhooks/${endpoint.id}/delete`}
        csrf={account.csrf}
        what="endpoint"
        consequence="Deliveries still pending are dropped and its log is deleted."
      />
    </AppShell>
  );
}

/** The form's fields as `POST /api/webhooks` takes them. */
function webhookInput(form: Record<string, string>) {
  return {
    url: form.url ?? "",
    events: WEBHOOK_EVENT_TYPES.filter((type) => form[`event:${type}`] === "on") as string[],
  };
}

/** The webhook pages. */
export const webhookPages = new Hono<AdminEnv>()
  .use(requireAccount())
  // Members work conversations only: the organization's integrations are for owners and admins.
  .use(async (c, next) => {
    const { organizationId, userId } = accountOf(c);
    const user = await findOrganizationUser(c.var.db, organizationId, userId);
    if (!user || !MANAGERS.includes(user.role)) {
      throw new HttpError(403, "forbidden", "Only owners and admins manage webhooks");
    }
    await next();
  })
  .get("/", async (c) => {
    const endpoints = await listEndpoints(c.var.db, accountOf(c).organizationId);
    return page(c, <WebhooksPage c={c} endpoints={endpoints} />);
  })
  .post("/", requireCsrf("session"), async (c) => {
    const { organizationId } = accountOf(c);
    const input = webhookInput(await readForm(c));
    const endpoints = await listEndpoints(c.var.db, organizationId);
    const errors: FieldErrors = {};
    const parsed = WebhookCreateSchema.safeParse(input);
    if (input.events.length === 0) errors.events = "Choose at least one event";
    if (!input.url.trim()) errors.url = "Enter the URL of your endpoint";
    else {
      try {
        await checkDestination(input.url.trim(), {
          allowPrivate: c.var.config.webhooksAllowPrivate,
          resolveDns: c.var.deps.resolveDns,
          requireResolved: false,
        });
      } catch (err) {
        if (!(err instanceof DestinationError)) throw err;
        errors.url = `The URL ${err.message}`;
      }
    }
    if (!parsed.success || Object.keys(errors).length > 0) {
      if (!parsed.success && !errors.url && !errors.events) errors.url = "Check the URL";
      return page(
        c,
        <WebhooksPage c={c} endpoints={endpoints} values={input} errors={errors} />,
        400,
      );
    }
    if (endpoints.length >= MAX_WEBHOOKS_PER_ORGANIZATION) {
      return page(c, <WebhooksPage c={c} endpoints={endpoints} values={input} />, 400);
    }
    const created = await createWebhook(c.var.db, c.var.config, {
      organizationId,
      url: parsed.data.url,
      events: parsed.data.events,
    });
    // Rendered, not redirected: the secret must not travel in a URL, and is shown this once.
    return page(
      c,
      <WebhooksPage c={c} endpoints={[...endpoints, created.row]} created={created} />,
    );
  })
  .get("/:id", async (c) => {
    const id = idParam(c, "webhook");
    const endpoint = await findEndpoint(c.var.db, accountOf(c).organizationId, id);
    if (!endpoint) throw notFound("webhook", id);
    const deliveries = await listDeliveries(c.var.db, endpoint.id, 100);
    return page(c, <EndpointPage c={c} endpoint={endpoint} deliveries={deliveries} />);
  })
  .post("/:id/test", requireCsrf("session"), async (c) => {
    const id = idParam(c, "webhook");
    const endpoint = await findEndpoint(c.var.db, accountOf(c).organizationId, id);
    if (!endpoint) throw notFound("webhook", id);
    await enqueueTestEvent(c.var.db, endpoint);
    return c.redirect(`/admin/webhooks/${id}?notice=test`, 303);
  })
  .post("/:id/delete", requireCsrf("session"), async (c) => {
    const id = idParam(c, "webhook");
    if (!await deleteEndpoint(c.var.db, accountOf(c).organizationId, id)) {
      throw notFound("webhook", id);
    }
    return c.redirect("/admin/webhooks?notice=deleted", 303);
  });
