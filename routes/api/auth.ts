/** @module `/api/auth`: register, login, me. */
import { Hono } from "hono";
import type { AppEnv } from "../../context.ts";
import { adminOf, requireAdmin } from "../../lib/auth.ts";
import { HttpError } from "../../lib/errors.ts";
import { readJson } from "../../lib/validate.ts";
import {
  InviteAcceptSchema,
  LoginSchema,
  ProfileUpdateSchema,
  RegisterSchema,
} from "../../contract/requests.ts";
import { DUMMY_HASH, hashPassword, verifyPassword } from "../../lib/passwords.ts";
import { signAdminToken } from "../../lib/tokens.ts";
import { rateLimitByIp, tooMany } from "../../limits/rate_limit.ts";
import {
  createOrganizationWithUser,
  findUserByEmail,
  findUserWithOrganization,
} from "../../db/queries/users.ts";
import type { Organization } from "../../db/schema.ts";
import { renameUser } from "../../db/queries/users.ts";
import { loadUser, userOf } from "../../team/guard.ts";
import { accept } from "../../team/invites.ts";
import { userJson } from "../../team/wire.ts";

const organizationJson = (o: Organization) => ({
  id: o.id,
  name: o.name,
  createdAt: o.createdAt.toISOString(),
});

export const authRoutes = new Hono<AppEnv>()
  .use(rateLimitByIp("auth"))
  .post("/register", async (c) => {
    const body = await readJson(c, RegisterSchema);
    if (await findUserByEmail(c.var.db, body.email)) {
      throw new HttpError(409, "conflict", "An account with this email already exists");
    }
    const { user, organization } = await createOrganizationWithUser(c.var.db, {
      organizationName: body.organizationName,
      email: body.email,
      passwordHash: await hashPassword(body.password),
      name: body.name,
    });
    const token = await signAdminToken(c.var.config.jwtSecret, {
      userId: user.id,
      organizationId: organization.id,
    });
    return c.json(
      { token, user: userJson(user), organization: organizationJson(organization) },
      201,
    );
  })
  .post("/login", async (c) => {
    const body = await readJson(c, LoginSchema);
    const limits = c.var.deps.rateLimits;
    // A locked account answers 429 whatever the password, so guessing gains nothing while locked.
    const lockedFor = await limits.isBlocked("loginFailures", body.email);
    if (lockedFor !== undefined) throw tooMany(lockedFor);
    const user = await findUserByEmail(c.var.db, body.email);
    // Always spend one scrypt so response time does not tell which emails exist.
    const ok = await verifyPassword(body.password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      await limits.consume("loginFailures", body.email).catch(() => {});
      throw new HttpError(401, "unauthorized", "Email or password is incorrect");
    }
    await limits.reset("loginFailures", body.email);
    const token = await signAdminToken(c.var.config.jwtSecret, {
      userId: user.id,
      organizationId: user.organizationId,
    });
    return c.json({ token, user: userJson(user) });
  })
  .get("/me", requireAdmin(), async (c) => {
    const found = await findUserWithOrganization(c.var.db, adminOf(c).userId);
    if (!found) throw new HttpError(401, "unauthorized", "This account no longer exists");
    return c.json({
      user: userJson(found.user),
      organization: organizationJson(found.organization),
    });
  })
  .put("/me", requireAdmin(), loadUser(), async (c) => {
    const body = await readJson(c, ProfileUpdateSchema);
    const user = await renameUser(c.var.db, userOf(c).id, body.name);
    if (!user) throw new HttpError(401, "unauthorized", "This account no longer exists");
    return c.json({ user: userJson(user) });
  })
  .post("/accept-invite", async (c) => {
    const body = await readJson(c, InviteAcceptSchema);
    const user = await accept(c.var.db, body);
    const token = await signAdminToken(c.var.config.jwtSecret, {
      userId: user.id,
      organizationId: user.organizationId,
    });
    return c.json({ token, user: userJson(user) }, 201);
  });
