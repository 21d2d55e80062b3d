/**
 * @module Response bodies of the JSON routes that are not a single resource: lists, pairs and the
 * answers of authentication and calls.
 */
import { z } from "zod";
import {
  CallKindSchema,
  CallStatusSchema,
  InviteRoleSchema,
  RetellSourceSchema,
  RoleSchema,
} from "./enums.ts";
import {
  AgentSchema,
  CallSchema,
  LeadSchema,
  MessageSchema,
  OrganizationSchema,
  PublicWidgetConfigSchema,
  RatingSchema,
  SessionSchema,
  UserSchema,
  WidgetSchema,
} from "./wire.ts";

/** `POST /api/auth/register`. */
export const RegisteredSchema = z.object({
  token: z.string(),
  user: UserSchema,
  organization: OrganizationSchema,
}).meta({ id: "Registered" });

/** `POST /api/auth/login`. */
export const LoggedInSchema = z.object({ token: z.string(), user: UserSchema }).meta({
  id: "LoggedIn",
});

/** `GET /api/auth/me`. */
export const MeSchema = z.object({ user: UserSchema, organization: OrganizationSchema }).meta({
  id: "Me",
});

export const AgentListSchema = z.object({ agents: z.array(AgentSchema) }).meta({ id: "AgentList" });
export const WidgetListSchema = z.object({ widgets: z.array(WidgetSchema) }).meta({
  id: "WidgetList",
});
export const SessionListSchema = z.object({
  sessions: z.array(SessionSchema),
  /** Pass as `before` for the next page; null on the last one. */
  nextBefore: z.uuid().nullable(),
}).meta({ id: "SessionList" });
export const MessageListSchema = z.object({ messages: z.array(MessageSchema) }).meta({
  id: "MessageList",
});

/** `POST /api/chat/sessions/:id/messages`: the stored message and the agent's stored answer. */
export const MessagePairSchema = z.object({
  userMessage: MessageSchema,
  agentMessage: MessageSchema.nullable(),
}).meta({ id: "MessagePair" });
export type MessagePair = z.infer<typeof MessagePairSchema>;

/** `POST /embed/auth`. */
export const EmbedAuthResponseSchema = z.object({
  token: z.string(),
  visitorId: z.string(),
  /** Only for a new visitor: what proves it from now on. */
  visitorKey: z.string().optional(),
  /** True when an identity token made this the verified visitor `u_<sub>` (SPEC v2.4). */
  verified: z.boolean(),
  /**
   * The visitor sealed by the server for this widget and host name (also set as a partitioned
   * HttpOnly cookie): what the host page may keep where the frame can keep nothing.
   */
  sealedVisitor: z.string().optional(),
  /** A resumed visitor's latest conversation. */
  sessionId: z.uuid().optional(),
  agentId: z.uuid(),
  themeColor: z.string(),
  headerText: z.string(),
  welcomeMessage: z.string(),
  expiresAt: z.iso.datetime(),
}).meta({ id: "EmbedAuth" });
export type EmbedAuthResponse = z.infer<typeof EmbedAuthResponseSchema>;

/**
 * What the loader shows before the chat exists, worked out by the server for the page that asks
 * (its language and colour), so the loader carries no strings and no colour maths.
 */
export const LauncherSchema = z.object({
  /** The language of `labels`: the page's `locale`, else the widget's, else the browser's. */
  locale: z.string(),
  /** The launcher's colour: the page's `themeColor` when it is a hex colour, else the widget's. */
  color: z.string(),
  /** White or near-black, whichever reaches 3:1 on `color` (WCAG non-text contrast). */
  iconColor: z.enum(["#ffffff", "#111827"]),
  labels: z.object({
    open: z.string(),
    close: z.string(),
    /** The closed launcher while replies wait; `{n}` stands for the count. */
    unread: z.string(),
    /** The teaser bubble's close button. */
    dismiss: z.string(),
  }),
}).meta({ id: "Launcher" });
export type Launcher = z.infer<typeof LauncherSchema>;

/** `GET /embed/config/:widgetId`: the public configuration plus the launcher for that page. */
export const EmbedConfigSchema = PublicWidgetConfigSchema.extend({
  launcher: LauncherSchema,
}).meta({ id: "EmbedConfig" });
export type EmbedConfig = z.infer<typeof EmbedConfigSchema>;

/** `POST /api/widgets/:id/identity-secret`: shown once. */
export const IdentitySecretSchema = z.object({ secret: z.string() }).meta({ id: "IdentitySecret" });

/** `PUT /api/organization`. */
export const OrganizationSettingsSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  retentionDays: z.number().int().nullable(),
  createdAt: z.iso.datetime(),
}).meta({ id: "OrganizationSettings" });

/**
 * `GET` and `PUT /api/organization/retell`: whether a Retell key is connected, its last four
 * characters and where it comes from; the key itself is never returned.
 */
export const RetellConnectionSchema = z.discriminatedUnion("connected", [
  z.object({
    connected: z.literal(true),
    /** "…abcd" */
    keyHint: z.string(),
    source: RetellSourceSchema,
  }),
  z.object({ connected: z.literal(false), keyHint: z.null(), source: z.null() }),
]).meta({ id: "RetellConnection" });
export type RetellConnection = z.infer<typeof RetellConnectionSchema>;

/** `POST /api/chat/sessions/:id/voice` and `/voice/end`. */
export const CallStartedSchema = z.object({
  chatSessionId: z.uuid(),
  callId: z.uuid(),
  retellCallId: z.string().nullable(),
  status: CallStatusSchema,
  phoneNumber: z.string().nullable(),
  kind: CallKindSchema,
  /** When the caller agreed to the widget's voice consent text; null when none was asked. */
  consentAt: z.iso.datetime().nullable(),
  /** A browser call's token for the Retell web client. */
  accessToken: z.string().optional(),
  /** The offline demo agent answers: no real call is placed. */
  simulated: z.literal(true).optional(),
}).meta({ id: "CallStarted" });
export type CallStarted = z.infer<typeof CallStartedSchema>;

/** `GET /healthz`. */
export const HealthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  db: z.enum(["ok", "unavailable"]),
}).meta({ id: "Health" });

/** `PUT /api/auth/me`. */
export const ProfileSchema = z.object({ user: UserSchema }).meta({ id: "Profile" });

/** `POST /api/organization/invites`: the token and link are shown once. */
export const InviteCreatedSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: InviteRoleSchema,
  token: z.string(),
  inviteUrl: z.string(),
  expiresAt: z.iso.datetime(),
}).meta({ id: "InviteCreated" });

/** A pending invitation (its token was shown once, at creation). */
export const PendingInviteSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  role: InviteRoleSchema,
  expiresAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
}).meta({ id: "PendingInvite" });
export const InviteListSchema = z.object({ invites: z.array(PendingInviteSchema) }).meta({
  id: "InviteList",
});

/** A member of the organization. */
export const MemberSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
}).meta({ id: "Member" });
export const MemberListSchema = z.object({ members: z.array(MemberSchema) }).meta({
  id: "MemberList",
});

/** `GET /api/visitors/:visitorId/export`: everything stored about one visitor. */
export const VisitorExportSchema = z.object({
  visitorId: z.string(),
  exportedAt: z.iso.datetime(),
  sessions: z.array(SessionSchema),
  messages: z.array(MessageSchema),
  calls: z.array(CallSchema.extend({ transcript: z.string().nullable() })),
  leads: z.array(LeadSchema),
  ratings: z.array(RatingSchema),
}).meta({ id: "VisitorExport" });
