/**
 * @module Rows → the wire: one function per contract type (`contract/wire.ts`), so a row's
 * private columns (password hashes, Retell chat ids, identity secrets) cannot leak by accident and
 * the compiler checks every field against the schema's type.
 */
import type {
  Agent,
  Call,
  Lead,
  Message,
  Organization,
  PublicWidgetConfig,
  Rating,
  Session,
  Widget,
} from "../contract/wire.ts";
import { DEFAULT_WELCOME } from "../contract/defaults.ts";
import type {
  AgentRow,
  CallRow,
  LeadRow,
  MessageRow,
  Organization as OrganizationRow,
  RatingRow,
  SessionRow,
  WidgetRow,
} from "./schema.ts";

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
  // The server's own keys (`reply:<id>`) are internal; a client's key has no `:`.
  if (row.clientMessageId && !row.clientMessageId.includes(":")) {
    m.clientMessageId = row.clientMessageId;
  }
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
    ...optionsOf(row),
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
    ...optionsOf(row),
  };
}

/** SPEC v2.5's stored options, the same on both shapes. */
function optionsOf(row: WidgetRow) {
  return {
    locale: row.locale,
    colorScheme: row.colorScheme,
    hideLauncher: row.hideLauncher,
    teaser: row.teaser ?? null,
    voiceConsentText: row.voiceConsentText,
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
    consentAt: isoOrNull(row.consentAt),
    createdAt: iso(row.createdAt),
  };
}

/** Row → Organization. */
export function toOrganization(row: OrganizationRow): Organization {
  return { id: row.id, name: row.name, createdAt: iso(row.createdAt) };
}
