/**
 * @module Accessibility checks with axe-core (the maintained engine behind Lighthouse's and
 * Chrome DevTools' audits), run inside a real page or frame. Only serious and critical
 * violations fail a test; each is reported with its rule, impact and the offending markup.
 */
import axe from "axe-core";
import type { Frame, Page } from "playwright-core";

/** One violation as the tests report it. */
export interface AxeProblem {
  rule: string;
  impact: string;
  help: string;
  nodes: string[];
}

/**
 * Runs axe-core in `target` (a page, or a frame: the widget's cross-origin frame included) and
 * returns the serious and critical violations. `evaluate` goes through the DevTools protocol, so
 * the frame's strict CSP does not stop the injected engine.
 */
export async function axeProblems(target: Page | Frame): Promise<AxeProblem[]> {
  // Colours are sampled as painted: let entry animations (fades, rises) finish first.
  await target.evaluate(() =>
    Promise.all(
      document.getAnimations().filter((a) => a.effect?.getTiming().iterations !== Infinity)
        .map((a) => a.finished.catch(() => {})),
    )
  );
  const loaded = await target.evaluate(() => "axe" in globalThis);
  if (!loaded) await target.evaluate(axe.source);
  const violations = await target.evaluate(async () => {
    // deno-lint-ignore no-explicit-any
    const engine = (globalThis as any).axe;
    const result = await engine.run(document, {
      resultTypes: ["violations"],
      runOnly: {
        type: "tag",
        values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
      },
    });
    // deno-lint-ignore no-explicit-any
    return result.violations.map((v: any) => ({
      rule: v.id,
      impact: v.impact ?? "",
      help: v.help,
      // deno-lint-ignore no-explicit-any
      nodes: v.nodes.map((n: any) =>
        `${n.html.slice(0, 160)} (${n.target.join(" ")}): ${n.any?.[0]?.message ?? ""}`
      ),
    }));
  });
  return (violations as AxeProblem[]).filter((v) =>
    v.impact === "serious" || v.impact === "critical"
  );
}

/** The widget's frame in `page`, once it is attached. */
export async function widgetFrame(page: Page): Promise<Frame> {
  await page.waitForSelector("parley-widget", { state: "attached" });
  for (let i = 0; i < 200; i++) {
    const frame = page.frames().find((f) => f.url().includes("/embed/widget-frame.html"));
    if (frame) return frame;
    await page.waitForEvent("frameattached", { timeout: 30_000 });
  }
  throw new Error("The widget frame never attached");
}

/** A readable summary of problems, for assertion messages. */
export function describe(problems: AxeProblem[]): string {
  return problems.map((p) => `${p.impact} ${p.rule}: ${p.help}\n    ${p.nodes.join("\n    ")}`)
    .join("\n");
}
