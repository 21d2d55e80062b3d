/**
 * @module The widget editor's "Identity verification" card: generate or rotate the widget's
 * identity secret (shown once, right after it is made), and how a site signs its visitors in.
 */
import type { WidgetRow } from "../../db/schema.ts";
import { PostForm } from "./ui.tsx";
import { Snippet } from "./EmbedCode.tsx";

const NODE = `import { SignJWT } from "jose"; // npm i jose (Deno: "npm:jose")

const identityToken = await new SignJWT({ name: user.name, email: user.email })
  .setProtectedHeader({ alg: "HS256" })
  .setSubject(String(user.id))
  .setExpirationTime("10m")
  .sign(new TextEncoder().encode(process.env.PARLEY_IDENTITY_SECRET));`;

const DENO = `import { SignJWT } from "npm:jose";

const identityToken = await new SignJWT({ name: user.name, email: user.email })
  .setProtectedHeader({ alg: "HS256" })
  .setSubject(String(user.id))
  .setExpirationTime("10m")
  .sign(new TextEncoder().encode(Deno.env.get("PARLEY_IDENTITY_SECRET")));`;

const PYTHON = `import jwt, time, os  # pip install pyjwt

identity_token = jwt.encode(
    {"sub": str(user.id), "name": user.name, "email": user.email, "exp": int(time.time()) + 600},
    os.environ["PARLEY_IDENTITY_SECRET"], algorithm="HS256")`;

const PHP = `use Firebase\\JWT\\JWT; // composer require firebase/php-jwt

$identityToken = JWT::encode(
    ['sub' => (string) $user->id, 'name' => $user->name, 'email' => $user->email, 'exp' => time() + 600],
    getenv('PARLEY_IDENTITY_SECRET'), 'HS256');`;

/** The card; `secret` only on the page answering "Generate". */
export function IdentitySection(
  { widget, csrf, origin, secret }: {
    widget: WidgetRow;
    csrf: string;
    origin: string;
    secret?: string;
  },
) {
  const has = widget.identitySecretSealed !== null;
  const page = `<script>
  window.rtlChatWidget = { widgetId: "${widget.id}", identityToken: "<token from your server>" };
</script>
<script src="${origin}/embed/widget.js" async></script>`;
  return (
    <section class="card" aria-labelledby="identity-title" id="identity">
      <h2 id="identity-title">Identity verification</h2>
      <p class="muted">
        Your server signs a short token for each signed-in visitor; their conversations then follow
        them to any device, the agent can greet them by name (<code>{"{{customer_name}}"}</code>),
        and the inbox marks them verified.
      </p>
      {secret && (
        <div class="notice notice-warn" role="status">
          <p>
            <strong>Copy this secret now:</strong>{" "}
            it is not shown again. Keep it on your server only.
          </p>
          <Snippet
            id="identity-secret"
            title="Identity secret"
            hint="Set it as PARLEY_IDENTITY_SECRET on your server."
            code={secret}
          />
        </div>
      )}
      <p>
        {has
          ? "A secret is set. Rotating it makes a new one; tokens signed with the old one stop working at once."
          : "No secret yet: generate one to start verifying visitors."}
      </p>
      <PostForm action={`/admin/widgets/${widget.id}/identity-secret`} csrf={csrf}>
        <button type="submit" class={has ? "btn btn-secondary" : "btn btn-primary"}>
          {has ? "Rotate secret" : "Generate secret"}
        </button>
      </PostForm>
      <Snippet
        id="identity-node"
        title="Sign a token: Node"
        hint="An HS256 JWT: sub (your user id), optional name, email, phone (E.164), and exp."
        code={NODE}
      />
      <Snippet id="identity-deno" title="Deno" hint="The same with npm:jose." code={DENO} />
      <Snippet id="identity-python" title="Python" hint="With PyJWT." code={PYTHON} />
      <Snippet id="identity-php" title="PHP" hint="With firebase/php-jwt." code={PHP} />
      <Snippet
        id="identity-page"
        title="On the page"
        hint="Or later, after a sign-in: rtlChatWidget.identify(token)."
        code={page}
      />
    </section>
  );
}
