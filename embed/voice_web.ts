/**
 * @module The browser-call chunk (`/embed/voice-web.js`): Retell's web client, bundled apart and
 * imported only when a visitor starts a call in the browser.
 */
import { RetellWebClient } from "retell-client-js-sdk";
import type { WebCallClient } from "./voice.ts";

/** A new Retell browser-call client. */
export function createWebCallClient(): WebCallClient {
  return new RetellWebClient();
}
