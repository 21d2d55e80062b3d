/** @module `/admin/agents`: list, create, edit and delete the organization's agents. */
import { Hono } from "hono";
import { AgentCreateSchema } from "../../contract/requests.ts";
import { HttpError, notFound } from "../../lib/errors.ts";
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
} from "../../components/admin/ui.tsx";
import {
  AgentFields,
  type AgentValues,
  type RetellChoices,
} from "../../components/admin/AgentFields.tsx";
import { agentChoices, checkAgentResources } from "../../agents/tenancy.ts";
import type { AccountAgent, AgentResources } from "../../agents/retell_account.ts";
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

/** What the form offers for the Retell ids, from the account the organization uses. */
async function formChoices(c: AdminContext): Promise<RetellChoices> {
  const choices = await agentChoices(c.var.deps, accountOf(c).organizationId);
  if (choices.kind !== "listed") return choices;
  const agent = (a: AccountAgent) => ({
    value: a.id,
    label: a.name === a.id ? a.id : `${a.name} (${a.id})`,
  });
  return {
    kind: "listed",
    chatAgents: choices.chatAgents.map(agent),
    voiceAgents: choices.voiceAgents.map(agent),
    phoneNumbers: choices.phoneNumbers.map((n) => ({
      value: n.number,
      label: n.nickname ? `${n.number} · ${n.nickname}` : n.number,
    })),
  };
}

/**
 * The save's last check: the ids must exist in the organization's own Retell account (SPEC
 * v2.2), as through the API. Returns the field errors (or the form's message) to show, if any.
 */
async function retellProblems(
  c: AdminContext,
  fields: AgentResources,
): Promise<{ errors?: FieldErrors; message?: string; status: 400 | 502 } | undefined> {
  try {
    await checkAgentResources(c.var.deps, accountOf(c).organizationId, fields);
    return undefined;
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    if (err.code === "retell_resource_unknown") {
      const connected = !err.message.startsWith("Connect");
      const errors: FieldErrors = {};
      for (const d of (err.details ?? []) as { path: string }[]) {
        const what = FIELD_NAMES[d.path] ?? d.path;
        errors[d.path] = connected
          ? `${what[0].toUpperCase()}${what.slice(1)} is not in your Retell account`
          : `Connect a Retell account before choosing ${what}`;
      }
      return { errors, status: 400 };
    }
    if (err.code === "retell_failed") {
      return {
        message: "Retell did not answer, so the agent could not be checked. Try again in a moment.",
        status: 502,
      };
    }
    throw err;
  }
}

const FIELD_NAMES: Record<string, string> = {
  retellChatAgentId: "the chat agent",
  retellAgentId: "the voice agent",
  fromNumber: "the outbound number",
};

function AgentFormPage(
  props: {
    c: AdminContext;
    agent?: AgentRow;
    widgets?: WidgetRow[];
    values: AgentValues;
    choices: RetellChoices;
    errors?: FieldErrors;
    /** A problem with the whole form (Retell did not answer). */
    message?: string;
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
      <ErrorSummary errors={props.errors} message={props.message} />
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
            choices={props.choices}
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

function AgentListPage({ c, agents, widgets, retell }: {
  c: AdminContext;
  agents: AgentRow[];
  widgets: WidgetRow[];
  /** Whether the organization uses a Retell account (else the demo agent answers). */
  retell: boolean;
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
                        (retell ? "Not set" : "Built-in demo")}
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
    const [agents, widgets, account] = await Promise.all([
      listAgents(c.var.db, organizationId),
      listWidgets(c.var.db, organizationId),
      c.var.deps.tenants.accountOf(c.var.db, organizationId),
    ]);
    return page(
      c,
      <AgentListPage c={c} agents={agents} widgets={widgets} retell={!!account} />,
    );
  })
  .get("/new", async (c) =>
    page(
      c,
      <AgentFormPage
        c={c}
        values={{}}
        choices={await formChoices(c)}
        notice={noticeText(c, { welcome: NOTICES.welcome })}
      />,
    ))
  .post("/", requireCsrf("session"), async (c) => {
    const input = agentInput(await readForm(c));
    const parsed = AgentCreateSchema.safeParse(input);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error, input);
      const choices = await formChoices(c);
      return page(c, <AgentFormPage c={c} values={input} choices={choices} errors={errors} />, 400);
    }
    const problem = await retellProblems(c, parsed.data);
    if (problem) {
      const choices = await formChoices(c);
      return page(
        c,
        <AgentFormPage c={c} values={input} choices={choices} {...problem} />,
        problem.status,
      );
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
      <AgentFormPage
        c={c}
        agent={agent}
        widgets={widgets}
        values={agent}
        choices={await formChoices(c)}
        notice={notice}
      />,
    );
  })
  .post("/:id", requireCsrf("session"), async (c) => {
    const id = idParam(c, "agent");
    const { organizationId } = accountOf(c);
    const agent = await getAgent(c.var.db, organizationId, id);
    if (!agent) throw notFound("agent", id);
    const input = agentInput(await readForm(c));
    const parsed = AgentCreateSchema.safeParse(input);
    const problem = parsed.success
      ? await retellProblems(c, parsed.data)
      : { errors: fieldErrors(parsed.error, input), status: 400 as const };
    if (problem || !parsed.success) {
      return page(
        c,
        <AgentFormPage
          c={c}
          agent={agent}
          values={input}
          choices={await formChoices(c)}
          {...problem}
        />,
        problem?.status ?? 400,
      );
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
