/**
 * @module The offline demo agent, used when `RETELL_API_KEY` is unset: deterministic, useful
 * answers about Parley after a short delay so that typing shows.
 */
import type { Agent, AgentReply, ReplyInput } from "./agent.ts";
import { DEFAULT_DEMO_CALL_TIMINGS, demoCalls, type DemoCallTimings } from "./demo_calls.ts";

/** Options of the demo agent; tests and benchmarks set the delay to 0. */
export interface DemoAgentOptions {
  delayMs: number;
  sleep?: (ms: number) => Promise<void>;
  /** When a simulated call connects, ends and is analyzed (tests shorten them). */
  callTimings?: DemoCallTimings;
}

const ANSWERS: { match: RegExp; reply: string; offer?: "handoff" }[] = [
  // Asked for a person: offer the handoff (the frame shows a "Talk to a person" button with it).
  {
    match: /\b(human|person|people|agent|someone|representative|support)\b/i,
    reply:
      "I'm an AI assistant, but a person from the team can take it from here. Press **Talk to a person** and a teammate will join this chat.",
    offer: "handoff",
  },
  {
    match: /\b(who|what) are you\b|\b(demo|bot|real|retell)\b/i,
    reply:
      "I'm Parley's offline demo agent: no AI service is connected, so my answers are canned. Set RETELL_API_KEY and give the agent a Retell chat agent id, and your own Retell agent answers here instead.",
  },
  {
    match: /\b(voice|call|phone|speak|talk)\b/i,
    reply:
      "You can move this chat to a voice call at any time: press the **phone** button beside the message box. I'll call you back, or we can talk right here in the browser, and I'll already know what we said.",
  },
  {
    match: /\b(embed|install|script|snippet|website|site|store|shop|page)\b/i,
    reply:
      "Embedding takes one line: paste the `<script>` tag from the admin's widget page before `</body>`. The loader is under 3 KB and the chat loads only when a visitor opens it.",
  },
  {
    match: /\b(price|pricing|cost|plan)\b/i,
    reply:
      "This is a demo, so there's no real pricing here. A real agent would answer from your own knowledge base.",
  },
  // A greeting answers only when nothing more specific was asked ("Hi! Can I add this?").
  {
    match: /\b(hi|hello|hey|good (morning|afternoon|evening))\b/i,
    reply:
      "Hi there! I'm Parley's demo assistant. Ask me about the widget, voice calls or pricing.",
  },
  {
    match: /\b(thanks|thank you|bye|goodbye)\b/i,
    reply: "You're welcome! Come back any time; this conversation will still be here.",
  },
];

const FALLBACK =
  "I'm Parley's offline demo agent, so my answers are limited. Ask me about embedding the widget, voice calls, or how conversations are kept.";

/** The demo reply to a message (pure, for tests). */
export function demoReply(content: string): string {
  return demoAnswer(content).content;
}

function demoAnswer(content: string): AgentReply {
  const found = ANSWERS.find((a) => a.match.test(content));
  if (!found) return { content: FALLBACK };
  return found.offer ? { content: found.reply, offer: found.offer } : { content: found.reply };
}

/** Creates the offline demo agent. */
export function createDemoAgent(options: DemoAgentOptions): Agent {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  return {
    kind: "demo",
    async reply({ content }: ReplyInput): Promise<AgentReply> {
      if (options.delayMs > 0) await sleep(options.delayMs);
      return demoAnswer(content);
    },
    async endChat() {},
    ...demoCalls(options.callTimings ?? DEFAULT_DEMO_CALL_TIMINGS),
  };
}
