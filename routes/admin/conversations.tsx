/**
 * @module `/admin/conversations`: the inbox (filters by widget, status and date, pages of 25,
 * newest first) and one conversation beside it, both live (see the InboxList and Conversation
 * islands). Sessions are read through `db/queries/sessions.ts`, scoped to the organization.
 */
import { Hono } from "hono";
import { z } from "zod";
import { idParam } from "../../lib/validate.ts";
import { countWaiting, listSessions } from "../../db/queries/sessions.ts";
import { toCall, toLead, toMessage, toRating, toSession } from "../../db/wire.ts";
import { averageRatings, feedbackOf } from "../../db/queries/feedback.ts";
import {
  transcriptEntries,
  transcriptHtml,
  transcriptText,
} from "../../conversations/transcript.ts";
import { loadOrganizationConversation } from "../../conversations/access.ts";
import { listOrganizationUsers } from "../../db/queries/users.ts";
import { humanAuthor, isWaiting } from "../../conversations/people.ts";
import { listMessages } from "../../db/queries/messages.ts";
import { sessionActivity } from "../../db/queries/inbox.ts";
import { listCallsOf } from "../../db/queries/calls.ts";
import { listWidgets } from "../../db/queries/widgets.ts";
import type { SessionRow, WidgetRow } from "../../db/schema.ts";
import { AppShell } from "../../components/admin/Layout.tsx";
import { ButtonLink, EmptyState } from "../../components/admin/ui.tsx";
import { Icon } from "../../components/admin/icons.tsx";
import { Island } from "../../components/admin/Island.tsx";
import type { InboxItem } from "../../islands/admin/InboxList.tsx";
import type { ConversationProps } from "../../islands/admin/Conversation.tsx";
import { accountOf, type AdminContext, type AdminEnv, page, requireAccount } from "./middleware.ts";

const PAGE_SIZE = 25;
/** How much of one conversation the page loads (the oldest first). */
const MESSAGE_LIMIT = 500;

/** Filters from the query string; a malformed value is dropped rather than refused. */
const FiltersSchema = z.object({
  widget: z.uuid().optional().catch(undefined),
  status: z.enum(["active", "ended"]).optional().catch(undefined),
  date: z.iso.date().optional().catch(undefined),
  /** "waiting": a handoff asked for, no person has replied; "mine": assigned to me. */
  show: z.enum(["waiting", "mine", "unassigned"]).optional().catch(undefined),
  rated: z.enum(["yes", "no"]).optional().catch(undefined),
  before: z.uuid().optional().catch(undefined),
});
type Filters = z.infer<typeof FiltersSchema>;

function filtersOf(c: AdminContext): Filters {
  return FiltersSchema.parse({
    widget: c.req.query("widget") || undefined,
    status: c.req.query("status") || undefined,
    date: c.req.query("date") || undefined,
    show: c.req.query("show") || undefined,
    rated: c.req.query("rated") || undefined,
    before: c.req.query("before") || undefined,
  });
}

/** `?widget=…&status=…` for the filters that are set (and, optionally, the page cursor). */
function queryOf(filters: Filters, withCursor = false): string {
  const q = new URLSearchParams();
  if (filters.widget) q.set("widget", filters.widget);
  if (filters.status) q.set("status", filters.status);
  if (filters.date) q.set("date", filters.date);
  if (filters.show) q.set("show", filters.show);
  if (filters.rated) q.set("rated", filters.rated);
  if (withCursor && filters.before) q.set("before", filters.before);
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** A page of the inbox with each session's activity and widget name. */
async function loadInbox(c: AdminContext, filters: Filters) {
  const { organizationId, userId } = accountOf(c);
  // The date filter shows conversations started on that day or earlier (UTC).
  const dateCursor = filters.date ? `${filters.date}T23:59:59.999Z` : undefined;
  const [rows, widgets, users, waitingCount, ratings] = await Promise.all([
    listSessions(c.var.db, { organizationId }, {
      status: filters.status,
      widgetId: filters.widget,
      waiting: filters.show === "waiting" || undefined,
      assigneeId: filters.show === "mine"
        ? userId
        : filters.show === "unassigned"
        ? "none"
        : undefined,
      rated: filters.rated ? filters.rated === "yes" : undefined,
      limit: PAGE_SIZE,
      before: filters.before ?? dateCursor,
    }),
    listWidgets(c.var.db, organizationId),
    listOrganizationUsers(c.var.db, organizationId),
    countWaiting(c.var.db, organizationId),
    averageRatings(c.var.db, organizationId),
  ]);
  const nameOf = new Map(users.map((u) => [u.id, u.name || u.email]));
  const sessions = rows ?? [];
  const activity = await sessionActivity(c.var.db, sessions.map((s) => s.id));
  const widgetName = new Map(widgets.map((w) => [w.id, w.name]));
  const items: InboxItem[] = sessions.map((s: SessionRow) => {
    const a = activity.get(s.id);
    return {
      id: s.id,
      visitorId: s.visitorId,
      widgetName: s.widgetId ? widgetName.get(s.widgetId) ?? null : null,
      status: s.status,
      mode: s.mode,
      createdAt: s.createdAt.toISOString(),
      lastAt: (a?.last.createdAt ?? s.updatedAt).toISOString(),
      preview: a ? a.last.content.slice(0, 140) : null,
      previewSender: a?.last.senderType ?? null,
      messageCount: a?.count ?? 0,
      handler: s.handler,
      waiting: isWaiting(s),
      assigneeName: s.assigneeId ? nameOf.get(s.assigneeId) ?? null : null,
      previewHuman: !!a && humanAuthor(a.last) !== null,
    };
  });
  const nextBefore = sessions.length === PAGE_SIZE ? sessions.at(-1)!.id : undefined;
  const team = users.map((u) => ({ id: u.id, name: u.name || u.email }));
  return { items, widgets, ratings, nextBefore, team, waitingCount };
}

/** "Main site · ★ 4.3 (12 ratings)": the widget's average rating, when it has any. */
function widgetOption(w: WidgetRow, ratings: Map<string, { average: number; count: number }>) {
  const r = ratings.get(w.id);
  return r
    ? `${w.name} · ★ ${r.average.toFixed(1)} (${r.count} rating${r.count === 1 ? "" : "s"})`
    : w.name;
}

function FiltersForm(
  { filters, widgets, ratings }: {
    filters: Filters;
    widgets: WidgetRow[];
    ratings: Map<string, { average: number; count: number }>;
  },
) {
  return (
    <form
      method="get"
      action="/admin/conversations"
      class="filters"
      aria-label="Filter conversations"
    >
      <label class="sr-only" for="filter-widget">Widget</label>
      <select id="filter-widget" name="widget">
        <option value="">All widgets</option>
        {widgets.map((w) => (
          <option key={w.id} value={w.id} selected={w.id === filters.widget}>
            {widgetOption(w, ratings)}
          </option>
        ))}
      </select>
      <label class="sr-only" for="filter-status">Status</label>
      <select id="filter-status" name="status">
        <option value="">Any status</option>
        <option value="active" selected={filters.status === "active"}>Active</option>
        <option value="ended" selected={filters.status === "ended"}>Ended</option>
      </select>
      <label class="sr-only" for="filter-rated">Rating</label>
      <select id="filter-rated" name="rated">
        <option value="">Rated or not</option>
        <option value="yes" selected={filters.rated === "yes"}>Rated</option>
        <option value="no" selected={filters.rated === "no"}>Unrated</option>
      </select>
      <label class="sr-only" for="filter-date">Started on or before</label>
      <input
        id="filter-date"
        type="date"
        name="date"
        value={filters.date ?? ""}
        title="Started on or before"
      />
      <button type="submit" class="btn btn-secondary btn-sm">Filter</button>
      {(filters.widget || filters.status || filters.date || filters.rated) && (
        <a class="btn btn-ghost btn-sm" href="/admin/conversations">Clear</a>
      )}
    </form>
  );
}

const VIEWS = [
  { show: undefined, label: "All" },
  { show: "waiting", label: "Waiting for a human" },
  { show: "mine", label: "Mine" },
  { show: "unassigned", label: "Unassigned" },
] as const;

/** The inbox's views: all, waiting for a human (with its count), mine, unassigned. */
function Views({ filters, waitingCount }: { filters: Filters; waitingCount: number }) {
  return (
    <nav class="views" aria-label="Views">
      {VIEWS.map((v) => {
        const current = filters.show === v.show;
        return (
          <a
            key={v.label}
            href={`/admin/conversations${queryOf({ ...filters, show: v.show, before: undefined })}`}
            class={`view${current ? " active" : ""}${v.show === "waiting" ? " view-waiting" : ""}`}
            aria-current={current ? "page" : undefined}
          >
            {v.label}
            {v.show === "waiting" && (
              <span class="count" data-waiting-count={waitingCount}>{waitingCount}</span>
            )}
          </a>
        );
      })}
    </nav>
  );
}

function InboxPage(
  props: {
    c: AdminContext;
    filters: Filters;
    inbox: Awaited<ReturnType<typeof loadInbox>>;
    conversation?: ConversationProps;
  },
) {
  const { c, filters, inbox, conversation } = props;
  const account = accountOf(c);
  const live = !filters.before;
  const noWidgets = inbox.widgets.length === 0 && inbox.items.length === 0;
  const title = conversation ? "Conversation" : "Inbox";
  return (
    <AppShell title={title} section="inbox" account={account} csrf={account.csrf} wide>
      <div class={`inbox${conversation ? " has-selection" : ""}`}>
        <section class="inbox-pane" aria-labelledby="inbox-title">
          <header class="inbox-header">
            <h1 id="inbox-title">Inbox</h1>
            <Views filters={filters} waitingCount={inbox.waitingCount} />
            {!noWidgets && (
              <FiltersForm filters={filters} widgets={inbox.widgets} ratings={inbox.ratings} />
            )}
          </header>
          {noWidgets
            ? (
              <EmptyState
                icon="inbox"
                title="No conversations yet"
                action={
                  <ButtonLink href="/admin/widgets" icon="widget">Set up a widget</ButtonLink>
                }
              >
                Conversations appear here, live, as soon as a visitor writes to one of your widgets.
              </EmptyState>
            )
            : (
              <Island
                name="InboxList"
                props={{
                  items: inbox.items,
                  feedUrl: live ? `/admin/conversations/feed${queryOf(filters)}` : null,
                  linkQuery: queryOf(filters, true),
                  selectedId: conversation?.session.id,
                }}
              />
            )}
          {(filters.before || inbox.nextBefore) && (
            <nav class="pager" aria-label="Pages">
              {filters.before
                ? (
                  <a class="btn btn-ghost btn-sm" href={`/admin/conversations${queryOf(filters)}`}>
                    <Icon name="chevronLeft" size={16} /> Newest
                  </a>
                )
                : <span />}
              {inbox.nextBefore && (
                <a
                  class="btn btn-ghost btn-sm"
                  href={`/admin/conversations${
                    queryOf({ ...filters, before: inbox.nextBefore }, true)
                  }`}
                >
                  Older <Icon name="chevronRight" size={16} />
                </a>
              )}
            </nav>
          )}
        </section>
        <section class="conv-pane" aria-label="Conversation">
          {conversation
            ? <Island name="Conversation" props={conversation} />
            : (
              <div class="conv-placeholder">
                <Icon name="inbox" size={32} />
                <p>Select a conversation to read it here, live.</p>
              </div>
            )}
        </section>
      </div>
    </AppShell>
  );
}

/** The inbox pages. */
export const conversationPages = new Hono<AdminEnv>()
  .use(requireAccount())
  .get("/", async (c) => {
    const filters = filtersOf(c);
    return page(c, <InboxPage c={c} filters={filters} inbox={await loadInbox(c, filters)} />);
  })
  // Read-only JSON for the live list; the cookie session suffices (no change, no CORS).
  .get("/feed", async (c) => {
    const { items } = await loadInbox(c, { ...filtersOf(c), before: undefined });
    return c.json({ items });
  })
  .get("/:id", async (c) => {
    const id = idParam(c, "conversation");
    const { organizationId } = accountOf(c);
    const { session, widget, agent } = await loadOrganizationConversation(
      c.var.db,
      organizationId,
      id,
    );
    const filters = filtersOf(c);
    const [inbox, messages, calls, feedback] = await Promise.all([
      loadInbox(c, filters),
      listMessages(c.var.db, session.id, { limit: MESSAGE_LIMIT }),
      listCallsOf(c.var.db, session.id),
      feedbackOf(c.var.db, [session.id]),
    ]);
    const conversation: ConversationProps = {
      session: toSession(session),
      messages: messages.map(toMessage),
      // Oldest first, like the timeline.
      calls: calls.map(toCall).reverse(),
      widgetName: widget?.name ?? null,
      agentName: agent?.name ?? null,
      backHref: `/admin/conversations${queryOf(filters, true)}`,
      me: { id: accountOf(c).userId, name: accountOf(c).name },
      team: inbox.team,
      lead: feedback.leads.has(session.id) ? toLead(feedback.leads.get(session.id)!) : null,
      rating: feedback.ratings.has(session.id) ? toRating(feedback.ratings.get(session.id)!) : null,
    };
    return page(c, <InboxPage c={c} filters={filters} inbox={inbox} conversation={conversation} />);
  })
  // The transcript for the team, on the cookie session (the API's route wants a Bearer token).
  .get("/:id/transcript", async (c) => {
    const id = idParam(c, "conversation");
    const { session, widget } = await loadOrganizationConversation(
      c.var.db,
      accountOf(c).organizationId,
      id,
    );
    const [messages, calls] = await Promise.all([
      listMessages(c.var.db, session.id, { limit: 5000 }),
      listCallsOf(c.var.db, session.id, 500),
    ]);
    const header = { title: widget?.headerText ?? "Conversation", session };
    const entries = transcriptEntries(session, messages, calls);
    c.header("Cache-Control", "no-store");
    if (c.req.query("format") === "html") {
      c.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
      return c.html(transcriptHtml(header, entries));
    }
    c.header("Content-Disposition", `attachment; filename="conversation-${session.id}.txt"`);
    return c.text(transcriptText(header, entries));
  });
