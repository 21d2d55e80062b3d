/**
 * @module Every real-time event as one zod discriminated union: server → client (`ServerEvent`,
 * the seed's shapes plus `call:updated` and `session:updated`), client → server (`ClientEvent`,
 * validated on arrival), and the fan-out payload that carries server events between processes.
 * Events that bring a stored message carry its `seq`, the order resume and re-sync follow, so no
 * caller can publish a message without it.
 */
import { z } from "zod";
import {
  CallKindSchema,
  CallStatusSchema,
  SessionModeSchema,
  TypingSenderSchema,
} from "./enums.ts";
import { CallSchema, MessageSchema, SessionSchema } from "./wire.ts";

const Timestamp = z.iso.datetime();
/** The stored message's position in the total order of messages (`chat_messages.seq`). */
const Seq = z.number().int().nonnegative();

/** The seed's `callDetails` of `mode:changed`. */
export const CallDetailsSchema = z.object({
  retellCallId: z.string().nullable(),
  status: CallStatusSchema,
  phoneNumber: z.string().nullable().optional(),
  callId: z.uuid().optional(),
  kind: CallKindSchema.optional(),
}).meta({ id: "CallDetails" });
export type CallDetails = z.infer<typeof CallDetailsSchema>;

const ConnectionEstablished = z.object({
  type: z.literal("connection:established"),
  sessionId: z.uuid(),
  timestamp: Timestamp,
});
const MessageReceived = z.object({
  type: z.literal("message:received"),
  message: MessageSchema,
  seq: Seq,
  timestamp: Timestamp,
});
/** Who is typing; `name` when it is a person of the team (`senderId: "agent"`). */
const TypingStart = z.object({
  type: z.literal("typing:start"),
  senderId: TypingSenderSchema,
  name: z.string().optional(),
  timestamp: Timestamp,
});
const TypingStop = z.object({
  type: z.literal("typing:stop"),
  senderId: TypingSenderSchema,
  name: z.string().optional(),
  timestamp: Timestamp,
});
const ModeChanged = z.object({
  type: z.literal("mode:changed"),
  mode: SessionModeSchema,
  callDetails: CallDetailsSchema,
  message: MessageSchema,
  seq: Seq,
  timestamp: Timestamp,
});
const CallUpdated = z.object({
  type: z.literal("call:updated"),
  call: CallSchema,
  timestamp: Timestamp,
});
const SessionUpdated = z.object({
  type: z.literal("session:updated"),
  session: SessionSchema,
  timestamp: Timestamp,
});
const Pong = z.object({ type: z.literal("pong"), timestamp: Timestamp });
const SocketError = z.object({
  type: z.literal("error"),
  code: z.string(),
  message: z.string(),
  timestamp: Timestamp,
});

/** Server → client events. */
export const ServerEventSchema = z.discriminatedUnion("type", [
  ConnectionEstablished,
  MessageReceived,
  TypingStart,
  TypingStop,
  ModeChanged,
  CallUpdated,
  SessionUpdated,
  Pong,
  SocketError,
]).meta({ id: "ServerEvent" });
export type ServerEvent = z.infer<typeof ServerEventSchema>;
export type ServerEventType = ServerEvent["type"];

/** A server event without its timestamp (Omit distributed over the union). */
export type ServerEventInput = ServerEvent extends infer E
  ? E extends ServerEvent ? Omit<E, "timestamp"> : never
  : never;

/** Adds the timestamp every event carries. */
export function event<E extends ServerEventInput>(e: E): E & { timestamp: string } {
  return { ...e, timestamp: new Date().toISOString() };
}

/** Client → server frames, validated on arrival. */
export const ClientEventSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("typing:start") }),
  z.strictObject({ type: z.literal("typing:stop") }),
  z.strictObject({ type: z.literal("resume"), afterMessageId: z.string().max(100).optional() }),
  z.strictObject({ type: z.literal("ping") }),
]).meta({ id: "ClientEvent" });
export type ClientEvent = z.infer<typeof ClientEventSchema>;

/**
 * One event as it travels between processes in a NOTIFY (whose payload must stay under 8000
 * bytes): the stored rows it carries become ids that the receiver reads back, so a large message
 * or transcript never travels and a receiver always sends what the database holds.
 */
export const FanoutEventSchema = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("message:received"),
    sessionId: z.uuid(),
    messageId: z.uuid(),
    timestamp: Timestamp,
  }),
  z.object({
    type: z.literal("mode:changed"),
    sessionId: z.uuid(),
    mode: SessionModeSchema,
    callDetails: CallDetailsSchema,
    messageId: z.uuid(),
    timestamp: Timestamp,
  }),
  z.object({
    type: z.enum(["typing:start", "typing:stop"]),
    sessionId: z.uuid(),
    senderId: TypingSenderSchema,
    name: z.string().optional(),
    timestamp: Timestamp,
  }),
  z.object({
    type: z.literal("call:updated"),
    sessionId: z.uuid(),
    callId: z.uuid(),
    timestamp: Timestamp,
  }),
  z.object({ type: z.literal("session:updated"), sessionId: z.uuid(), timestamp: Timestamp }),
  // A widget was deactivated or deleted: every process closes its visitors' sockets (4403).
  z.object({ type: z.literal("widget:closed"), widgetId: z.uuid(), timestamp: Timestamp }),
]);
export type FanoutEvent = z.infer<typeof FanoutEventSchema>;

/** A NOTIFY's events, in publication order. */
export const FanoutBatchSchema = z.array(FanoutEventSchema);

/** Server events that concern one socket and never cross processes. */
export type LocalEvent = Extract<
  ServerEvent,
  { type: "connection:established" | "pong" | "error" }
>;

/** The fan-out form of a shared event; undefined for a socket's own events. */
export function toFanout(sessionId: string, e: ServerEvent): FanoutEvent | undefined {
  const { timestamp } = e;
  switch (e.type) {
    case "message:received":
      return { type: e.type, sessionId, messageId: e.message.id, timestamp };
    case "mode:changed":
      return {
        type: e.type,
        sessionId,
        mode: e.mode,
        callDetails: e.callDetails,
        messageId: e.message.id,
        timestamp,
      };
    case "typing:start":
    case "typing:stop":
      return e.name === undefined
        ? { type: e.type, sessionId, senderId: e.senderId, timestamp }
        : { type: e.type, sessionId, senderId: e.senderId, name: e.name, timestamp };
    case "call:updated":
      return { type: e.type, sessionId, callId: e.call.id, timestamp };
    case "session:updated":
      return { type: e.type, sessionId, timestamp };
    case "connection:established":
    case "pong":
    case "error":
      return undefined;
    default:
      return e satisfies never;
  }
}
