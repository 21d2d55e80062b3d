import assert from "node:assert/strict";
import { createDemoAgent, demoReply } from "../../agents/demo.ts";
import { selectAgent } from "../../agents/select.ts";
import { testConfig } from "../helpers/test_app.ts";
import type { ReplyInput } from "../../agents/agent.ts";

const input = (content: string) =>
  ({ content, claimChat: () => Promise.resolve(null) }) as unknown as ReplyInput;

Deno.test("demoReply answers deterministically and says it is a demo", () => {
  const cases: [string, RegExp][] = [
    ["Hello there", /demo assistant/],
    ["Are you a bot?", /offline demo agent/],
    ["Can I talk on the phone?", /voice call/],
    ["How do I embed this on my website?", /<script>/],
    ["What does it cost?", /demo/],
    ["qwertyuiop", /offline demo agent/],
  ];
  for (const [question, answer] of cases) {
    assert.match(demoReply(question), answer, question);
    assert.equal(demoReply(question), demoReply(question));
  }
});

Deno.test("createDemoAgent waits its delay so that typing shows, and keeps no chat", async () => {
  const slept: number[] = [];
  const agent = createDemoAgent({
    delayMs: 250,
    sleep: (ms) => Promise.resolve(void slept.push(ms)),
  });
  assert.equal(agent.kind, "demo");
  const reply = await agent.reply(input("hi"));
  assert.equal(reply.content, demoReply("hi"));
  assert.deepEqual(slept, [250]);
  const instant = createDemoAgent({
    delayMs: 0,
    sleep: () => Promise.reject(new Error("no sleep")),
  });
  assert.equal((await instant.reply(input("hi"))).content, demoReply("hi"));
});

Deno.test("selectAgent picks Retell when RETELL_API_KEY is set, else the demo agent", () => {
  assert.equal(selectAgent(testConfig()).kind, "demo");
  assert.equal(
    selectAgent(testConfig({ retellApiKey: "key_x", retellBaseUrl: "http://127.0.0.1:9" })).kind,
    "retell",
  );
});
