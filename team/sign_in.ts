/**
 * @module Admin accounts: who may register (`SIGNUP`), checking a password (and raising an old
 * hash to the current cost), and admin tokens that are valid only while their sign-in is: each
 * token names an `admin_sessions` row, so logout and "Sign out everywhere" revoke it at once.
 * The JSON API (`routes/api/auth.ts`) and the admin pages (`routes/admin/auth.tsx`) share these.
 */
import type { Config } from "../config.ts";
import type { Db } from "../db/client.ts";
import type { User } from "../db/schema.ts";
import {
  createAdminSession,
  isAdminSessionLive,
  revokeAdminSession,
  revokeAllAdminSessions,
} from "../db/queries/admin_sessions.ts";
import { noOrganizationYet } from "../db/queries/organizations.ts";
import {
  createOrganizationWithUser,
  findUserByEmail,
  setPasswordHash,
} from "../db/queries/users.ts";
import { HttpError } from "../lib/errors.ts";
import { log } from "../lib/log.ts";
import { dummyHash, hashPassword, needsRehash, verifyPassword } from "../lib/passwords.ts";
import {
  ADMIN_TTL_SECONDS,
  type AdminClaims,
  signAdminToken,
  verifyAdminToken,
} from "../lib/tokens.ts";

/** What registering needs. */
export interface Registration {
  email: string;
  password: string;
  organizationName: string;
  name?: string;
}

/** True when a registration would be accepted now (open sign-up, or an empty database). */
export async function signupAllowed(db: Db, config: Config): Promise<boolean> {
  return config.signup === "open" || await noOrganizationYet(db);
}

const signupClosed = () =>
  new HttpError(
    403,
    "signup_closed",
    "Sign-up is closed on this Parley; ask the owner of your organization for an invitation",
  );

/**
 * Creates an organization and its owner. With sign-up closed only the very first registration
 * passes (checked inside the creating transaction, so two at once cannot both be first).
 */
export async function register(db: Db, config: Config, input: Registration) {
  if (!await signupAllowed(db, config)) throw signupClosed();
  if (await findUserByEmail(db, input.email)) {
    throw new HttpError(409, "conflict", "An account with this email already exists");
  }
  const created = await createOrganizationWithUser(db, {
    organizationName: input.organizationName,
    email: input.email,
    passwordHash: await hashPassword(input.password, config.passwordHashCost),
    name: input.name,
  }, { onlyIfFirst: config.signup !== "open" });
  if (!created) throw signupClosed();
  return created;
}

/**
 * The user whose email and password these are, or undefined. Always spends one scrypt, so the
 * time taken does not tell which emails exist; a hash below the current cost is replaced.
 */
export async function checkPassword(
  db: Db,
  config: Config,
  email: string,
  password: string,
): Promise<User | undefined> {
  const user = email ? await findUserByEmail(db, email) : undefined;
  const ok = await verifyPassword(
    password,
    user?.passwordHash ?? await dummyHash(config.passwordHashCost),
  );
  if (!user || !ok) return undefined;
  if (needsRehash(user.passwordHash, config.passwordHashCost)) {
    const hash = await hashPassword(password, config.passwordHashCost);
    await setPasswordHash(db, user.id, hash, user.passwordHash);
    log.info("password hash upgraded", { userId: user.id });
  }
  return user;
}

/** Starts a sign-in and returns its token. */
export async function issueAdminToken(
  db: Db,
  config: Config,
  who: { userId: string; organizationId: string },
): Promise<string> {
  const expiresAt = new Date(Date.now() + ADMIN_TTL_SECONDS * 1000);
  const sessionId = await createAdminSession(db, who.userId, expiresAt);
  return await signAdminToken(config.jwtSecret, { ...who, sessionId }, expiresAt);
}

/** Another token for the same sign-in (the admin pages' islands): revoked along with it. */
export function tokenForSameSignIn(config: Config, claims: AdminClaims): Promise<string> {
  return signAdminToken(config.jwtSecret, claims);
}

/** True while the token's sign-in is neither signed out nor revoked (lib/auth.ts asks this). */
export function signInLive(db: Db, claims: AdminClaims): Promise<boolean> {
  return isAdminSessionLive(db, claims.sessionId, claims.userId);
}

/** The admin a token speaks for, while its signature verifies and its sign-in is live. */
export async function adminFromToken(
  db: Db,
  secret: string,
  token: string,
): Promise<AdminClaims | undefined> {
  const claims = await verifyAdminToken(secret, token);
  if (!claims) return undefined;
  return await signInLive(db, claims) ? claims : undefined;
}

/** Ends one sign-in (logout). */
export async function revokeSignIn(db: Db, claims: AdminClaims): Promise<void> {
  await revokeAdminSession(db, claims.sessionId);
}

/** Ends every sign-in of the user ("Sign out everywhere"). */
export async function revokeEverySignIn(db: Db, userId: string): Promise<number> {
  return await revokeAllAdminSessions(db, userId);
}
