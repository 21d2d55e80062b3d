/**
 * @module `/admin/team`: invite teammates by email and role (the link is shown to copy: no mail
 * server is assumed), see pending invitations, the members and their roles, remove a member.
 * Owners and admins only; the domain rules are `team/`'s, as for the JSON API.
 */
import { Hono } from "hono";
import { InviteCreateSchema } from "../../contract/requests.ts";
import { HttpError, notFound } from "../../lib/errors.ts";
import { idParam } from "../../lib/validate.ts";
import { invite, inviteUrl } from "../../team/invites.ts";
import { deleteInvite, listPendingInvites } from "../../db/queries/invites.ts";
import {
  deleteNonOwner,
  findOrganizationUser,
  listOrganizationUsers,
} from "../../db/queries/users.ts";
import type { InviteRow, User } from "../../db/schema.ts";
import { AppShell } from "../../components/admin/Layout.tsx";
import { Island } from "../../components/admin/Island.tsx";
import {
  ErrorSummary,
  type FieldErrors,
  Notice,
  PageHeader,
  PostForm,
} from "../../components/admin/ui.tsx";
import { initials } from "../../components/widget/MessageBubble.tsx";
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
import { fieldErrors } from "./forms.ts";

const NOTICES = {
  removed: "Member removed. Their sign-ins stopped working at once.",
  withdrawn: "Invitation withdrawn.",
};

const dateOf = (d: Date) =>
  d.toLocaleDateString("en", { year: "numeric", month: "short", day: "numeric" });

function TeamPage(props: {
  c: AdminContext;
  members: User[];
  invites: InviteRow[];
  created?: { email: string; role: string; url: string };
  values?: { email?: string; role?: string };
  errors?: FieldErrors;
}) {
  const { c, members, invites } = props;
  const account = accountOf(c);
  return (
    <AppShell title="Team" section="team" account={account} csrf={account.csrf}>
      <PageHeader
        title="Team"
        subtitle="Who works your conversations. Members see the inbox only; admins also manage widgets, agents and the team."
      />
      <Notice text={noticeText(c, NOTICES)} />
      <div class="team-grid">
        <section class="card" aria-labelledby="invite-title">
          <h2 id="invite-title">Invite a teammate</h2>
          <ErrorSummary errors={props.errors} />
          <PostForm action="/admin/team/invites" csrf={account.csrf} class="invite-form" novalidate>
            <div class={`field${props.errors?.email ? " field-invalid" : ""}`}>
              <label for="f-email">Email</label>
              <input
                id="f-email"
                name="email"
                type="email"
                placeholder="teammate@company.com"
                value={props.values?.email ?? ""}
                autocomplete="off"
                aria-invalid={props.errors?.email ? "true" : undefined}
                required
              />
            </div>
            <div class="field">
              <label for="f-role">Role</label>
              <select id="f-role" name="role">
                <option value="member" selected={props.values?.role !== "admin"}>Member</option>
                <option value="admin" selected={props.values?.role === "admin"}>Admin</option>
              </select>
            </div>
            <button type="submit" class="btn btn-primary">Create invite link</button>
          </PostForm>
          {props.created && (
            <div class="invite-link" role="status">
              <input
                readOnly
                value={props.created.url}
                aria-label={`Invite link for ${props.created.email}`}
              />
              <Island name="CopyButton" props={{ text: props.created.url, label: "Copy link" }} />
            </div>
          )}
          <p class="hint">
            {props.created
              ? `Send this link to ${props.created.email}: it works once, for 7 days, and is not shown again.`
              : "Parley shows you a link to send; it works once, for 7 days."}
          </p>
        </section>

        <section class="card card-flush" aria-labelledby="members-title">
          <h2 id="members-title" class="card-title-pad">Members · {members.length}</h2>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" class="hide-phone">Email</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.id} class="member-row" data-member-id={m.id}>
                  <td>
                    <div class="member-cell">
                      <span class="member-avatar" aria-hidden="true">
                        {initials(m.name || m.email)}
                      </span>
                      <span>
                        <strong>{m.name || m.email}</strong>
                        {m.id === account.userId && <span class="muted">&nbsp;(you)</span>}
                      </span>
                    </div>
                  </td>
                  <td class="muted hide-phone">{m.email}</td>
                  <td data-label="Role">
                    <span class={`role role-${m.role}`}>{m.role}</span>
                  </td>
                  <td class="num">
                    {m.role !== "owner" && m.id !== account.userId && (
                      <PostForm action={`/admin/team/members/${m.id}/remove`} csrf={account.csrf}>
                        <button
                          type="submit"
                          class="btn btn-ghost btn-sm btn-danger-text"
                          aria-label={`Remove ${m.name || m.email}`}
                        >
                          Remove
                        </button>
                      </PostForm>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section class="card card-flush" aria-labelledby="pending-title">
          <h2 id="pending-title" class="card-title-pad">Pending invitations · {invites.length}</h2>
          {invites.length === 0
            ? <p class="muted card-title-pad">No invitations waiting.</p>
            : (
              <table class="table">
                <thead>
                  <tr>
                    <th scope="col">Email</th>
                    <th scope="col">Role</th>
                    <th scope="col" class="hide-phone">Expires</th>
                    <th scope="col">
                      <span class="sr-only">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {invites.map((i) => (
                    <tr key={i.id} class="member-row">
                      <td>{i.email}</td>
                      <td data-label="Role">
                        <span class={`role role-${i.role}`}>{i.role}</span>
                      </td>
                      <td class="muted hide-phone">{dateOf(i.expiresAt)}</td>
                      <td class="num">
                        <PostForm
                          action={`/admin/team/invites/${i.id}/withdraw`}
                          csrf={account.csrf}
                        >
                          <button type="submit" class="btn btn-ghost btn-sm">Withdraw</button>
                        </PostForm>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
        </section>
      </div>
    </AppShell>
  );
}

async function load(c: AdminContext) {
  const { organizationId } = accountOf(c);
  const [members, invites] = await Promise.all([
    listOrganizationUsers(c.var.db, organizationId),
    listPendingInvites(c.var.db, organizationId),
  ]);
  return { members, invites };
}

/** The team pages. */
export const teamPages = new Hono<AdminEnv>()
  .use(requireAccount(), requireManager())
  .get("/", async (c) => page(c, <TeamPage c={c} {...await load(c)} />))
  .post("/invites", requireCsrf("session"), async (c) => {
    const form = await readForm(c);
    const input = { email: (form.email ?? "").trim(), role: form.role ?? "member" };
    const parsed = InviteCreateSchema.safeParse(input);
    if (!parsed.success) {
      const errors = fieldErrors(parsed.error, input);
      return page(c, <TeamPage c={c} {...await load(c)} values={input} errors={errors} />, 400);
    }
    const me = await findOrganizationUser(
      c.var.db,
      accountOf(c).organizationId,
      accountOf(c).userId,
    );
    if (!me) throw new HttpError(401, "unauthorized", "Sign in to continue");
    try {
      const { row, token } = await invite(c.var.db, me, parsed.data);
      const origin = new URL(c.var.config.publicUrl ?? c.req.url).origin;
      const created = { email: row.email, role: row.role, url: inviteUrl(origin, token) };
      return page(c, <TeamPage c={c} {...await load(c)} created={created} />);
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 409)) throw err;
      const errors = { email: err.message };
      return page(c, <TeamPage c={c} {...await load(c)} values={input} errors={errors} />, 400);
    }
  })
  .post("/invites/:id/withdraw", requireCsrf("session"), async (c) => {
    const id = idParam(c, "invite");
    if (!await deleteInvite(c.var.db, accountOf(c).organizationId, id)) {
      throw notFound("invite", id);
    }
    return c.redirect("/admin/team?notice=withdrawn", 303);
  })
  .post("/members/:id/remove", requireCsrf("session"), async (c) => {
    const id = idParam(c, "member");
    const { organizationId } = accountOf(c);
    const target = await findOrganizationUser(c.var.db, organizationId, id);
    if (!target) throw notFound("member", id);
    if (target.role === "owner") {
      throw new HttpError(403, "forbidden", "The owner of the organization cannot be removed");
    }
    await deleteNonOwner(c.var.db, organizationId, id);
    return c.redirect("/admin/team?notice=removed", 303);
  });
