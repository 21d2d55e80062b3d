/**
 * The weight contract of SPEC v2.5, measured exactly as `deno task bench` measures it
 * (`bench/lib/weights.ts`): `widget.js` ≤ 3,072 B gzipped, and the chat frame (its HTML plus every
 * script and stylesheet the HTML names, so everything loaded before the visitor acts) ≤ 20,480 B.
 * A page's locale and colour scheme each add one small preloaded file (the strings of that
 * language, the dark colours), held to ceilings of their own.
 */
import assert from "node:assert/strict";
import { ensureBuilt } from "../../build.ts";
import { total, type Weight, WEIGHT_BUDGET, widgetWeights } from "../../bench/lib/weights.ts";
import { createAgentAndWidget, registerAdmin, startApp } from "../helpers/test_app.ts";
import { serveApp } from "../helpers/server.ts";

/** Ceilings of the two files a page option adds (today about 1.6 KB and 0.55 KB). */
const LOCALE_MODULE_MAX = 1_800;
const DARK_STYLES_MAX = 700;

const report = (parts: Record<string, Weight>) =>
  Object.entries(parts).map(([name, w]) => `${name} ${w.gzip} B`).join(", ");

Deno.test("widget.js and the chat frame stay inside their gzip budgets", async () => {
  await ensureBuilt();
  const s = await serveApp(await startApp("pglite"));
  try {
    const admin = await registerAdmin(s.t);
    const { widget } = await createAgentAndWidget(s.t, admin.token);
    const plain = await widgetWeights(s.url, widget.id);
    assert.ok(plain, "the server serves the loader and the frame");
    assert.ok(
      plain.loader.gzip <= WEIGHT_BUDGET.loaderGzip,
      `widget.js is ${plain.loader.gzip} B gzipped, over its ${WEIGHT_BUDGET.loaderGzip} B budget`,
    );
    // The contract: the frame as a visitor gets it by default (English, light).
    const frame = total(plain.frame).gzip;
    assert.ok(
      frame <= WEIGHT_BUDGET.frameGzip,
      `the frame is ${frame} B gzipped, over its ${WEIGHT_BUDGET.frameGzip} B budget: ` +
        report(plain.frame),
    );
    // A page's locale and colour scheme add exactly their own small files, preloaded with the
    // page, and nothing else: the chat's code is the same bytes in every language.
    const dressed = await widgetWeights(s.url, widget.id + "&locale=ar&colorScheme=dark");
    assert.ok(dressed);
    const extra = Object.keys(dressed.frame).filter((f) => !(f in plain.frame)).sort();
    assert.deepEqual(extra.map((f) => f.replace(/\.js$|\.css$/, "")), ["locale-ar", "widget-dark"]);
    assert.ok(dressed.frame["locale-ar.js"].gzip <= LOCALE_MODULE_MAX, report(dressed.frame));
    assert.ok(dressed.frame["widget-dark.css"].gzip <= DARK_STYLES_MAX, report(dressed.frame));
  } finally {
    await s.close();
  }
});
