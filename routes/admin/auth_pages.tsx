/** @module The sign-in, sign-up and invitation pages that `auth.tsx`'s routes render. */
import { AuthShell } from "../../components/admin/Layout.tsx";
import {
  ErrorSummary,
  type FieldErrors,
  Notice,
  PostForm,
  TextField,
} from "../../components/admin/ui.tsx";

const SignInInstead = () => (
  <>
    Already have an account? <a href="/admin/login">Sign in</a>
  </>
);

export function LoginPage(
  props: {
    csrf: string;
    email?: string;
    next?: string;
    error?: string;
    notice?: string;
    signupOpen: boolean;
  },
) {
  return (
    <AuthShell
      title="Sign in"
      footer={props.signupOpen
        ? (
          <>
            New to Parley? <a href="/admin/signup">Create an account</a>
          </>
        )
        : <>New accounts join by invitation from their organization.</>}
    >
      <Notice text={props.notice} />
      <ErrorSummary message={props.error} />
      <PostForm action="/admin/login" csrf={props.csrf} class="stack">
        {props.next && <input type="hidden" name="next" value={props.next} />}
        <TextField
          name="email"
          label="Email"
          type="email"
          value={props.email}
          autocomplete="username"
          required
          autofocus={!props.email}
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          autocomplete="current-password"
          required
          autofocus={!!props.email}
        />
        <button type="submit" class="btn btn-primary btn-block">Sign in</button>
      </PostForm>
    </AuthShell>
  );
}

/** Shown instead of the sign-up form while sign-up is closed. */
export function SignupClosedPage() {
  return (
    <AuthShell
      title="Sign-up is closed"
      footer={<SignInInstead />}
    >
      <p class="auth-lead">
        This Parley does not take new organizations. Ask the owner of your organization for an
        invitation.
      </p>
    </AuthShell>
  );
}

export function SignupPage(
  props: { csrf: string; values?: Record<string, string>; errors?: FieldErrors },
) {
  const v = props.values ?? {}, e = props.errors ?? {};
  return (
    <AuthShell
      title="Create your account"
      footer={<SignInInstead />}
    >
      <p class="auth-lead">Put a chat and voice assistant on your site in a few minutes.</p>
      <ErrorSummary errors={props.errors} />
      <PostForm action="/admin/signup" csrf={props.csrf} class="stack" novalidate>
        <TextField
          name="organizationName"
          label="Organization"
          value={v.organizationName}
          error={e.organizationName}
          placeholder="Acme Inc."
          autocomplete="organization"
          maxLength={100}
          required
          autofocus
        />
        <TextField
          name="email"
          label="Work email"
          type="email"
          value={v.email}
          error={e.email}
          autocomplete="email"
          required
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          error={e.password}
          hint="At least 8 characters."
          autocomplete="new-password"
          required
        />
        <button type="submit" class="btn btn-primary btn-block">Create account</button>
      </PostForm>
    </AuthShell>
  );
}

/** The page where an invited teammate picks their name and password. */
export function InvitePage(
  props: {
    csrf: string;
    token: string;
    email: string;
    role: string;
    values?: { name?: string };
    errors?: FieldErrors;
  },
) {
  return (
    <AuthShell
      title="Join your team"
      footer={<SignInInstead />}
    >
      <p class="muted">
        You were invited to Parley as <strong>{props.role}</strong> with{" "}
        <strong>{props.email}</strong>.
      </p>
      <ErrorSummary errors={props.errors} />
      <PostForm action="/admin/invite" csrf={props.csrf} novalidate>
        <input type="hidden" name="token" value={props.token} />
        <TextField
          name="name"
          label="Your name"
          value={props.values?.name}
          error={props.errors?.name}
          hint="Visitors see it on your replies."
          autocomplete="name"
          required
          autofocus
        />
        <TextField
          name="password"
          label="Password"
          type="password"
          error={props.errors?.password}
          hint="At least 8 characters."
          autocomplete="new-password"
          required
        />
        <button type="submit" class="btn btn-primary btn-block">Join the team</button>
      </PostForm>
    </AuthShell>
  );
}
