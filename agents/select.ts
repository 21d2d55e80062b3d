/** @module Picks the agent backend: Retell when `RETELL_API_KEY` is set, else the offline demo. */
import type { Config } from "../config.ts";
import type { Agent } from "./agent.ts";
import { createDemoAgent } from "./demo.ts";
import { createRetellAgent } from "./retell.ts";

/** The agent the configuration asks for. */
export function selectAgent(config: Config): Agent {
  if (config.retellApiKey) {
    return createRetellAgent({
      apiKey: config.retellApiKey,
      baseUrl: config.retellBaseUrl,
      timeoutMs: config.retellTimeoutMs,
      maxRetries: config.retellMaxRetries,
    });
  }
  return createDemoAgent({
    delayMs: config.demoAgentDelayMs,
    callTimings: config.demoCallTimings,
  });
}
