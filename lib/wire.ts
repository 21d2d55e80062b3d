/**
 * @module The JSON shapes of SPEC.md and the row → JSON mappers. Types here are shared by the
 * server, the widget frame and the admin islands (type-only imports, so bundles stay small).
 */
import type {
  AgentRow,
  CallKind,
  CallRow,
  CallStatus,
  LeadRow,
  MessageRow,
  MessageType,
  Position,
  PreChatForm,
  RatingRow,
  SenderType,
  SessionHandler,
  SessionMode,
  SessionRow,
  SessionStatus,
  VoiceMode,
  WidgetRow,
} from "../db/schema.ts";

export type {
  CallKind,
  CallStatus,
  MessageType,
  Position,
  PreChatForm,
  SenderType,
  SessionHandler,
  SessionMode,
  SessionStatus,
  VoiceMode,
};

/** Who wrote an agent-side message when it was a person (`metadata.author`). */
export interface HumanAuthor {
  kind: "human";
  userId: string;
  name: string;
}

/** A chat message as clients see it. */
export interface Message {
  id: string;
  sessionId: string;
  senderType: SenderType;
  messageType: MessageType;
  content: string;
  voiceUrl?: string;
  metadata: Record<string, unknown>;
  createdAt: string;
}

/** A chat session as clients see it. */
export interface Session {
  id: string;
  organizationId: string;
  agentId: string;
  widgetId: string | null;
  visitorId: string;
  status: SessionStatus;
  mode: SessionMode;
  metadata: Record<string, unknown>;
  /** Who the visitor is: verified from an identity token, or what they typed in the form. */
  visitor: Visitor;
  /** The pre-chat form's answers (on single-session reads and lists). */
  lead?: Lead | null;
  /** The visitor's rating (on single-session reads and lists). */
  rating?: Rating | null;
  /** Who answers the visitor: the AI agent, or a person of the team. */
  handler: SessionHandler;
  assigneeId: string | null;
  handoffRequestedAt: string | null;
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
}

/** A session's visitor (SPEC v2.4). */
export interface Visitor {
  id: string;
  verified: boolean;
  name: string | null;
  email: string | null;
  phone: string | null;
}

/** A conversation's lead. */
export interface Lead {
  id: string;
  sessionId: string;
  name: string | null;
  email: string | null;
  phone: string | null;
  consent: boolean;
  consentText: string | null;
  createdAt: string;
}

/** A conversation's rating. */
export interface Rating {
  id: string;
  sessionId: string;
  score: number;
  comment: string | null;
  createdAt: string;
}

/** An agent as its organization's admins see it. */
export interface Agent {
  id: string;
  organizationId: string;
  name: string;
  retellAgentId: string | null;
  retellChatAgentId: string | null;
  fromNumber: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A widget configuration as its organization's admins see it. */
export interface Widget {
  id: string;
  organizationId: string;
  name: string;
  agentId: string;
  themeColor: string;
  headerText: string;
  welcomeMessage: string | null;
  allowedDomains: string[];
  isActive: boolean;
  position: Position;
  width: string;
  height: string;
  autoOpen: boolean;
  voiceMode: VoiceMode;
  phoneCountries: string[];
  /** Anonymous visitors are refused (403 `identity_required`). */
  requireIdentity: boolean;
  /** True once an identity secret was generated (the secret itself is shown only then). */
  hasIdentitySecret: boolean;
  preChatForm: PreChatForm | null;
  createdAt: string;
  updatedAt: string;
}

/** What anyone may know of a widget (`GET /embed/config/:id`). */
export interface PublicWidgetConfig {
  id: string;
  agentId: string;
  themeColor: string;
  headerText: string;
  welcomeMessage: string;
  position: Position;
  width: string;
  height: string;
  autoOpen: boolean;
  voiceMode: VoiceMode;
  /** Where phone calls may go (empty when the widget offers none). */
  phoneCountries: string[];
  requireIdentity: boolean;
  preChatForm: PreChatForm | null;
}

/** A voice call of a session. */
export interface Call {
  id: string;
  chatSessionId: string;
  retellCallId: string | null;
  kind: CallKind;
  phoneNumber: string | null;
  status: CallStatus;
  startedAt: string | null;
  endedAt: string | null;
  durationMs: number | null;
  recordingUrl: string | null;
  summary: string | null;
  disconnectionReason: string | null;
  createdAt: string;
}

export const DEFAULT_WELCOME = "Hello! How can I help you today?";

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => d ? d.toISOString() : null;

/** Row → Message. */
export function toMessage(row: MessageRow): Message {
  const m: Message = {
    id: row.id,
    sessionId: row.chatSessionId,
    senderType: row.senderType,
    messageType: row.messageType,
    content: row.content,
    metadata: row.metadata ?? {},
    createdAt: iso(row.createdAt),
  };
  if (row.voiceUrl) m.voiceUrl = row.voiceUrl;
  return m;
}

/** Row → Session. */
export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    organizationId: row.organizationId,
    agentId: row.agentId,
    widgetId: row.widgetId,
    visitorId: row.visitorId,
    status: row.status,
    mode: row.mode,
    metadata: row.metadata ?? {},
    visitor: {
      id: row.visitorId,
      verified: row.visitorVerified,
      name: row.visitorName,
      email: row.visitorEmail,
      phone: row.visitorPhone,
    },
    handler: row.handler,
    assigneeId: row.assigneeId,
    handoffRequestedAt: isoOrNull(row.handoffRequestedAt),
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    endedAt: isoOrNull(row.endedAt),
  };
}

/** Row → Lead. */
export function toLead(row: LeadRow): Lead {
  return {
    id: row.id,
    sessionId: row.chatSessionId,
    name: row.name,
    email: row.email,
    phone: row.phone,
    consent: row.consent,
    consentText: row.consentText,
    createdAt: iso(row.createdAt),
  };
}

/** Row → Rating. */
export function toRating(row: RatingRow): Rating {
  return {
    id: row.id,
    sessionId: row.chatSessionId,
    score: row.score,
    comment: row.comment,
    createdAt: iso(row.createdAt),
  };
}

/** Row → Agent. */
export function toAgent(row: AgentRow): Agent {
  return {
    id: row.id,
    organizationId: row.organizationId,
    name: row.name,
    retellAgentId: row.retellAgentId,
    retellChatAgentId: row.retellChatAgentId,
    fromNumber: row.fromNumber,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** Row → Widget. */
export function toWidget(row: WidgetRow): Widget {
  return {
    id: row.id,
    organizationId: row.organizationId,
    name: row.name,
    agentId: row.agentId,
    themeColor: row.themeColor,
    headerText: row.headerText,
    welcomeMessage: row.welcomeMessage,
    allowedDomains: row.allowedDomains,
    isActive: row.isActive,
    position: row.position,
    width: row.width,
    height: row.height,
    autoOpen: row.autoOpen,
    voiceMode: row.voiceMode,
    phoneCountries: row.phoneCountries,
    requireIdentity: row.requireIdentity,
    hasIdentitySecret: row.identitySecretSealed !== null,
    preChatForm: row.preChatForm ?? null,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** Row → the public part of a widget's configuration. */
export function toPublicConfig(row: WidgetRow): PublicWidgetConfig {
  return {
    id: row.id,
    agentId: row.agentId,
    themeColor: row.themeColor,
    headerText: row.headerText,
    welcomeMessage: row.welcomeMessage ?? DEFAULT_WELCOME,
    position: row.position,
    width: row.width,
    height: row.height,
    autoOpen: row.autoOpen,
    voiceMode: row.voiceMode,
    phoneCountries: row.phoneCountries,
    requireIdentity: row.requireIdentity,
    preChatForm: row.preChatForm ?? null,
  };
}

/** Row → Call. */
export function toCall(row: CallRow): Call {
  return {
    id: row.id,
    chatSessionId: row.chatSessionId,
    retellCallId: row.retellCallId,
    kind: row.kind,
    phoneNumber: row.phoneNumber,
    status: row.status,
    startedAt: isoOrNull(row.startedAt),
    endedAt: isoOrNull(row.endedAt),
    durationMs: row.startedAt && row.endedAt
      ? row.endedAt.getTime() - row.startedAt.getTime()
      : null,
    recordingUrl: row.recordingUrl,
    summary: row.summary,
    disconnectionReason: row.disconnectionReason,
    createdAt: iso(row.createdAt),
  };
}
