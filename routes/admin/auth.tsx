/** @module `/admin/login`, `/admin/signup`, `/admin/logout`: the cookie session's life. */
import { Hono, type MiddlewareHandler } from "hono";
import { deleteCookie } from "hono/cookie";
import { InviteAcceptSchema, LoginSchema, RegisterSchema } from "../../contract/requests.ts";
import { HttpError } from "../../lib/errors.ts";
import { accept, usableInvite } from "../../team/invites.ts";
import {
  adminFromToken,
  checkPassword,
  issueAdminToken,
  register,
  revokeEverySignIn,
  revokeSignIn,
  signupAllowed,
} from "../../team/sign_in.ts";
import { clientIp, rateLimitByIp } from "../../limits/rate_limit.ts";
import { countGuess, forgiveGuess } from "../../limits/login.ts";
import { csrfToken, newNonce } from "../../lib/csrf.ts";
import {
  clearSessionCookie,
  COOKIE_PATH,
  ensurePreSessionNonce,
  PRE_SESSION_COOKIE,
  readSessionCookie,
  setSessionCookie,
} from "../../lib/session_cookie.ts";
import { findUserByEmail } from "../../db/queries/users.ts";
import type { FieldErrors } from "../../components/admin/ui.tsx";
import { InvitePage, LoginPage, SignupClosedPage, SignupPage } from "./auth_pages.tsx";
import {
  type AdminContext,
  type AdminEnv,
  noticeText,
  page,
  readForm,
  requireAccount,
  requireCsrf,
  safeNext,
} from "./middleware.ts";
import { fieldErrors } from "./forms.ts";

/**
 * Sign-in and sign-up share the JSON API's budget per IP (`auth`), so the pages are no way around
 * it; sign-in guesses are counted per (email, address) in the handler (`limits/login.ts`).
 */
const authRateLimit = rateLimitByIp("auth") as unknown as MiddlewareHandler<AdminEnv>;

async function preSessionCsrf(c: AdminContext): Promise<string> {
  const nonce = ensurePreSessionNonce(c, newNonce, c.var.config.publicUrl);
  return await csrfToken(c.var.config.jwtSecret, nonce);
}

/** True when the request already carries a valid session (skip the sign-in form). */
async function signedIn(c: AdminContext): Promise<boolean> {
  const cookie = readSessionCookie(c);
  return !!cookie && !!await adminFromToken(c.var.db, c.var.config.jwtSecret, cookie);
}

async function startSession(c: AdminContext, userId: string, organizationId: string) {
  const token = await issueAdminToken(c.var.db, c.var.config, { userId, organizationId });
  setSessionCookie(c, token, c.var.config.publicUrl);
  deleteCookie(c, PRE_SESSION_COOKIE, { path: COOKIE_PATH });
}

const NOTICES = {
  "signed-out": "You have been signed out.",
  "signed-out-everywhere": "You have been signed out on every device and browser.",
};

/** An invitation that cannot be used, as a page (the JSON API says 404 or 410). */
function inviteProblem(err: unknown): never {
  if (err instanceof HttpError && (err.status === 404 || err.status === 410)) {
    throw new HttpError(
      err.status,
      err.code,
      `${err.message}. Ask whoever invited you for a new link.`,
    );
  }
  throw err;
}

/** The sign-in, sign-up and sign-out routes. */
export const authPages = new Hono<AdminEnv>()
  .get("/", (c) => c.redirect("/admin/conversations", 302))
  .get("/login", async (c) => {
    const next = c.req.query("next");
    if (await signedIn(c)) return c.redirect(safeNext(next), 303);
    const notice = noticeText(c, NOTICES);
    return page(
      c,
      <LoginPage
        csrf={await preSessionCsrf(c)}
        next={next}
        notice={notice}
        signupOpen={await signupAllowed(c.var.db, c.var.config)}
      />,
    );
  })
  .post("/login", requireCsrf("pre-session"), authRateLimit, async (c) => {
    const form = await readForm(c);
    const parsed = LoginSchema.safeParse({
      email: form.email ?? "",
      password: form.password ?? "",
    });
    const email = parsed.success ? parsed.data.email : "";
    const limits = c.var.deps.rateLimits;
    const again = async (error: string, status: 401 | 429) =>
      page(
        c,
        <LoginPage
          csrf={await preSessionCsrf(c)}
          email={form.email}
          next={form.next}
          error={error}
          signupOpen={await signupAllowed(c.var.db, c.var.config)}
        />,
        status,
      );
    // The guess is counted before the password is checked; a locked pair answers the same
    // whatever the password, so guessing gains nothing.
    const address = clientIp(c);
    const locked = email ? await countGuess(limits, email, address) : undefined;
    if (locked) {
      for (const [name, value] of Object.entries(locked.headers ?? {})) c.header(name, value);
      const seconds = (locked.details as { retryAfterSeconds: number }).retryAfterSeconds;
      const minutes = Math.max(1, Math.ceil(seconds / 60));
      const plural = minutes === 1 ? "" : "s";
      return await again(
        `Too many failed attempts for this account. Try again in ${minutes} minute${plural}.`,
        429,
      );
    }
    const user = await checkPassword(
      c.var.db,
      c.var.config,
      email,
      parsed.success ? parsed.data.password : "",
    );
    if (!user) return await again("Email or password is incorrect", 401);
    await forgiveGuess(limits, email, address);
    await startSession(c, user.id, user.organizationId);
    return c.redirect(safeNext(form.next), 303);
  })
  .get("/signup", async (c) => {
    if (await signedIn(c)) return c.redirect("/admin/conversations", 303);
    if (!await signupAllowed(c.var.db, c.var.config)) return page(c, <SignupClosedPage />, 403);
    return page(c, <SignupPage csrf={await preSessionCsrf(c)} />);
  })
  .post("/signup", requireCsrf("pre-session"), authRateLimit, async (c) => {
    if (!await signupAllowed(c.var.db, c.var.config)) return page(c, <SignupClosedPage />, 403);
    const form = await readForm(c);
    const input = {
      email: (form.email ?? "").trim(),
      password: form.password ?? "",
      organizationName: form.organizationName ?? "",
    };
    const parsed = RegisterSchema.safeParse(input);
    let errors: FieldErrors | undefined;
    if (!parsed.success) errors = fieldErrors(parsed.error, input);
    else if (await findUserByEmail(c.var.db, parsed.data.email)) {
      errors = { email: "An account with this email already exists. Sign in instead?" };
    }
    if (errors || !parsed.success) {
      const values = { email: input.email, organizationName: input.organizationName };
      return page(
        c,
        <SignupPage csrf={await preSessionCsrf(c)} values={values} errors={errors} />,
        400,
      );
    }
    let created;
    try {
      created = await register(c.var.db, c.var.config, parsed.data);
    } catch (err) {
      // Another organization was created between the check above and now.
      if (err instanceof HttpError && err.code === "signup_closed") {
        return page(c, <SignupClosedPage />, 403);
      }
      throw err;
    }
    await startSession(c, created.user.id, created.organization.id);
    return c.redirect("/admin/agents/new?notice=welcome", 303);
  })
  .get("/invite", async (c) => {
    const token = (c.req.query("token") ?? "").slice(0, 200);
    const invite = await usableInvite(c.var.db, token).catch(inviteProblem);
    return page(
      c,
      <InvitePage
        csrf={await preSessionCsrf(c)}
        token={token}
        email={invite.email}
        role={invite.role}
      />,
    );
  })
  .post("/invite", requireCsrf("pre-session"), authRateLimit, async (c) => {
    const form = await readForm(c);
    const input = { token: form.token ?? "", name: form.name ?? "", password: form.password ?? "" };
    const invite = await usableInvite(c.var.db, input.token.slice(0, 200)).catch(inviteProblem);
    const parsed = InviteAcceptSchema.safeParse(input);
    if (!parsed.success) {
      return page(
        c,
        <InvitePage
          csrf={await preSessionCsrf(c)}
          token={input.token}
          email={invite.email}
          role={invite.role}
          values={{ name: input.name }}
          errors={fieldErrors(parsed.error, input)}
        />,
        400,
      );
    }
    const user = await accept(c.var.db, parsed.data).catch(inviteProblem);
    await startSession(c, user.id, user.organizationId);
    return c.redirect("/admin/conversations", 303);
  })
  // Signing out revokes the cookie's token (and the islands' tokens of the same sign-in).
  .post("/logout", requireAccount(), requireCsrf("session"), async (c) => {
    const claims = c.get("admin");
    if (claims) await revokeSignIn(c.var.db, claims);
    clearSessionCookie(c, c.var.config.publicUrl);
    return c.redirect("/admin/login?notice=signed-out", 303);
  })
  // Every sign-in of this user, on every device, including API tokens from /api/auth/login.
  .post("/logout-everywhere", requireAccount(), requireCsrf("session"), async (c) => {
    const claims = c.get("admin");
    if (claims) await revokeEverySignIn(c.var.db, claims.userId);
    clearSessionCookie(c, c.var.config.publicUrl);
    return c.redirect("/admin/login?notice=signed-out-everywhere", 303);
  });
