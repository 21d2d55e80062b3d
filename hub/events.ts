/**
 * @module Every real-time event, as one typed union shared by the server, the widget frame and the
 * admin inbox. Shapes are exactly the seed's (SPEC.md), plus `call:updated` and `session:updated`.
 */
import { z } from "zod";
import type { Call, Message, Session, SessionMode } from "../lib/wire.ts";

/** Server → client events. */
export type ServerEvent =
  | { type: "connection:established"; sessionId: string; timestamp: string }
  | { type: "message:received"; message: Message; timestamp: string }
  | TypingEvent<"typing:start">
  | TypingEvent<"typing:stop">
  | {
    type: "mode:changed";
    mode: SessionMode;
    callDetails: CallDetails;
    message: Message;
    timestamp: string;
  }
  | { type: "call:updated"; call: Call; timestamp: string }
  | { type: "session:updated"; session: Session; timestamp: string }
  | { type: "pong"; timestamp: string }
  | { type: "error"; code: string; message: string; timestamp: string };

/** Who is typing; `name` when it is a person of the team (`senderId: "agent"`). */
export interface TypingEvent<T extends "typing:start" | "typing:stop"> {
  type: T;
  senderId: "agent" | "user";
  name?: string;
  timestamp: string;
}

/** The seed's `callDetails` of `mode:changed`. */
export interface CallDetails {
  retellCallId: string | null;
  status: string;
  phoneNumber?: string | null;
  callId?: string;
  kind?: "phone" | "web";
}

/** Client → server frames, validated on arrival. */
export const ClientEventSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("typing:start") }),
  z.strictObject({ type: z.literal("typing:stop") }),
  z.strictObject({ type: z.literal("resume"), afterMessageId: z.string().max(100).optional() }),
  z.strictObject({ type: z.literal("ping") }),
]);
export type ClientEvent = z.infer<typeof ClientEventSchema>;

/** Adds the timestamp every event carries. */
export function event(e: ServerEventInput): ServerEvent {
  return { ...e, timestamp: new Date().toISOString() } as ServerEvent;
}

/** A server event without its timestamp (Omit distributed over the union). */
export type ServerEventInput = ServerEvent extends infer E
  ? E extends ServerEvent ? Omit<E, "timestamp"> : never
  : never;
