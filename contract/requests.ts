/**
 * @module Request bodies and queries: the zod schemas that validate them at the edge are the ones
 * the OpenAPI document describes (one source for both).
 */
import { z } from "zod";
import { isPublicSuffix } from "../lib/public_suffix.ts";
import { isSupportedCountry } from "libphonenumber-js";
import { LOCALES, matchLocale } from "../lib/locale.ts";
import {
  CallKindSchema,
  ColorSchemeSchema,
  MessageTypeSchema,
  PositionSchema,
  SessionStatusSchema,
  VoiceModeSchema,
} from "./enums.ts";

export { PositionSchema, VoiceModeSchema };

const HOST_LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
const HOST_RE = new RegExp(`^(\\*\\.)?(${HOST_LABEL})(\\.${HOST_LABEL})*$`);
const IPV4_RE = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * A host name, `*.host` wildcard, or IPv4 address; stored lower-cased. A wildcard on a public
 * suffix (`*.com`, `*.co.uk`, `*.github.io`) is refused: it would trust strangers' sites.
 */
export const DomainSchema = z.string().trim().toLowerCase().max(253).refine(
  (v) => HOST_RE.test(v) || IPV4_RE.test(v),
  { message: "must be a host name such as example.com or *.example.com (no scheme, port or path)" },
).refine((v) => !(v.startsWith("*.") && isPublicSuffix(v.slice(2))), {
  message: "must not be a wildcard on a public suffix such as *.com or *.co.uk; name your own " +
    "domain, such as *.example.com",
});

/** `#rgb` or `#rrggbb`. */
export const HexColorSchema = z.string().regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, {
  message: "must be a hex colour such as #0088FF",
});

/** A CSS length such as `350px`, `90vw`, `32rem`, `100%`. */
export const CssLengthSchema = z.string().regex(
  /^(0|\d{1,4}(\.\d{1,2})?(px|rem|em|vw|vh|dvh|svh|lvh|%))$/,
  { message: "must be a CSS length such as 350px, 90vw or 32rem" },
);

/** An ISO 3166-1 alpha-2 country code, upper case (`US`), that phone numbers can belong to. */
export const CountryCodeSchema = z.string().trim().toUpperCase().refine(
  (v) => /^[A-Z]{2}$/.test(v) && isSupportedCountry(v),
  { message: "must be an ISO 3166-1 alpha-2 country code such as US" },
);

/** E.164 phone number shape (full validity is checked with libphonenumber-js where it matters). */
export const E164Schema = z.string().regex(/^\+[1-9]\d{6,14}$/, {
  message: "must be an E.164 phone number such as +15555555555",
});

const RetellIdSchema = z.string().trim().min(1).max(100).regex(/^[A-Za-z0-9_\-]+$/, {
  message: "must be a Retell id such as agent_abc123",
});

export const RegisterSchema = z.strictObject({
  email: z.email().max(254).transform((v) => v.toLowerCase()),
  password: z.string().min(8, { message: "must be at least 8 characters" }).max(200),
  organizationName: z.string().trim().min(1).max(100),
  name: z.string().trim().min(1).max(100).optional(),
});

/** A person's display name. */
export const PersonNameSchema = z.string().trim().min(1).max(100);

export const ProfileUpdateSchema = z.strictObject({ name: PersonNameSchema });

export const InviteCreateSchema = z.strictObject({
  email: z.email().max(254).transform((v) => v.toLowerCase()),
  role: z.enum(["admin", "member"]),
});

export const InviteAcceptSchema = z.strictObject({
  token: z.string().min(1).max(200),
  name: PersonNameSchema,
  password: z.string().min(8, { message: "must be at least 8 characters" }).max(200),
});

export const LoginSchema = z.strictObject({
  email: z.string().max(254).transform((v) => v.trim().toLowerCase()),
  password: z.string().max(200),
});

export const AgentCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  retellAgentId: RetellIdSchema.nullish(),
  retellChatAgentId: RetellIdSchema.nullish(),
  fromNumber: E164Schema.nullish(),
});
export const AgentUpdateSchema = AgentCreateSchema.partial();
export type AgentCreate = z.infer<typeof AgentCreateSchema>;

/** The widget's pre-chat form: which fields it asks, and the consent it needs (SPEC v2.4). */
export const PreChatFormSchema = z.strictObject({
  fields: z.array(z.strictObject({
    name: z.enum(["name", "email", "phone"]),
    required: z.boolean(),
  })).max(3).refine((f) => new Set(f.map((x) => x.name)).size === f.length, {
    message: "must name each field once",
  }),
  consentText: z.string().trim().min(1).max(1000).optional(),
});

/**
 * A BCP 47 tag (`fr`, `pt-BR`) of a language the widget speaks (SPEC v2.5). Kept as written, so a
 * region still reaches `Intl`; an unsupported language is refused rather than silently English.
 */
export const LocaleSchema = z.string().trim().max(35).regex(/^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/, {
  message: "must be a BCP 47 language tag such as fr or pt-BR",
}).refine((v) => matchLocale(v) !== undefined, {
  message: `must be a language the widget speaks: ${LOCALES.join(", ")}`,
});

/** The teaser bubble: a short line, shown after up to ten minutes on the page. */
export const TeaserSchema = z.strictObject({
  text: z.string().trim().min(1).max(140),
  delaySeconds: z.number().int().min(0).max(600),
});

/** What a visitor must agree to before a call (a recording notice, say). */
export const VoiceConsentTextSchema = z.string().trim().min(1).max(1000);

export const WidgetCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  agentId: z.uuid(),
  themeColor: HexColorSchema.optional(),
  headerText: z.string().trim().min(1).max(100).optional(),
  welcomeMessage: z.string().max(1000).nullish(),
  allowedDomains: z.array(DomainSchema).max(100).optional(),
  isActive: z.boolean().optional(),
  position: PositionSchema.optional(),
  width: CssLengthSchema.optional(),
  height: CssLengthSchema.optional(),
  autoOpen: z.boolean().optional(),
  voiceMode: VoiceModeSchema.optional(),
  /** Countries phone calls may ring; required (non-empty) when `voiceMode` offers phone calls. */
  phoneCountries: z.array(CountryCodeSchema).max(250).transform((v) => [...new Set(v)]).optional(),
  requireIdentity: z.boolean().optional(),
  preChatForm: PreChatFormSchema.nullish(),
  /** null: the visitor's browser decides. A page's own `locale` wins over this one. */
  locale: LocaleSchema.nullish(),
  colorScheme: ColorSchemeSchema.optional(),
  hideLauncher: z.boolean().optional(),
  teaser: TeaserSchema.nullish(),
  /** When set, `POST /voice` needs `consent: true` (400 `consent_required`). */
  voiceConsentText: VoiceConsentTextSchema.nullish(),
});
export const WidgetUpdateSchema = WidgetCreateSchema.partial();
export type WidgetCreate = z.infer<typeof WidgetCreateSchema>;

export const EmbedAuthSchema = z.strictObject({
  widgetId: z.string().min(1).max(100),
  domain: z.string().min(1).max(253),
  visitorId: z.string().regex(/^[A-Za-z0-9_\-]{8,100}$/, {
    message: "must be 8 to 100 letters, digits, - or _",
  }).optional(),
  /** Proves `visitorId` (SPEC v2.2): issued once, when the visitor is created. */
  visitorKey: z.string().regex(/^[A-Za-z0-9_\-]{22,100}$/, {
    message: "must be 22 to 100 letters, digits, - or _",
  }).optional(),
  /** A host-signed identity token; its size is checked by the verifier (a 401, not a 400). */
  identityToken: z.string().min(1).optional(),
  /** The host page's copy of the visitor, where the frame's storage is refused. */
  sealedVisitor: z.string().max(1000).optional(),
});

/** A visitor id as `/embed/auth` issues or accepts it. */
export const VisitorIdSchema = z.string().regex(/^[A-Za-z0-9_\-]{8,100}$/, {
  message: "must be 8 to 100 letters, digits, - or _",
});

/** Free-form JSON metadata, bounded so that one row cannot grow without limit. */
export const MetadataSchema = z.record(z.string().max(100), z.unknown()).refine(
  (v) => JSON.stringify(v).length <= 8 * 1024,
  { message: "must be at most 8 KB of JSON" },
);

export const SessionCreateSchema = z.strictObject({
  agentId: z.uuid().optional(),
  visitorId: VisitorIdSchema.optional(),
  welcomeMessage: z.string().trim().min(1).max(1000).optional(),
  metadata: MetadataSchema.optional(),
});
export type SessionCreate = z.infer<typeof SessionCreateSchema>;

export const SessionUpdateSchema = z.strictObject({
  status: SessionStatusSchema.optional(),
  metadata: MetadataSchema.optional(),
  handler: z.enum(["ai", "human"]).optional(),
  assigneeId: z.uuid().nullable().optional(),
});

/** `POST /sessions/:id/lead` (SPEC v2.4); checked against the widget's form by the domain. */
export const LeadCreateSchema = z.strictObject({
  name: z.string().trim().min(1).max(200).optional(),
  email: z.email().max(254).transform((v) => v.toLowerCase()).optional(),
  phone: z.string().trim().max(32).optional(),
  consent: z.boolean().default(false),
});
export type LeadCreate = z.infer<typeof LeadCreateSchema>;

/** `POST /sessions/:id/rating`: once per conversation. */
export const RatingCreateSchema = z.strictObject({
  score: z.number().int().min(1).max(5),
  comment: z.string().trim().max(2000).optional(),
});
export type RatingCreate = z.infer<typeof RatingCreateSchema>;

/** `GET /sessions/:id/transcript`'s query. */
export const TranscriptQuerySchema = z.object({
  format: z.enum(["text", "html"]).default("text"),
});

/** `PUT /api/organization`: null keeps conversations until deleted by hand. */
export const OrganizationUpdateSchema = z.strictObject({
  retentionDays: z.number().int().min(1).max(36500).nullable().optional(),
});

/** `POST /sessions/:id/handoff`: the visitor asks for a person. */
export const HandoffSchema = z.strictObject({
  reason: z.string().trim().max(500).optional(),
});

/**
 * A message a client sends; `maxChars` is `config.limits.messageChars`. The client id has no `:`
 * so that it can never collide with the server's own `reply:<id>` keys.
 */
export function messageCreateSchema(maxChars = 4000) {
  return z.strictObject({
    content: z.string()
      .refine((v) => v.trim().length > 0, { message: "must not be empty" })
      .refine((v) => [...v].length <= maxChars, {
        message: `must be at most ${maxChars} characters`,
      }),
    messageType: MessageTypeSchema.default("text"),
    metadata: MetadataSchema.optional(),
    clientMessageId: z.string().regex(/^[A-Za-z0-9_.\-]{1,64}$/, {
      message: "must be 1 to 64 letters, digits, ., - or _",
    }).optional(),
  });
}
export const MessageCreateSchema = messageCreateSchema();
export type MessageCreate = z.infer<typeof MessageCreateSchema>;

/**
 * `POST /api/chat/sessions/:id/voice`: `{phoneNumber}` (a phone call; `mode: "phone"` optional)
 * or `{mode: "web"}` (a browser call). The number's validity is checked with libphonenumber-js.
 */
export const VoiceStartSchema = z.strictObject({
  mode: CallKindSchema.optional(),
  /** The visitor agreed to the widget's `voiceConsentText` (required when it has one). */
  consent: z.boolean().optional(),
  phoneNumber: z.string().trim().max(32).regex(/^\+[\d\s().\-]+$/, {
    message: "must be a phone number in international format such as +14155552671",
  }).optional(),
}).superRefine((v, ctx) => {
  if (v.mode !== "web" && !v.phoneNumber) {
    ctx.addIssue({
      code: "custom",
      path: ["phoneNumber"],
      message: "is required for a phone call",
    });
  }
  if (v.mode === "web" && v.phoneNumber) {
    ctx.addIssue({
      code: "custom",
      path: ["phoneNumber"],
      message: "is not used by a browser call",
    });
  }
});
export type VoiceStart = z.infer<typeof VoiceStartSchema>;

/** Query of the admin session list. */
export const SessionListQuerySchema = z.object({
  status: SessionStatusSchema.optional(),
  widgetId: z.uuid().optional(),
  handler: z.enum(["ai", "human"]).optional(),
  assigneeId: z.union([z.uuid(), z.literal("none")]).optional(),
  waiting: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  /** `true`: only rated conversations; `false`: only unrated ones. */
  rated: z.enum(["true", "false"]).transform((v) => v === "true").optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  before: z.union([z.uuid(), z.iso.datetime({ offset: true })]).optional(),
});

/** Query of a session's messages. */
export const MessageListQuerySchema = z.object({
  after: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** `PUT /api/organization/retell`: the organization's own Retell API key. */
export const RetellKeySchema = z.strictObject({
  apiKey: z.string().trim().min(8, { message: "must be a Retell API key" }).max(200).regex(
    /^[\x21-\x7e]+$/,
    { message: "must be a Retell API key (no spaces)" },
  ),
});

/**
 * Query of `GET /embed/config/:widgetId`: the page's own `locale` and `themeColor` (the loader
 * sends its other presentation options along, which this route ignores). A value the widget
 * cannot use falls back (the widget's colour, the browser's language) rather than failing: a
 * typo in a page's configuration must not take the launcher off the page.
 */
export const EmbedConfigQuerySchema = z.object({
  locale: z.string().optional(),
  themeColor: z.string().optional(),
});
