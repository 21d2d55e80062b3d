/**
 * The widget's languages: every locale module has every string of the chat and the voice
 * screens (English is the fallback only for keys added since), with interpolating strings still
 * functions; BCP 47 tags and `Accept-Language` map onto the supported locales; the frame page
 * gets `lang`, `dir` and the one locale module it needs.
 */
import assert from "node:assert/strict";
import { frameStrings, loaderStrings } from "../../embed/strings.ts";
import { voiceStrings } from "../../embed/strings_voice.ts";
import { extrasStrings } from "../../embed/strings_extras.ts";
import type { Translation } from "../../embed/i18n.ts";
import {
  acceptedLanguages,
  directionOf,
  LOCALES,
  matchLocale,
  pickLocale,
} from "../../lib/locale.ts";
import { createAgentAndWidget, dbTest, registerAdmin, setupVisitor } from "../helpers/test_app.ts";
import { SYSTEM_TEXT, systemText } from "../../lib/system_text.ts";
import { ensureBuilt } from "../../build.ts";

for (const locale of LOCALES.filter((l) => l !== "en")) {
  Deno.test(`embed/locales/${locale}.ts translates every string of the widget`, async () => {
    const t: Translation = (await import(`../../embed/locales/${locale}.ts`)).default;
    const extras = (await import(`../../embed/locales/extras/${locale}.ts`)).default;
    for (
      const [part, english, translated] of [
        ["frame", frameStrings, t.frame],
        ["voice", voiceStrings, t.voice],
        ["loader", loaderStrings, t.loader],
        ["extras", extrasStrings, extras],
      ] as const
    ) {
      const missing = Object.keys(english).filter((k) => !(k in translated));
      assert.deepEqual(missing, [], `${locale}.${part} lacks these keys`);
      for (const [key, value] of Object.entries(english)) {
        const theirs = (translated as Record<string, unknown>)[key];
        assert.equal(typeof theirs, typeof value, `${locale}.${part}.${key}`);
        if (typeof value === "string") {
          assert.ok((theirs as string).trim(), `${locale}.${part}.${key} is empty`);
        } else {
          // Interpolating strings keep their argument.
          assert.match((theirs as (v: never) => string)(42 as never), /42|٤٢/);
        }
      }
      const extra = Object.keys(translated).filter((k) => !(k in english));
      assert.deepEqual(extra, [], `${locale}.${part} has keys English does not`);
    }
  });
}

Deno.test("matchLocale maps BCP 47 tags onto the supported locales", () => {
  const table: [string | undefined, string | undefined][] = [
    ["fr", "fr"],
    ["fr-CA", "fr"],
    ["pt-BR", "pt"],
    ["zh-Hant-TW", "zh"],
    ["ZH_cn", "zh"],
    ["iw", "he"],
    ["he-IL", "he"],
    ["ar-EG", "ar"],
    [" de ", "de"],
    ["sv", undefined],
    ["", undefined],
    [undefined, undefined],
    ["english", undefined],
  ];
  for (const [tag, want] of table) assert.equal(matchLocale(tag), want, String(tag));
});

Deno.test("pickLocale takes the first preference it speaks, else English", () => {
  assert.equal(pickLocale([undefined, "sv", "nl-BE", "fr"]), "nl");
  assert.equal(pickLocale(["xx", null]), "en");
  assert.equal(pickLocale([]), "en");
});

Deno.test("acceptedLanguages orders an Accept-Language header by q, then position", () => {
  assert.deepEqual(acceptedLanguages("sv;q=0.9, ja, *;q=0.1, en;q=0.8"), ["ja", "sv", "en"]);
  assert.deepEqual(acceptedLanguages("de;q=0, fr"), ["fr"]);
  assert.deepEqual(acceptedLanguages(""), []);
  assert.deepEqual(acceptedLanguages(null), []);
  assert.deepEqual(acceptedLanguages("fr;q=abc, it"), ["it"]);
});

Deno.test("directionOf: Arabic and Hebrew are right to left", () => {
  assert.deepEqual(LOCALES.filter((l) => directionOf(l) === "rtl"), ["ar", "he"]);
});

dbTest("GET /embed/widget-frame.html sets lang and dir and preloads only its locale", async (t) => {
  await ensureBuilt();
  const admin = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, admin.token);
  const frame = async (query: string, headers: Record<string, string> = {}) => {
    const res = await t.app.request(`/embed/widget-frame.html?id=${widget.id}${query}`, {
      headers,
    });
    assert.equal(res.status, 200);
    return { html: await res.text(), vary: res.headers.get("vary") ?? "" };
  };
  const english = await frame("");
  assert.match(english.html, /<html lang="en" dir="ltr">/);
  assert.doesNotMatch(english.html, /data-locale/);
  assert.match(english.vary, /Accept-Language/i);

  const french = await frame("", { "accept-language": "sv, fr-CH;q=0.9, en;q=0.5" });
  assert.match(french.html, /<html lang="fr" dir="ltr">/);
  assert.match(
    french.html,
    /<link rel="modulepreload" href="\/embed\/locale-fr\.js\?v=\w+" data-locale>/,
  );

  // The page's pre-set locale wins over the browser's.
  const arabic = await frame("&locale=ar-EG", { "accept-language": "fr" });
  assert.match(arabic.html, /<html lang="ar" dir="rtl">/);
  assert.match(arabic.html, /locale-ar\.js/);
  assert.doesNotMatch(arabic.html, /locale-fr\.js/);

  // A value that is no locale is ignored, never reflected.
  const odd = await frame(`&locale=${encodeURIComponent('"><script>')}`);
  assert.match(odd.html, /<html lang="en" dir="ltr">/);

  const href = /href="(\/embed\/locale-ar\.js\?v=\w+)"/.exec(arabic.html)![1];
  const module = await t.app.request(href);
  assert.equal(module.status, 200);
  assert.match(module.headers.get("content-type") ?? "", /javascript/);
  assert.match(module.headers.get("cache-control") ?? "", /immutable/);
  assert.match(await module.text(), /toLocaleString\("ar"\)/);
  // A locale we do not build is not found, never a "try again later".
  for (const name of ["locale-zz.js", "locale-en.js"]) {
    const missing = await t.app.request(`/embed/${name}`);
    assert.equal(missing.status, 404, name);
    assert.match(missing.headers.get("content-type") ?? "", /json/);
  }
});

dbTest(
  "GET /embed/widget-frame.html links the dark stylesheet only for dark or auto",
  async (t) => {
    await ensureBuilt();
    const admin = await registerAdmin(t);
    const { widget } = await createAgentAndWidget(t, admin.token);
    const html = async (query: string) =>
      await (await t.app.request(`/embed/widget-frame.html?id=${widget.id}${query}`)).text();
    const dark = /<link rel="stylesheet" href="\/embed\/widget-dark\.css\?v=\w+"(?<media>[^>]*)>/;
    assert.doesNotMatch(await html(""), /widget-dark/);
    assert.doesNotMatch(await html("&colorScheme=light"), /widget-dark/);
    assert.doesNotMatch(await html("&colorScheme=purple"), /widget-dark/);
    assert.equal(dark.exec(await html("&colorScheme=dark"))?.groups?.media, "");
    assert.equal(
      dark.exec(await html("&colorScheme=auto"))?.groups?.media,
      ' media="(prefers-color-scheme: dark)"',
    );
    const css = await t.app.request("/embed/widget-dark.css");
    assert.equal(css.status, 200);
    assert.match(css.headers.get("content-type") ?? "", /text\/css/);
  },
);

Deno.test("systemText: every locale words every server message, English for the rest", () => {
  for (const locale of LOCALES) {
    const t = SYSTEM_TEXT[locale];
    for (const [key, value] of Object.entries(SYSTEM_TEXT.en)) {
      const theirs = (t as unknown as Record<string, unknown>)[key];
      assert.equal(typeof theirs, typeof value, `${locale}.${key}`);
    }
    assert.match(t.callStartPhone("+14155552671"), /\+14155552671/);
    assert.match(t.callEnded("1:05"), /1:05/);
    assert.notEqual(t.callEnded("1:05"), t.callEnded());
    const reasons = ["noAnswer", "busy", "unreachable", "notJoined", "noService", "full"] as const;
    const worded = new Set(reasons.map((r) => t.callNotConnected(r)));
    assert.equal(worded.size, reasons.length, `${locale}: each reason has its own words`);
    assert.match(t.callSummary("Parcel 12"), /Parcel 12/);
    if (locale !== "en") assert.notEqual(t.handoff, SYSTEM_TEXT.en.handoff, locale);
  }
  assert.equal(systemText({ locale: "fr-CA" }), SYSTEM_TEXT.fr);
  assert.equal(systemText({ locale: 42 }), SYSTEM_TEXT.en);
  assert.equal(systemText(null), SYSTEM_TEXT.en);
  assert.equal(systemText({}).callEnded(), "Voice call ended");
});

dbTest(
  "POST /api/chat/sessions/:id/handoff words its system message in the chat's language",
  async (t) => {
    const { visitorToken } = await setupVisitor(t);
    const created = await t.post(
      "/api/chat/sessions",
      { metadata: { locale: "fr" } },
      visitorToken,
    );
    assert.equal(created.status, 201);
    const session = await created.json();
    const res = await t.post(`/api/chat/sessions/${session.id}/handoff`, {}, visitorToken);
    assert.equal(res.status, 200);
    const list = await t.get(`/api/chat/sessions/${session.id}/messages`, visitorToken);
    const { messages } = await list.json();
    const notice = messages.findLast((m: { senderType: string }) => m.senderType === "system");
    assert.equal(notice.content, SYSTEM_TEXT.fr.handoff);
  },
);
