/** @module `/api/auth`: register, login, logout, me, accept an invitation. */
import { Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { adminOf, requireAdmin } from "../../lib/auth.ts";
import { HttpError } from "../../lib/errors.ts";
import {
  InviteAcceptSchema,
  LoginSchema,
  ProfileUpdateSchema,
  RegisterSchema,
} from "../../contract/requests.ts";
import { clientIp, rateLimitByIp } from "../../limits/rate_limit.ts";
import { countGuess, forgiveGuess } from "../../limits/login.ts";
import { checkPassword, issueAdminToken, register, revokeSignIn } from "../../team/sign_in.ts";
import { findUserWithOrganization, renameUser } from "../../db/queries/users.ts";
import type { Organization } from "../../db/schema.ts";
import { loadUser, userOf } from "../../team/guard.ts";
import { accept } from "../../team/invites.ts";
import { userJson } from "../../team/wire.ts";
import { doc } from "../../lib/openapi.ts";
import {
  LoggedInSchema,
  MeSchema,
  ProfileSchema,
  RegisteredSchema,
} from "../../contract/responses.ts";

const organizationJson = (o: Organization) => ({
  id: o.id,
  name: o.name,
  createdAt: o.createdAt.toISOString(),
});

export const authRoutes = new Hono<AppEnv>()
  .use(rateLimitByIp("auth"))
  .post(
    "/register",
    doc({
      summary: "Create an organization and its owner",
      auth: "none",
      body: RegisterSchema,
      responses: { 201: RegisteredSchema },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const { user, organization } = await register(c.var.db, c.var.config, body);
      const token = await issueAdminToken(c.var.db, c.var.config, {
        userId: user.id,
        organizationId: organization.id,
      });
      return c.json(
        { token, user: userJson(user), organization: organizationJson(organization) },
        201,
      );
    },
  )
  .post(
    "/login",
    doc({
      summary: "Sign in",
      auth: "none",
      body: LoginSchema,
      responses: { 200: LoggedInSchema },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const limits = c.var.deps.rateLimits;
      const address = clientIp(c);
      // Counted before the password is checked, so concurrent guesses cannot pass the limit.
      const locked = await countGuess(limits, body.email, address);
      if (locked) throw locked;
      const user = await checkPassword(c.var.db, c.var.config, body.email, body.password);
      if (!user) throw new HttpError(401, "unauthorized", "Email or password is incorrect");
      await forgiveGuess(limits, body.email, address);
      const token = await issueAdminToken(c.var.db, c.var.config, {
        userId: user.id,
        organizationId: user.organizationId,
      });
      return c.json({ token, user: userJson(user) });
    },
  )
  .post(
    "/logout",
    requireAdmin(),
    doc({
      summary: "Sign out (revokes this sign-in)",
      auth: "admin",
      responses: { 204: null },
    }),
    async (c) => {
      await revokeSignIn(c.var.db, adminOf(c));
      return c.body(null, 204);
    },
  )
  .get(
    "/me",
    requireAdmin(),
    doc({
      summary: "The signed-in user and organization",
      auth: "admin",
      responses: { 200: MeSchema },
    }),
    async (c) => {
      const found = await findUserWithOrganization(c.var.db, adminOf(c).userId);
      if (!found) throw new HttpError(401, "unauthorized", "This account no longer exists");
      return c.json({
        user: userJson(found.user),
        organization: organizationJson(found.organization),
      });
    },
  )
  .put(
    "/me",
    requireAdmin(),
    loadUser(),
    doc({
      summary: "Change the signed-in user's name",
      auth: "admin",
      body: ProfileUpdateSchema,
      responses: { 200: ProfileSchema },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const user = await renameUser(c.var.db, userOf(c).id, body.name);
      if (!user) throw new HttpError(401, "unauthorized", "This account no longer exists");
      return c.json({ user: userJson(user) });
    },
  )
  .post(
    "/accept-invite",
    doc({
      summary: "Join an organization with an invitation",
      auth: "none",
      body: InviteAcceptSchema,
      responses: { 201: LoggedInSchema },
    }),
    async (c) => {
      const body = c.req.valid("json");
      const user = await accept(c.var.db, body);
      const token = await issueAdminToken(c.var.db, c.var.config, {
        userId: user.id,
        organizationId: user.organizationId,
      });
      return c.json({ token, user: userJson(user) }, 201);
    },
  );
