/**
 * @module The drizzle schema: the single source of row types. The SQL that creates these tables is
 * in `migrations/`; `tests/db/migrate_test.ts` ("the drizzle schema matches the tables the
 * migrations create") checks the two agree.
 */
import {
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
} from "drizzle-orm/pg-core";
import {
  CALL_KINDS,
  CALL_STATUSES,
  COLOR_SCHEMES,
  INVITE_ROLES,
  MESSAGE_TYPES,
  POSITIONS,
  ROLES,
  SENDER_TYPES,
  SESSION_HANDLERS,
  SESSION_MODES,
  SESSION_STATUSES,
  VOICE_MODES,
} from "../contract/enums.ts";
import type { PreChatForm, Teaser } from "../contract/wire.ts";

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true }).notNull().defaultNow();

export const organizations = pgTable("organizations", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: varchar("name", { length: 100 }).notNull(),
  /** Conversations untouched for longer are purged (`conversations/retention.ts`); null keeps them. */
  retentionDays: integer("retention_days"),
  /** The organization's Retell key, sealed by `lib/secret_box.ts`; never leaves the server. */
  retellKeySealed: text("retell_key_sealed"),
  retellKeyHint: varchar("retell_key_hint", { length: 8 }),
  retellKeyUpdatedAt: timestamp("retell_key_updated_at", { withTimezone: true }),
  createdAt: createdAt(),
});

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  organizationId: uuid("organization_id").notNull().references(() => organizations.id, {
    onDelete: "cascade",
  }),
  email: varchar("email", { length: 254 }).notNull().unique(),
  passwordHash: text("password_hash").notNull(),
  name: varchar("name", { length: 100 }).notNull().default(""),
  role: varchar("role", { length: 10, enum: ROLES }).notNull().default("member"),
  createdAt: createdAt(),
}, (t) => [index("users_organization_idx").on(t.organizationId)]);

/** An invitation to join an organization; only the token's SHA-256 is stored. */
export const invites = pgTable("invites", {
  id: uuid("id").primaryKey().defaultRandom(),
  organizationId: uuid("organization_id").notNull().references(() => organizations.id, {
    onDelete: "cascade",
  }),
  email: varchar("email", { length: 254 }).notNull(),
  role: varchar("role", { length: 10, enum: INVITE_ROLES }).notNull(),
  tokenHash: varchar("token_hash", { length: 64 }).notNull().unique(),
  invitedBy: uuid("invited_by").references(() => users.id, { onDelete: "set null" }),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  acceptedAt: timestamp("accepted_at", { withTimezone: true }),
  createdAt: createdAt(),
}, (t) => [index("invites_organization_idx").on(t.organizationId, t.createdAt)]);

/** One admin sign-in; its id is the admin token's `jti`, valid while the row is. */
export const adminSessions = pgTable("admin_sessions", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  createdAt: createdAt(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
}, (t) => [index("admin_sessions_user_idx").on(t.userId, t.expiresAt)]);

export const agents = pgTable("agents", {
  id: uuid("id").primaryKey().defaultRandom(),
  organizationId: uuid("organization_id").notNull().references(() => organizations.id, {
    onDelete: "cascade",
  }),
  name: varchar("name", { length: 100 }).notNull(),
  retellAgentId: varchar("retell_agent_id", { length: 100 }),
  retellChatAgentId: varchar("retell_chat_agent_id", { length: 100 }),
  fromNumber: varchar("from_number", { length: 20 }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index("agents_organization_idx").on(t.organizationId)]);

export const widgetConfigurations = pgTable("widget_configurations", {
  id: uuid("id").primaryKey().defaultRandom(),
  organizationId: uuid("organization_id").notNull().references(() => organizations.id, {
    onDelete: "cascade",
  }),
  name: varchar("name", { length: 100 }).notNull(),
  agentId: uuid("agent_id").notNull().references(() => agents.id, { onDelete: "cascade" }),
  themeColor: varchar("theme_color", { length: 20 }).notNull().default("#0088FF"),
  headerText: varchar("header_text", { length: 100 }).notNull().default("Chat with us"),
  welcomeMessage: text("welcome_message"),
  allowedDomains: text("allowed_domains").array().notNull().default([]),
  isActive: boolean("is_active").notNull().default(true),
  position: varchar("position", { length: 20, enum: POSITIONS }).notNull().default("bottom-right"),
  width: varchar("width", { length: 20 }).notNull().default("350px"),
  height: varchar("height", { length: 20 }).notNull().default("550px"),
  autoOpen: boolean("auto_open").notNull().default(false),
  voiceMode: varchar("voice_mode", { length: 10, enum: VOICE_MODES }).notNull().default("web"),
  /** ISO 3166-1 alpha-2 codes a phone call may ring; empty: no phone calls. */
  phoneCountries: text("phone_countries").array().notNull().default([]),
  /** The identity secret, AES-GCM sealed: it must stay usable to verify host-signed tokens. */
  identitySecretSealed: text("identity_secret_sealed"),
  requireIdentity: boolean("require_identity").notNull().default(false),
  preChatForm: jsonb("pre_chat_form").$type<PreChatForm | null>(),
  /** A BCP 47 tag we speak (SPEC v2.5); null: the visitor's browser decides. */
  locale: varchar("locale", { length: 35 }),
  colorScheme: varchar("color_scheme", { length: 10, enum: COLOR_SCHEMES }).notNull()
    .default("light"),
  hideLauncher: boolean("hide_launcher").notNull().default(false),
  teaser: jsonb("teaser").$type<Teaser | null>(),
  /** When set, no call starts before the visitor agreed to it. */
  voiceConsentText: text("voice_consent_text"),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index("widget_configurations_organization_idx").on(t.organizationId)]);

export const chatSessions = pgTable("chat_sessions", {
  id: uuid("id").primaryKey().defaultRandom(),
  organizationId: uuid("organization_id").notNull().references(() => organizations.id, {
    onDelete: "cascade",
  }),
  agentId: uuid("agent_id").notNull().references(() => agents.id, { onDelete: "cascade" }),
  widgetId: uuid("widget_id").references(() => widgetConfigurations.id, { onDelete: "set null" }),
  visitorId: varchar("visitor_id", { length: 100 }).notNull(),
  status: varchar("status", { length: 20, enum: SESSION_STATUSES }).notNull().default("active"),
  mode: varchar("mode", { length: 10, enum: SESSION_MODES }).notNull().default("chat"),
  retellChatId: varchar("retell_chat_id", { length: 100 }),
  metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  /** True when name, email, phone and the `u_` id came from a verified identity token. */
  visitorVerified: boolean("visitor_verified").notNull().default(false),
  visitorName: varchar("visitor_name", { length: 200 }),
  visitorEmail: varchar("visitor_email", { length: 254 }),
  visitorPhone: varchar("visitor_phone", { length: 32 }),
  handler: varchar("handler", { length: 10, enum: SESSION_HANDLERS }).notNull().default("ai"),
  assigneeId: uuid("assignee_id").references(() => users.id, { onDelete: "set null" }),
  handoffRequestedAt: timestamp("handoff_requested_at", { withTimezone: true }),
  /** The last human reply: "waiting" is a handoff request with none since. */
  humanRepliedAt: timestamp("human_replied_at", { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
  endedAt: timestamp("ended_at", { withTimezone: true }),
}, (t) => [
  index("chat_sessions_org_visitor_idx").on(t.organizationId, t.visitorId),
  index("chat_sessions_org_assignee_idx").on(t.organizationId, t.assigneeId),
  index("chat_sessions_org_created_idx").on(t.organizationId, t.createdAt),
  index("chat_sessions_widget_status_idx").on(t.widgetId, t.status, t.createdAt),
  index("chat_sessions_visitor_idx").on(t.widgetId, t.visitorId, t.createdAt),
]);

/** A widget's visitor: the hash of the key that proves it, and the host name it belongs to. */
export const visitors = pgTable("visitors", {
  widgetId: uuid("widget_id").notNull().references(() => widgetConfigurations.id, {
    onDelete: "cascade",
  }),
  id: varchar("id", { length: 100 }).notNull(),
  domain: varchar("domain", { length: 253 }).notNull(),
  keyHash: varchar("key_hash", { length: 64 }).notNull(),
  createdAt: createdAt(),
}, (t) => [primaryKey({ columns: [t.widgetId, t.id] })]);

export const chatMessages = pgTable("chat_messages", {
  id: uuid("id").primaryKey().defaultRandom(),
  /** Total order across the table: `after=<id>` and resume compare on it, never on clocks. */
  seq: bigserial("seq", { mode: "number" }).notNull().unique(),
  chatSessionId: uuid("chat_session_id").notNull().references(() => chatSessions.id, {
    onDelete: "cascade",
  }),
  senderType: varchar("sender_type", { length: 20, enum: SENDER_TYPES }).notNull(),
  messageType: varchar("message_type", { length: 20, enum: MESSAGE_TYPES }).notNull(),
  content: text("content").notNull(),
  voiceUrl: varchar("voice_url", { length: 1024 }),
  metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  clientMessageId: varchar("client_message_id", { length: 100 }),
  createdAt: createdAt(),
}, (t) => [
  index("chat_messages_session_seq_idx").on(t.chatSessionId, t.seq),
  uniqueIndex("chat_messages_session_client_id_idx").on(t.chatSessionId, t.clientMessageId),
]);

export const calls = pgTable("calls", {
  id: uuid("id").primaryKey().defaultRandom(),
  chatSessionId: uuid("chat_session_id").notNull().references(() => chatSessions.id, {
    onDelete: "cascade",
  }),
  retellCallId: varchar("retell_call_id", { length: 100 }).unique(),
  kind: varchar("kind", { length: 10, enum: CALL_KINDS }).notNull(),
  phoneNumber: varchar("phone_number", { length: 20 }),
  status: varchar("status", { length: 20, enum: CALL_STATUSES }).notNull().default("connecting"),
  startedAt: timestamp("started_at", { withTimezone: true }),
  endedAt: timestamp("ended_at", { withTimezone: true }),
  transcript: text("transcript"),
  recordingUrl: varchar("recording_url", { length: 1024 }),
  summary: text("summary"),
  disconnectionReason: varchar("disconnection_reason", { length: 100 }),
  metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
  /** When the visitor agreed to the widget's voice consent text; null when none was asked. */
  consentAt: timestamp("consent_at", { withTimezone: true }),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
}, (t) => [index("calls_session_idx").on(t.chatSessionId, t.createdAt)]);

/** A conversation's lead (the pre-chat form), one per session. */
export const leads = pgTable("leads", {
  id: uuid("id").primaryKey().defaultRandom(),
  chatSessionId: uuid("chat_session_id").notNull().unique().references(() => chatSessions.id, {
    onDelete: "cascade",
  }),
  name: varchar("name", { length: 200 }),
  email: varchar("email", { length: 254 }),
  phone: varchar("phone", { length: 32 }),
  consent: boolean("consent").notNull().default(false),
  consentText: text("consent_text"),
  createdAt: createdAt(),
});

/** A conversation's rating, one per session. */
export const ratings = pgTable("ratings", {
  id: uuid("id").primaryKey().defaultRandom(),
  chatSessionId: uuid("chat_session_id").notNull().unique().references(() => chatSessions.id, {
    onDelete: "cascade",
  }),
  score: smallint("score").notNull(),
  comment: text("comment"),
  createdAt: createdAt(),
});

/** Counters of rate-limiter-flexible's drizzle store (column names are the library's). */
export const rateLimits = pgTable("rate_limits", {
  key: varchar("key", { length: 255 }).primaryKey(),
  points: integer("points").notNull().default(0),
  expire: timestamp("expire", { withTimezone: true }),
}, (t) => [index("rate_limits_expire_idx").on(t.expire)]);

/** Retell webhook deliveries already handled (by their signature's digest) until it expires. */
export const retellDeliveries = pgTable("retell_deliveries", {
  digest: varchar("digest", { length: 64 }).primaryKey(),
  expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
}, (t) => [index("retell_deliveries_expires_idx").on(t.expiresAt)]);

export type Organization = typeof organizations.$inferSelect;
export type User = typeof users.$inferSelect;
export type InviteRow = typeof invites.$inferSelect;
export type AgentRow = typeof agents.$inferSelect;
export type WidgetRow = typeof widgetConfigurations.$inferSelect;
export type SessionRow = typeof chatSessions.$inferSelect;
export type MessageRow = typeof chatMessages.$inferSelect;
export type CallRow = typeof calls.$inferSelect;
export type LeadRow = typeof leads.$inferSelect;
export type RatingRow = typeof ratings.$inferSelect;

export type WebhookDeliveryStatus = "pending" | "delivered" | "failed";

/** An organization's webhook endpoint; `secret` signs every delivery to it. */
export const webhookEndpoints = pgTable("webhook_endpoints", {
  id: uuid("id").primaryKey().defaultRandom(),
  organizationId: uuid("organization_id").notNull().references(() => organizations.id, {
    onDelete: "cascade",
  }),
  url: varchar("url", { length: 2048 }).notNull(),
  events: text("events").array().notNull(),
  /** Sealed (`webhooks/endpoints.ts`); never the plaintext. */
  secret: text("secret").notNull(),
  createdAt: createdAt(),
}, (t) => [index("webhook_endpoints_organization_idx").on(t.organizationId)]);

/** One event, with the exact body every delivery of it sends. */
export const webhookEvents = pgTable("webhook_events", {
  id: uuid("id").primaryKey(),
  organizationId: uuid("organization_id").notNull().references(() => organizations.id, {
    onDelete: "cascade",
  }),
  type: varchar("type", { length: 40 }).notNull(),
  body: text("body").notNull(),
  createdAt: createdAt(),
});

/** The queue: one row per (event, endpoint), taken by one process at a time. */
export const webhookDeliveries = pgTable("webhook_deliveries", {
  id: uuid("id").primaryKey().defaultRandom(),
  eventId: uuid("event_id").notNull().references(() => webhookEvents.id, { onDelete: "cascade" }),
  endpointId: uuid("endpoint_id").notNull().references(() => webhookEndpoints.id, {
    onDelete: "cascade",
  }),
  status: varchar("status", { length: 10 }).$type<WebhookDeliveryStatus>().notNull()
    .default("pending"),
  attempts: integer("attempts").notNull().default(0),
  nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
  leaseId: uuid("lease_id"),
  lastStatusCode: integer("last_status_code"),
  lastError: varchar("last_error", { length: 200 }),
  lastResponse: varchar("last_response", { length: 1024 }),
  lastAttemptAt: timestamp("last_attempt_at", { withTimezone: true }),
  createdAt: createdAt(),
  deliveredAt: timestamp("delivered_at", { withTimezone: true }),
}, (t) => [
  index("webhook_deliveries_due_idx").on(t.nextAttemptAt),
  index("webhook_deliveries_endpoint_idx").on(t.endpointId, t.createdAt),
  index("webhook_deliveries_event_idx").on(t.eventId),
]);

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect;
export type {
  CallKind,
  CallStatus,
  InviteRole,
  MessageType,
  Position,
  Role,
  SenderType,
  SessionHandler,
  SessionMode,
  SessionStatus,
  VoiceMode,
} from "../contract/enums.ts";
export type { PreChatForm };
