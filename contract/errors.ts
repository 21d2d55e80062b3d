/** @module The error envelope every failed JSON request gets: `{error: {code, message, details?}}`. */
import { z } from "zod";
import { ERROR_CODES } from "../lib/errors.ts";

export const ErrorCodeSchema = z.enum(ERROR_CODES).meta({ id: "ErrorCode" });

/** The body of every error response. */
export const ErrorEnvelopeSchema = z.object({
  error: z.object({
    code: ErrorCodeSchema,
    message: z.string(),
    /** zod issues (400), the stored message (502), limits (413)… */
    details: z.unknown().optional(),
  }),
}).meta({ id: "Error" });
export type ErrorEnvelope = z.infer<typeof ErrorEnvelopeSchema>;
