/** @module Defaults of the wire that browser code needs as values (no zod here, so bundles stay small). */

/** The welcome message of a widget that sets none (SPEC's default). */
export const DEFAULT_WELCOME = "Hello! How can I help you today?";
