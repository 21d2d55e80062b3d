/**
 * @module The JSON shapes of SPEC.md and the row → JSON mappers. Types here are shared by the
 * server, the widget frame and the admin islands (type-only imports, so bundles stay small).
 */
import type {
  AgentRow,
  CallKind,
  CallRow,
  CallStatus,
  MessageRow,
  MessageType,
  Position,
  SenderType,
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
  SenderType,
  SessionMode,
  SessionStatus,
  VoiceMode,
};

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
  createdAt: string;
  updatedAt: string;
  endedAt: string | null;
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
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    endedAt: isoOrNull(row.endedAt),
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
