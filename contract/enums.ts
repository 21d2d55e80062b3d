/**
 * @module Every enum of the wire, as value arrays (drizzle columns use them too, so the database
 * and the API can never disagree) and zod schemas. Browser code imports only the types.
 */
import { z } from "zod";

export const POSITIONS = ["bottom-right", "bottom-left", "top-right", "top-left"] as const;
export const VOICE_MODES = ["phone", "web", "both", "off"] as const;
export const SESSION_STATUSES = ["active", "ended"] as const;
export const SESSION_MODES = ["chat", "voice"] as const;
export const SENDER_TYPES = ["user", "agent", "system"] as const;
export const MESSAGE_TYPES = ["text", "voice", "system"] as const;
export const CALL_KINDS = ["phone", "web"] as const;
export const CALL_STATUSES = ["connecting", "ongoing", "ended", "error"] as const;
/** Who answers the visitor: the AI agent, or a person of the team. */
export const SESSION_HANDLERS = ["ai", "human"] as const;
/** owner: the first user; admin: everything but the owner's seat; member: conversations only. */
export const ROLES = ["owner", "admin", "member"] as const;
export const INVITE_ROLES = ["admin", "member"] as const;
/** Who is typing, in `typing:start` / `typing:stop`. */
export const TYPING_SENDERS = ["agent", "user"] as const;
/** Where an organization's Retell key comes from: its own, or the deployment's `RETELL_API_KEY`. */
export const RETELL_SOURCES = ["organization", "deployment"] as const;
/** The frame's colours (SPEC v2.5): "auto" follows the visitor's system setting. */
export const COLOR_SCHEMES = ["light", "dark", "auto"] as const;

export const PositionSchema = z.enum(POSITIONS).meta({ id: "Position" });
export const VoiceModeSchema = z.enum(VOICE_MODES).meta({ id: "VoiceMode" });
export const SessionStatusSchema = z.enum(SESSION_STATUSES).meta({ id: "SessionStatus" });
export const SessionModeSchema = z.enum(SESSION_MODES).meta({ id: "SessionMode" });
export const SenderTypeSchema = z.enum(SENDER_TYPES).meta({ id: "SenderType" });
export const MessageTypeSchema = z.enum(MESSAGE_TYPES).meta({ id: "MessageType" });
export const CallKindSchema = z.enum(CALL_KINDS).meta({ id: "CallKind" });
export const CallStatusSchema = z.enum(CALL_STATUSES).meta({ id: "CallStatus" });
export const TypingSenderSchema = z.enum(TYPING_SENDERS);
export const SessionHandlerSchema = z.enum(SESSION_HANDLERS).meta({ id: "SessionHandler" });
export const RoleSchema = z.enum(ROLES).meta({ id: "Role" });
export const InviteRoleSchema = z.enum(INVITE_ROLES);
export const RetellSourceSchema = z.enum(RETELL_SOURCES).meta({ id: "RetellSource" });
export const ColorSchemeSchema = z.enum(COLOR_SCHEMES).meta({ id: "ColorScheme" });

export type Position = z.infer<typeof PositionSchema>;
export type VoiceMode = z.infer<typeof VoiceModeSchema>;
export type SessionStatus = z.infer<typeof SessionStatusSchema>;
export type SessionMode = z.infer<typeof SessionModeSchema>;
export type SenderType = z.infer<typeof SenderTypeSchema>;
export type MessageType = z.infer<typeof MessageTypeSchema>;
export type CallKind = z.infer<typeof CallKindSchema>;
export type CallStatus = z.infer<typeof CallStatusSchema>;
export type SessionHandler = z.infer<typeof SessionHandlerSchema>;
export type Role = z.infer<typeof RoleSchema>;
export type InviteRole = z.infer<typeof InviteRoleSchema>;
export type RetellSource = z.infer<typeof RetellSourceSchema>;
export type ColorScheme = z.infer<typeof ColorSchemeSchema>;
