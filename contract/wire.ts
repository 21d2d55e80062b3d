/**
 * @module The JSON shapes of SPEC.md that the server sends: one zod schema each, the TypeScript
 * types inferred from them. The server, the widget frame and the admin islands share the types
 * (browser code imports them with `import type`, so no zod reaches a bundle); the OpenAPI
 * document is generated from the schemas; `db/wire.ts` maps rows onto them.
 */
import { z } from "zod";
import {
  CallKindSchema,
  CallStatusSchema,
  ColorSchemeSchema,
  MessageTypeSchema,
  PositionSchema,
  RoleSchema,
  SenderTypeSchema,
  SessionHandlerSchema,
  SessionModeSchema,
  SessionStatusSchema,
  VoiceModeSchema,
} from "./enums.ts";

/** An ISO 8601 UTC timestamp as the server writes it (`Date#toISOString`). */
const Timestamp = z.iso.datetime();
const Metadata = z.record(z.string(), z.unknown());

/** A chat message as clients see it. */
export const MessageSchema = z.object({
  id: z.uuid(),
  sessionId: z.uuid(),
  senderType: SenderTypeSchema,
  messageType: MessageTypeSchema,
  content: z.string(),
  voiceUrl: z.string().optional(),
  metadata: Metadata,
  /** The sender's idempotency key, so a client can match its pending bubble to the stored one. */
  clientMessageId: z.string().optional(),
  createdAt: Timestamp,
}).meta({ id: "Message" });
export type Message = z.infer<typeof MessageSchema>;

/** Who wrote an agent-side message when it was a person (`metadata.author`). */
export const HumanAuthorSchema = z.object({
  kind: z.literal("human"),
  userId: z.uuid(),
  name: z.string(),
}).meta({ id: "HumanAuthor" });
export type HumanAuthor = z.infer<typeof HumanAuthorSchema>;

/** A session's visitor (SPEC v2.4). */
export const VisitorSchema = z.object({
  id: z.string(),
  verified: z.boolean(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
}).meta({ id: "Visitor" });
export type Visitor = z.infer<typeof VisitorSchema>;

/** A conversation's lead (the pre-chat form's answers). */
export const LeadSchema = z.object({
  id: z.uuid(),
  sessionId: z.uuid(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  consent: z.boolean(),
  consentText: z.string().nullable(),
  createdAt: Timestamp,
}).meta({ id: "Lead" });
export type Lead = z.infer<typeof LeadSchema>;

/** A conversation's rating. */
export const RatingSchema = z.object({
  id: z.uuid(),
  sessionId: z.uuid(),
  score: z.number().int(),
  comment: z.string().nullable(),
  createdAt: Timestamp,
}).meta({ id: "Rating" });
export type Rating = z.infer<typeof RatingSchema>;

/** The widget's pre-chat form (SPEC v2.4), as stored and sent. */
export const PreChatFormSchema = z.object({
  fields: z.array(z.object({
    name: z.enum(["name", "email", "phone"]),
    required: z.boolean(),
  })),
  consentText: z.string().optional(),
}).meta({ id: "PreChatForm" });
export type PreChatForm = z.infer<typeof PreChatFormSchema>;

/** The small bubble beside the launcher (SPEC v2.5), shown `delaySeconds` after the page loads. */
export const TeaserSchema = z.object({
  text: z.string(),
  delaySeconds: z.number().int(),
}).meta({ id: "Teaser" });
export type Teaser = z.infer<typeof TeaserSchema>;

/** SPEC v2.5's stored presentation options, the same for admins and for the loader. */
const WidgetOptionFields = {
  /** A BCP 47 tag the widget speaks; null: the visitor's browser decides. */
  locale: z.string().nullable(),
  colorScheme: ColorSchemeSchema,
  /** No launcher button: the page opens the chat with its own (`rtlChatWidget.open()`). */
  hideLauncher: z.boolean(),
  teaser: TeaserSchema.nullable(),
  /** Shown before any call; when set, `POST /voice` needs `consent: true`. */
  voiceConsentText: z.string().nullable(),
};

/** A chat session as clients see it. */
export const SessionSchema = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  agentId: z.uuid(),
  widgetId: z.uuid().nullable(),
  visitorId: z.string(),
  status: SessionStatusSchema,
  mode: SessionModeSchema,
  metadata: Metadata,
  /** Who the visitor is: verified from an identity token, or what they typed in the form. */
  visitor: VisitorSchema,
  /** The pre-chat form's answers (on single-session reads and lists). */
  lead: LeadSchema.nullable().optional(),
  /** The visitor's rating (on single-session reads and lists). */
  rating: RatingSchema.nullable().optional(),
  /** Who answers the visitor: the AI agent, or a person of the team. */
  handler: SessionHandlerSchema,
  assigneeId: z.uuid().nullable(),
  handoffRequestedAt: Timestamp.nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
  endedAt: Timestamp.nullable(),
}).meta({ id: "Session" });
export type Session = z.infer<typeof SessionSchema>;

/** An agent as its organization's admins see it. */
export const AgentSchema = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  name: z.string(),
  retellAgentId: z.string().nullable(),
  retellChatAgentId: z.string().nullable(),
  fromNumber: z.string().nullable(),
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: "Agent" });
export type Agent = z.infer<typeof AgentSchema>;

/** A widget configuration as its organization's admins see it. */
export const WidgetSchema = z.object({
  id: z.uuid(),
  organizationId: z.uuid(),
  name: z.string(),
  agentId: z.uuid(),
  themeColor: z.string(),
  headerText: z.string(),
  welcomeMessage: z.string().nullable(),
  allowedDomains: z.array(z.string()),
  isActive: z.boolean(),
  position: PositionSchema,
  width: z.string(),
  height: z.string(),
  autoOpen: z.boolean(),
  voiceMode: VoiceModeSchema,
  phoneCountries: z.array(z.string()),
  /** Anonymous visitors are refused (403 `identity_required`). */
  requireIdentity: z.boolean(),
  /** True once an identity secret was generated (the secret itself is shown only then). */
  hasIdentitySecret: z.boolean(),
  preChatForm: PreChatFormSchema.nullable(),
  ...WidgetOptionFields,
  createdAt: Timestamp,
  updatedAt: Timestamp,
}).meta({ id: "Widget" });
export type Widget = z.infer<typeof WidgetSchema>;

/** What anyone may know of a widget (`GET /embed/config/:id`). */
export const PublicWidgetConfigSchema = z.object({
  id: z.uuid(),
  agentId: z.uuid(),
  themeColor: z.string(),
  headerText: z.string(),
  welcomeMessage: z.string(),
  position: PositionSchema,
  width: z.string(),
  height: z.string(),
  autoOpen: z.boolean(),
  voiceMode: VoiceModeSchema,
  /** Where phone calls may go (empty when the widget offers none). */
  phoneCountries: z.array(z.string()),
  requireIdentity: z.boolean(),
  preChatForm: PreChatFormSchema.nullable(),
  ...WidgetOptionFields,
}).meta({ id: "PublicWidgetConfig" });
export type PublicWidgetConfig = z.infer<typeof PublicWidgetConfigSchema>;

/** A voice call of a session. */
export const CallSchema = z.object({
  id: z.uuid(),
  chatSessionId: z.uuid(),
  retellCallId: z.string().nullable(),
  kind: CallKindSchema,
  phoneNumber: z.string().nullable(),
  status: CallStatusSchema,
  startedAt: Timestamp.nullable(),
  endedAt: Timestamp.nullable(),
  durationMs: z.number().int().nullable(),
  recordingUrl: z.string().nullable(),
  summary: z.string().nullable(),
  disconnectionReason: z.string().nullable(),
  /** When the visitor agreed to the widget's voice consent text; null when none was asked. */
  consentAt: Timestamp.nullable(),
  createdAt: Timestamp,
}).meta({ id: "Call" });
export type Call = z.infer<typeof CallSchema>;

/** An admin account. */
export const UserSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  name: z.string(),
  role: RoleSchema,
  organizationId: z.uuid(),
  createdAt: Timestamp,
}).meta({ id: "User" });
export type User = z.infer<typeof UserSchema>;

/** An organization. */
export const OrganizationSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  createdAt: Timestamp,
}).meta({ id: "Organization" });
export type Organization = z.infer<typeof OrganizationSchema>;
