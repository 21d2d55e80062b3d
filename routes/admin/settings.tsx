/**
 * @module `/admin/settings`: the organization's Retell connection (paste a key, see which account
 * it is and what it holds, disconnect; the per-organization webhook URL), how long conversations
 * are kept (SPEC v2.4 `retentionDays`), sign-up as the owner sees it, and "Sign out everywhere".
 */
import { Hono } from "hono";
import { HttpError } from "../../lib/errors.ts";
import { OrganizationUpdateSchema, RetellKeySchema } from "../../contract/requests.ts";
import { getOrganization, setRetentionDays } from "../../db/queries/retention.ts";
import { findOrganizationUser } from "../../db/queries/users.ts";
import { MANAGERS } from "../../team/guard.ts";
import { createRetellClient } from "../../agents/retell.ts";
import { type AccountInventory, checkKey, inventory } from "../../agents/retell_account.ts";
import type { RetellAccount } from "../../agents/tenancy.ts";
import { signupAllowed } from "../../team/sign_in.ts";
import { selfOrigin } from "../../lib/origins.ts";
import { AppShell } from "../../components/admin/Layout.tsx";
import {
  Badge,
  ErrorSummary,
  Notice,
  PageHeader,
  PostForm,
  TextField,
} from "../../components/admin/ui.tsx";
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
  connected: "Retell account connected. Your agents now use it for every chat and call.",
  disconnected: "Retell account disconnected. The key was deleted from Parley.",
  retention: "Retention saved.",
};

interface SettingsProps {
  c: AdminContext;
  account?: RetellAccount;
  holdings?: AccountInventory | "unavailable";
  signupOpen: boolean;
  signupMode: "open" | "closed";
  error?: string;
  /** Days an untouched conversation is kept; null keeps them until deleted by hand. */
  retentionDays: number | null;
  /** A refused retention form: what was typed, and why. */
  retention?: { choice: string; days: string; error: string };
}

function Holdings({ holdings }: { holdings: SettingsProps["holdings"] }) {
  if (!holdings) return null;
  if (holdings === "unavailable") {
    return <p class="muted">Retell did not answer just now, so its agents are not listed.</p>;
  }
  const voice = holdings.agents.filter((a) => a.channel === "voice").length;
  const chat = holdings.agents.length - voice;
  return (
    <dl class="retell-stats">
      <div>
        <dt>Voice agents</dt>
        <dd>{voice}</dd>
      </div>
      <div>
        <dt>Chat agents</dt>
        <dd>{chat}</dd>
      </div>
      <div>
        <dt>Phone numbers</dt>
        <dd>{holdings.phoneNumbers.length}</dd>
      </div>
    </dl>
  );
}

function ConnectForm(props: { csrf: string; error?: string; replacing: boolean }) {
  return (
    <PostForm action="/admin/settings/retell" csrf={props.csrf} class="stack" novalidate>
      <ErrorSummary message={props.error} />
      <TextField
        name="apiKey"
        label={props.replacing ? "New Retell API key" : "Retell API key"}
        type="password"
        autocomplete="off"
        error={props.error ? "Check the key" : undefined}
        hint="From the Retell dashboard, Settings → API keys. Parley checks it with Retell and stores it encrypted; it is never shown again."
        class="mono"
        required
      />
      <div class="form-actions">
        <button type="submit" class="btn btn-primary">
          {props.replacing ? "Replace key" : "Connect Retell"}
        </button>
      </div>
    </PostForm>
  );
}

function RetellCard(props: SettingsProps) {
  const me = accountOf(props.c);
  const own = props.account?.source === "organization";
  const holdings = props.holdings && props.holdings !== "unavailable" ? props.holdings : undefined;
  return (
    <section class="card" aria-labelledby="retell-title">
      <div class="card-title-row">
        <h2 id="retell-title">Retell account</h2>
        {own
          ? <Badge tone="green">Connected</Badge>
          : props.account
          ? <Badge tone="blue">Shared key</Badge>
          : <Badge tone="gray">Demo agent</Badge>}
      </div>
      {own && (
        <>
          <p class="retell-account">
            <strong>{holdings?.organizationName ?? "Your Retell account"}</strong>
            <span class="mono muted">key {props.account!.keyHint}</span>
          </p>
          <Holdings holdings={props.holdings} />
        </>
      )}
      {props.account?.source === "deployment" && (
        <p class="muted">
          Your agents use this Parley's own Retell key (<span class="mono">
            {props.account.keyHint}
          </span>). Connect your organization's key to use your own agents, numbers and billing.
        </p>
      )}
      {!props.account && (
        <p class="muted">
          Without a Retell account your widgets answer with the built-in demo agent and calls are
          simulated. Connect your key to use your own Retell agents and phone numbers.
        </p>
      )}
      <ConnectForm csrf={me.csrf} error={props.error} replacing={own} />
      {own && (
        <details class="disconnect">
          <summary class="btn btn-danger-outline">Disconnect…</summary>
          <PostForm
            action="/admin/settings/retell/disconnect"
            csrf={me.csrf}
            class="confirm-delete"
          >
            <p>Chats and calls stop using this account at once.</p>
            <button type="submit" class="btn btn-danger">Yes, disconnect</button>
          </PostForm>
        </details>
      )}
    </section>
  );
}

function WebhookCard({ c }: { c: AdminContext }) {
  const url = `${selfOrigin(c.var.config.publicUrl, c.req.url)}/api/retell/webhook/${
    accountOf(c).organizationId
  }`;
  return (
    <section class="card" aria-labelledby="retell-webhook-title">
      <h2 id="retell-webhook-title">Retell webhook URL</h2>
      <p class="muted">
        Set this as the webhook URL of your Retell voice agents, so calls move back to the chat with
        their transcript. Events are verified with your key and only touch your calls.
      </p>
      <div class="copy-row">
        <code class="mono break" id="retell-webhook-url">{url}</code>
        <Island name="CopyButton" props={{ text: url, label: "Copy URL" }} />
      </div>
    </section>
  );
}

function RetentionCard(props: SettingsProps) {
  const me = accountOf(props.c);
  const typed = props.retention;
  const keep = typed ? typed.choice !== "days" : props.retentionDays === null;
  return (
    <section class="card" aria-labelledby="retention-title">
      <h2 id="retention-title">Data retention</h2>
      <p class="muted">
        Conversations nobody has touched for longer than this are deleted for good, with their
        messages, calls, leads and ratings. Parley checks every 15 minutes.
      </p>
      <PostForm action="/admin/settings/retention" csrf={me.csrf} class="stack" novalidate>
        <ErrorSummary message={typed?.error} />
        <fieldset class="field retention-choice">
          <legend>Keep conversations</legend>
          <label class="radio-row">
            <input type="radio" name="retention" value="forever" checked={keep} />
            <span>Until they are deleted by hand</span>
          </label>
          <label class="radio-row">
            <input type="radio" name="retention" value="days" checked={!keep} />
            <span>For a number of days after their last activity</span>
          </label>
        </fieldset>
        <TextField
          name="retentionDays"
          label="Days to keep"
          type="number"
          value={typed?.days ?? (props.retentionDays === null ? "" : String(props.retentionDays))}
          error={typed?.error ? "Enter a whole number of days from 1 to 36,500" : undefined}
          hint="Used when a number of days is chosen above; 30, 90 or 365 are common."
          class="retention-days"
        />
        <div class="form-actions">
          <button type="submit" class="btn btn-primary">Save retention</button>
        </div>
      </PostForm>
    </section>
  );
}

function SecurityCard(props: SettingsProps) {
  const me = accountOf(props.c);
  return (
    <section class="card" aria-labelledby="security-title">
      <h2 id="security-title">Sign-in</h2>
      <div class="setting-row">
        <div>
          <strong>New organizations</strong>
          <p class="muted">
            {props.signupMode === "open"
              ? "Sign-up is open: anyone can create an organization on this Parley (SIGNUP=open)."
              : "Sign-up is closed: new people join by invitation (SIGNUP=closed)."}
          </p>
        </div>
        {props.signupOpen ? <Badge tone="amber">Open</Badge> : <Badge tone="gray">Closed</Badge>}
      </div>
      <div class="setting-row">
        <div>
          <strong>Sign out everywhere</strong>
          <p class="muted">
            Ends every session of {me.email}: other browsers, phones and API tokens, and this one.
          </p>
        </div>
        <PostForm action="/admin/logout-everywhere" csrf={me.csrf}>
          <button type="submit" class="btn btn-secondary">Sign out everywhere</button>
        </PostForm>
      </div>
    </section>
  );
}

function SettingsPage(props: SettingsProps) {
  const me = accountOf(props.c);
  return (
    <AppShell title="Settings" section="settings" account={me} csrf={me.csrf} narrow>
      <PageHeader
        title="Settings"
        subtitle="Your organization's Retell account, how long conversations are kept, and how people sign in."
      />
      <Notice text={noticeText(props.c, NOTICES)} />
      <div class="stack settings">
        <RetellCard {...props} />
        <WebhookCard c={props.c} />
        <RetentionCard {...props} />
        <SecurityCard {...props} />
      </div>
    </AppShell>
  );
}

/** How long the settings page waits for Retell to describe the account. */
const SETTINGS_RETELL_TIMEOUT_MS = 4_000;

async function settingsProps(
  c: AdminContext,
  error?: string,
  retention?: SettingsProps["retention"],
): Promise<SettingsProps> {
  const { db, deps, config } = c.var;
  const account = await deps.tenants.accountOf(db, accountOf(c).organizationId);
  let holdings: SettingsProps["holdings"];
  if (account?.source === "organization") {
    // A slow Retell must not hold the page (its client retries for up to a minute).
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), SETTINGS_RETELL_TIMEOUT_MS);
    holdings = await inventory(deps.tenants.client(account.apiKey), { signal: timeout.signal })
      .catch(() => "unavailable" as const)
      .finally(() => clearTimeout(timer));
  }
  const organization = await getOrganization(db, accountOf(c).organizationId);
  return {
    c,
    account,
    holdings,
    error,
    retention,
    retentionDays: organization?.retentionDays ?? null,
    signupMode: config.signup,
    signupOpen: await signupAllowed(db, config),
  };
}

/** The settings pages. */
export const settingsPages = new Hono<AdminEnv>()
  .use(requireAccount())
  // Members work conversations only: the Retell account is for owners and admins.
  .use(async (c, next) => {
    const { organizationId, userId } = accountOf(c);
    const user = await findOrganizationUser(c.var.db, organizationId, userId);
    if (!user || !MANAGERS.includes(user.role)) {
      throw new HttpError(403, "forbidden", "Only owners and admins manage the settings");
    }
    await next();
  })
  .get("/", async (c) => page(c, <SettingsPage {...await settingsProps(c)} />))
  .post("/retell", requireCsrf("session"), async (c) => {
    const form = await readForm(c);
    const parsed = RetellKeySchema.safeParse({ apiKey: form.apiKey ?? "" });
    if (!parsed.success) {
      const props = await settingsProps(c, "Paste the API key from your Retell dashboard.");
      return page(c, <SettingsPage {...props} />, 400);
    }
    const { config, db, deps } = c.var;
    try {
      await checkKey(createRetellClient({
        apiKey: parsed.data.apiKey,
        baseUrl: config.retellBaseUrl,
        timeoutMs: config.retellTimeoutMs,
        maxRetries: 0,
      }));
    } catch (err) {
      if (!(err instanceof HttpError)) throw err;
      const message = err.code === "retell_key_invalid"
        ? "Retell does not accept this key. Copy it again from the Retell dashboard."
        : "Retell could not be reached to check the key. Try again in a moment.";
      return page(c, <SettingsPage {...await settingsProps(c, message)} />, 400);
    }
    await deps.tenants.connect(db, accountOf(c).organizationId, parsed.data.apiKey);
    return c.redirect("/admin/settings?notice=connected", 303);
  })
  .post("/retention", requireCsrf("session"), async (c) => {
    const form = await readForm(c);
    const choice = form.retention === "days" ? "days" : "forever";
    const days = (form.retentionDays ?? "").trim();
    // The API's own rule (PUT /api/organization), so the page and the API never disagree.
    const parsed = OrganizationUpdateSchema.safeParse({
      retentionDays: choice === "forever" ? null : days === "" ? NaN : Number(days),
    });
    if (!parsed.success) {
      const props = await settingsProps(c, undefined, {
        choice,
        days,
        error: "Enter how many days to keep conversations: a whole number from 1 to 36,500.",
      });
      return page(c, <SettingsPage {...props} />, 400);
    }
    await setRetentionDays(
      c.var.db,
      accountOf(c).organizationId,
      parsed.data.retentionDays ?? null,
    );
    return c.redirect("/admin/settings?notice=retention", 303);
  })
  .post("/retell/disconnect", requireCsrf("session"), async (c) => {
    await c.var.deps.tenants.disconnect(c.var.db, accountOf(c).organizationId);
    return c.redirect("/admin/settings?notice=disconnected", 303);
  });
