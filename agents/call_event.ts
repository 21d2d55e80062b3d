/**
 * @module Retell's call events as data: the webhook payload `{event, call}` (RETELL.md §4) parsed
 * with zod. Every agent backend delivers its call events in this shape (the offline demo produces
 * the very same payloads), so both travel one code path into `calls/lifecycle.ts`. It lives with
 * the backends so that `calls/` depends on `agents/` and never the reverse.
 */
import { z } from "zod";

const timestamp = z.number().finite().nonnegative().nullish();
const text = z.string().max(100_000).nullish();

/** One utterance of `transcript_object` (words and timings are optional and kept loose). */
const UtteranceSchema = z.looseObject({
  role: z.string().max(50),
  content: z.string().max(20_000),
  words: z.array(z.looseObject({ start: z.number().nullish() })).max(20_000).nullish(),
});

/** The part of Retell's call object Parley reads; anything else is kept but ignored. */
export const RetellCallSchema = z.looseObject({
  call_id: z.string().min(1).max(100),
  call_type: z.string().max(50).nullish(),
  call_status: z.string().max(50).nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  start_timestamp: timestamp,
  end_timestamp: timestamp,
  duration_ms: timestamp,
  transcript: text,
  transcript_object: z.array(UtteranceSchema).max(5_000).nullish(),
  recording_url: z.string().max(2048).nullish(),
  disconnection_reason: z.string().max(100).nullish(),
  call_analysis: z.looseObject({ call_summary: text }).nullish(),
});
export type RetellCall = z.infer<typeof RetellCallSchema>;

/** A voice webhook (`call_started`, `call_ended`, `call_analyzed`, …) or the demo's equivalent. */
export const CallEventSchema = z.looseObject({
  event: z.string().min(1).max(100),
  call: RetellCallSchema,
});
export type CallEvent = z.infer<typeof CallEventSchema>;
