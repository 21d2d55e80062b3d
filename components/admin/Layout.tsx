/** @module The admin document, the signed-in shell (sidebar + main) and the sign-in shell. */
import type { ComponentChildren } from "preact";
import { Icon, type IconName, Logo } from "./icons.tsx";
import { CsrfField } from "./ui.tsx";

/** Who is signed in, as the shell shows it. */
export interface Account {
  userId: string;
  email: string;
  name: string;
  role: "owner" | "admin" | "member";
  organizationId: string;
  organizationName: string;
}

/** Sections of the sidebar. */
export type Section = "inbox" | "widgets" | "agents" | "webhooks" | "team" | "settings";

/** Where the stylesheet and the islands bundle are served (routes/admin/assets.ts). */
export const ASSETS = { css: "/admin/assets/admin.css", js: "/admin/assets/admin.js" } as const;

/** The HTML document: head with the stylesheet, the CSRF meta tag and the islands bundle. */
export function Document(
  props: {
    title: string;
    csrf?: string;
    bodyClass?: string;
    children: ComponentChildren;
  },
) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="color-scheme" content="light" />
        <title>{`${props.title} · Parley`}</title>
        <link rel="stylesheet" href={ASSETS.css} />
        {props.csrf && <meta name="csrf-token" content={props.csrf} />}
        <script type="module" src={ASSETS.js} />
      </head>
      <body class={props.bodyClass}>{props.children}</body>
    </html>
  );
}

const NAV: {
  section: Section;
  href: string;
  label: string;
  icon: IconName;
  /** Owners and admins only: members work conversations. */
  managers?: true;
}[] = [
  { section: "inbox", href: "/admin/conversations", label: "Inbox", icon: "inbox" },
  { section: "widgets", href: "/admin/widgets", label: "Widgets", icon: "widget", managers: true },
  { section: "agents", href: "/admin/agents", label: "Agents", icon: "agent", managers: true },
  { section: "team", href: "/admin/team", label: "Team", icon: "team", managers: true },
  {
    section: "webhooks",
    href: "/admin/webhooks",
    label: "Webhooks",
    icon: "webhook",
    managers: true,
  },
  {
    section: "settings",
    href: "/admin/settings",
    label: "Settings",
    icon: "settings",
    managers: true,
  },
];

/** The signed-in page: sidebar (a top bar on phones) and the main column. */
export function AppShell(
  props: {
    title: string;
    /** The sidebar entry to mark as current (none on error pages). */
    section?: Section;
    account: Account;
    csrf: string;
    wide?: boolean;
    narrow?: boolean;
    children: ComponentChildren;
  },
) {
  const width = props.wide ? " main-wide" : props.narrow ? " main-narrow" : "";
  const initial = props.account.organizationName.trim().charAt(0).toUpperCase() || "P";
  return (
    <Document title={props.title} csrf={props.csrf}>
      <a class="skip-link" href="#main">Skip to content</a>
      <div class="shell">
        <aside class="sidebar">
          <a class="brand" href="/admin/conversations" aria-label="Parley home">
            <Logo />
            <span>Parley</span>
          </a>
          <nav class="nav" aria-label="Main">
            {NAV.filter((item) => !item.managers || props.account.role !== "member").map((item) => (
              <a
                key={item.section}
                href={item.href}
                class={`nav-item${item.section === props.section ? " active" : ""}`}
                aria-current={item.section === props.section ? "page" : undefined}
              >
                <Icon name={item.icon} />
                <span>{item.label}</span>
              </a>
            ))}
          </nav>
          <div class="account">
            <div class="account-avatar" aria-hidden="true">{initial}</div>
            <div class="account-text">
              <strong>{props.account.organizationName}</strong>
              <span title={`${props.account.name} · ${props.account.role}`}>
                {props.account.email}
              </span>
            </div>
            <form method="post" action="/admin/logout" class="signout">
              <CsrfField token={props.csrf} />
              <button type="submit" class="icon-button" title="Sign out" aria-label="Sign out">
                <Icon name="logout" />
              </button>
            </form>
          </div>
        </aside>
        <main id="main" class={`main${width}`} tabIndex={-1}>
          {props.children}
        </main>
      </div>
    </Document>
  );
}

/** The centered card of the sign-in and sign-up pages. */
export function AuthShell(
  props: { title: string; children: ComponentChildren; footer: ComponentChildren },
) {
  return (
    <Document title={props.title} bodyClass="auth-body">
      <main class="auth" id="main">
        <div class="auth-brand">
          <Logo size={36} />
          <span>Parley</span>
        </div>
        <div class="auth-card">
          <h1>{props.title}</h1>
          {props.children}
        </div>
        <p class="auth-footer">{props.footer}</p>
      </main>
    </Document>
  );
}
