/** @module `/admin/agents`: list, create, edit and delete the organization's agents. */
import { Hono } from "hono";
import { AgentCreateSchema } from "../../contract/requests.ts";
import { notFound } from "../../lib/errors.ts";
import { idParam } from "../../lib/validate.ts";
import {
  createAgent,
  deleteAgent,
  getAgent,
  listAgents,
  updateAgent,
} from "../../db/queries/agents.ts";
import { listWidgets } from "../../db/queries/widgets.ts";
import type { AgentRow, WidgetRow } from "../../db/schema.ts";
import { AppShell } from "../../components/admin/Layout.tsx";
import {
  ButtonLink,
  EmptyState,
  ErrorSummary,
  type FieldErrors,
  Notice,
  PageHeader,
  PostForm,
  TextField,
} from "../../components/admin/ui.tsx";
import { DangerZone } from "../../components/admin/DangerZone.tsx";
import {
  accountOf,
  type AdminContext,
  type AdminEnv,
  noticeText,
  page,
  readForm,
  requireAccount,
  requireCsrf,
  requireManager,
} from "./middleware.ts";
import { agentInput, fieldErrors } from "./forms.ts";

const NOTICES = {
  welcome: "Welcome to Parley! Start by adding the agent your visitors will talk to.",
  created: "Agent created.",
  saved: "Agent saved.",
  deleted: "Agent deleted.",
};

type AgentValues = Partial<Record<keyof ReturnType<typeof agentInput>, string | null>>;

function AgentFields(
  { values, errors, retell }: { values: AgentValues; errors: FieldErrors; retell: boolean },
) {
  return (
    <>
      <TextField
        name="name"
        label="Name"
        value={values.name}
        error={errors.name}
        placeholder="Support assistant"
        hint="Shown to you only; visitors see the widget's header text."
        maxLength={100}
        required
      />
      <TextField
        name="retellChatAgentId"
        label="Retell chat agent id"
        value={values.retellChatAgentId}
        error={errors.retellChatAgentId}
        placeholder="agent_..."
        hint={retell
          ? "Answers text messages. Required: Parley sends every message to Retell."
          : "Answers text messages. Until Parley has a Retell API key, the built-in demo agent answers."}
        optional
        class="mono"
      />
      <TextField
        name="retellAgentId"
        label="Retell voice agent id"
        value={values.retellAgentId}
        error={errors.retellAgentId}
        placeholder="agent_..."
        hint="Takes phone and browser calls when a visitor switches to voice."
        optional
        class="mono"
      />
      <TextField
        name="fromNumber"
        label="Outbound number"
        type="tel"
        value={values.fromNumber}
        error={errors.fromNumber}
        placeholder="+14155550123"
        hint="The Retell number that calls visitors, in international format. Needed for phone calls."
        optional
        autocomplete="off"
      />
    </>
  );
}

function AgentFormPage(
  props: {
    c: AdminContext;
    agent?: AgentRow;
    widgets?: WidgetRow[];
    values: AgentValues;
    errors?: FieldErrors;
    notice?: string;
  },
) {
  const account = accountOf(props.c);
  const { agent } = props;
  const title = agent ? agent.name : "New agent";
  return (
    <AppShell title={title} section="agents" account={account} csrf={account.csrf} narrow>
      <PageHeader
        title={title}
        back="/admin/agents"
        subtitle={agent
          ? "Edit how this agent connects to Retell."
          : "Connect an AI agent from your Retell account."}
      />
      <Notice text={props.notice} />
      <ErrorSummary errors={props.errors} />
      <div class="card">
        <PostForm
          action={agent ? `/admin/agents/${agent.id}` : "/admin/agents"}
          csrf={account.csrf}
          class="stack"
          novalidate
        >
          <AgentFields
            values={props.values}
            errors={props.errors ?? {}}
            retell={!!props.c.var.config.retellApiKey}
          />
          <div class="form-actions">
            <button type="submit" class="btn btn-primary">
              {agent ? "Save changes" : "Create agent"}
            </button>
            <a class="btn btn-ghost" href="/admin/agents">Cancel</a>
          </div>
        </PostForm>
      </div>
      {agent && (
        <DangerZone
          action={`/admin/agents/${agent.id}/delete`}
          csrf={account.csrf}
          what="agent"
          consequence={props.widgets?.length
            ? `Its ${props.widgets.length} widget${
              props.widgets.length === 1 ? "" : "s"
            } and all their conversations are deleted too.`
            : "Its conversations are deleted too."}
        />
      )}
    </AppShell>
  );
}

function AgentListPage({ c, agents, widgets }: {
  c: AdminContext;
  agents: AgentRow[];
  widgets: WidgetRow[];
}) {
  const account = accountOf(c);
  const count = (id: string) => widgets.filter((w) => w.agentId === id).length;
  return (
    <AppShell title="Agents" section="agents" account={account} csrf={account.csrf}>
      <PageHeader
        title="Agents"
        subtitle="The AI agents your widgets talk to, by text and by voice."
        actions={agents.length > 0 && (
          <ButtonLink href="/admin/agents/new" icon="plus">New agent</ButtonLink>
        )}
      />
      <Notice text={noticeText(c, NOTICES)} />
      {agents.length === 0
        ? (
          <EmptyState
            icon="agent"
            title="No agents yet"
            action={<ButtonLink href="/admin/agents/new" icon="plus">Create an agent</ButtonLink>}
          >
            An agent answers your visitors. Link it to your Retell chat and voice agents, or try
            Parley with the built-in demo agent first.
          </EmptyState>
        )
        : (
          <div class="card card-flush">
            <table class="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Chat agent</th>
                  <th scope="col">Voice agent</th>
                  <th scope="col">Outbound number</th>
                  <th scope="col" class="num">Widgets</th>
                </tr>
              </thead>
              <tbody>
                {agents.map((a) => (
                  <tr key={a.id}>
                    <td>
                      <a class="row-link" href={`/admin/agents/${a.id}`}>{a.name}</a>
                    </td>
                    <td class={a.retellChatAgentId ? "mono" : "muted"} data-label="Chat agent">
                      {a.retellChatAgentId ??
                        (c.var.config.retellApiKey ? "Not set" : "Built-in demo")}
                    </td>
                    <td class={a.retellAgentId ? "mono" : "muted"} data-label="Voice agent">
                      {a.retellAgentId ?? "—"}
                    </td>
                    <td class="muted" data-label="Outbound number">{a.fromNumber ?? "—"}</td>
                    <td class="num" data-label="Widgets">{count(a.id)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
    </AppShell>
  );
}

/** The agent pages. */
export const agentPages = new Hono<AdminEnv>()
  .use(requireAccount(), requireManager())
  .get("/", async (c) => {
    const { organizationId } = accountOf(c);
    const [agents, widgets] = await Promise.all([
      listAgents(c.var.db, organizationId),
      listWidgets(c.var.db, organizationId),
    ]);
    return page(c, <AgentListPage c={c} agents={agents} widgets={widgets} />);
  })
  .get("/new", (c) =>
    page(
      c,
      <AgentFormPage c={c} values={{}} notice={noticeText(c, { welcome: NOTICES.welcome })} />,
    ))
  .post("/", requireCsrf("session"), async (c) => {
    const input = agentInput(await readForm(c));
    const parsed = AgentCreateSchema.safeParse(input);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error, input);
      return page(c, <AgentFormPage c={c} values={input} errors={errors} />, 400);
    }
    await createAgent(c.var.db, accountOf(c).organizationId, parsed.data);
    return c.redirect("/admin/agents?notice=created", 303);
  })
  .get("/:id", async (c) => {
    const id = idParam(c, "agent");
    const { organizationId } = accountOf(c);
    const agent = await getAgent(c.var.db, organizationId, id);
    if (!agent) throw notFound("agent", id);
    const widgets = (await listWidgets(c.var.db, organizationId)).filter((w) => w.agentId === id);
    const notice = noticeText(c, NOTICES);
    return page(
      c,
      <AgentFormPage c={c} agent={agent} widgets={widgets} values={agent} notice={notice} />,
    );
  })
  .post("/:id", requireCsrf("session"), async (c) => {
    const id = idParam(c, "agent");
    const { organizationId } = accountOf(c);
    const agent = await getAgent(c.var.db, organizationId, id);
    if (!agent) throw notFound("agent", id);
    const input = agentInput(await readForm(c));
    const parsed = AgentCreateSchema.safeParse(input);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error, input);
      return page(c, <AgentFormPage c={c} agent={agent} values={input} errors={errors} />, 400);
    }
    if (!await updateAgent(c.var.db, organizationId, id, parsed.data)) throw notFound("agent", id);
    return c.redirect(`/admin/agents/${id}?notice=saved`, 303);
  })
  .post("/:id/delete", requireCsrf("session"), async (c) => {
    const id = idParam(c, "agent");
    if (!await deleteAgent(c.var.db, accountOf(c).organizationId, id)) {
      throw notFound("agent", id);
    }
    return c.redirect("/admin/agents?notice=deleted", 303);
  });
