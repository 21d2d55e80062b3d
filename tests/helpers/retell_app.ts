/**
 * @module A test app whose agent talks to a fresh fake Retell, with a visitor in a session that
 * has chatted once: what the tests of calls and budgets start from.
 */
import {
  dbTest,
  setupVisitor,
  type StartAppOptions,
  type TestApp,
  useDeploymentRetell,
} from "./test_app.ts";
import { type FakeRetell, startFakeRetell } from "./fake_retell.ts";
import { createRetellAgent } from "../../agents/retell.ts";

/** The visitor of `retellTest`, with their session. */
export type RetellVisitor = Awaited<ReturnType<typeof setupVisitor>> & { sessionId: string };

/** Options of `retellTest`. */
export interface RetellTestOptions {
  widget?: Record<string, unknown>;
  config?: StartAppOptions["config"];
}

/** Points the app's agent at `fake`. */
export function useFakeRetell(t: TestApp, fake: FakeRetell): void {
  t.deps.agent = createRetellAgent({
    apiKey: fake.apiKey,
    baseUrl: fake.url,
    timeoutMs: 2000,
    maxRetries: 0,
  });
}

/** A new session of an existing visitor. */
export async function newSession(t: TestApp, visitorToken: string): Promise<string> {
  const res = await t.post("/api/chat/sessions", {}, visitorToken);
  if (res.status !== 201) throw new Error(`session failed: ${res.status} ${await res.text()}`);
  return (await res.json()).id;
}

/** `dbTest` with a fake Retell and a visitor of a widget that offers phone calls to the US. */
export function retellTest(
  name: string,
  fn: (t: TestApp, fake: FakeRetell, v: RetellVisitor) => Promise<void>,
  options: RetellTestOptions = {},
): void {
  dbTest(name, async (t) => {
    const fake = await startFakeRetell();
    try {
      useFakeRetell(t, fake);
      useDeploymentRetell(t, fake);
      const v = await setupVisitor(
        t,
        { voiceMode: "both", phoneCountries: ["US"], ...options.widget },
        {
          retellAgentId: "agent_voice_test",
          retellChatAgentId: "agent_chat_test",
          fromNumber: "+14155550100",
        },
      );
      await fn(t, fake, { ...v, sessionId: await newSession(t, v.visitorToken) });
    } finally {
      await fake.close();
    }
  }, { config: { retellApiKey: "key_test_fake_retell", ...options.config } });
}
