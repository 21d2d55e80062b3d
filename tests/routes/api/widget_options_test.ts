/** SPEC v2.5's stored widget options: validated, stored, and public through `/embed/config`. */
import assert from "node:assert/strict";
import { createAgentAndWidget, dbTest, registerAdmin } from "../../helpers/test_app.ts";
import { ensureBuilt } from "../../../build.ts";

dbTest("a new widget has the v2.5 defaults, on the admin and the public shape", async (t) => {
  const { token } = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, token);
  const defaults = {
    locale: null,
    colorScheme: "light",
    hideLauncher: false,
    teaser: null,
    voiceConsentText: null,
  };
  for (const [k, v] of Object.entries(defaults)) assert.deepEqual(widget[k], v, k);
  const pub = await (await t.get(`/embed/config/${widget.id}`)).json();
  for (const [k, v] of Object.entries(defaults)) assert.deepEqual(pub[k], v, `public ${k}`);
});

dbTest("the v2.5 options are stored, read back, public, and cleared with null", async (t) => {
  const { token } = await registerAdmin(t);
  const options = {
    locale: "pt-BR",
    colorScheme: "auto",
    hideLauncher: true,
    teaser: { text: "  Questions? Ask us  ", delaySeconds: 12 },
    voiceConsentText: "Calls may be recorded.",
  };
  const { widget } = await createAgentAndWidget(t, token, options);
  const stored = { ...options, teaser: { text: "Questions? Ask us", delaySeconds: 12 } };
  for (const [k, v] of Object.entries(stored)) assert.deepEqual(widget[k], v, k);
  const read = await (await t.get(`/api/widgets/${widget.id}`, token)).json();
  for (const [k, v] of Object.entries(stored)) assert.deepEqual(read[k], v, `read ${k}`);
  const pub = await (await t.get(`/embed/config/${widget.id}`)).json();
  for (const [k, v] of Object.entries(stored)) assert.deepEqual(pub[k], v, `public ${k}`);

  // A partial update leaves the others alone; null clears.
  const res = await t.put(
    `/api/widgets/${widget.id}`,
    { locale: null, teaser: null, voiceConsentText: null, colorScheme: "dark" },
    token,
  );
  assert.equal(res.status, 200);
  const updated = await res.json();
  assert.equal(updated.locale, null);
  assert.equal(updated.teaser, null);
  assert.equal(updated.voiceConsentText, null);
  assert.equal(updated.colorScheme, "dark");
  assert.equal(updated.hideLauncher, true);
});

dbTest("the v2.5 options refuse bad values with a 400 naming the field", async (t) => {
  const { token } = await registerAdmin(t);
  const { agent, widget } = await createAgentAndWidget(t, token);
  const cases: [Record<string, unknown>, string][] = [
    [{ locale: "xx" }, "locale"],
    [{ locale: "klingon" }, "locale"],
    [{ locale: "fr_FR" }, "locale"],
    [{ locale: "" }, "locale"],
    [{ locale: "fr-" + "x".repeat(40) }, "locale"],
    [{ locale: 7 }, "locale"],
    [{ colorScheme: "sepia" }, "colorScheme"],
    [{ colorScheme: null }, "colorScheme"],
    [{ hideLauncher: "true" }, "hideLauncher"],
    [{ teaser: "Hi" }, "teaser"],
    [{ teaser: { text: "", delaySeconds: 3 } }, "teaser.text"],
    [{ teaser: { text: "   ", delaySeconds: 3 } }, "teaser.text"],
    [{ teaser: { text: "x".repeat(141), delaySeconds: 3 } }, "teaser.text"],
    [{ teaser: { text: "Hi", delaySeconds: -1 } }, "teaser.delaySeconds"],
    [{ teaser: { text: "Hi", delaySeconds: 601 } }, "teaser.delaySeconds"],
    [{ teaser: { text: "Hi", delaySeconds: 1.5 } }, "teaser.delaySeconds"],
    [{ teaser: { text: "Hi" } }, "teaser.delaySeconds"],
    [{ teaser: { text: "Hi", delaySeconds: 3, html: "<b>" } }, "teaser"],
    [{ voiceConsentText: "" }, "voiceConsentText"],
    [{ voiceConsentText: "x".repeat(1001) }, "voiceConsentText"],
    [{ voiceConsentText: 1 }, "voiceConsentText"],
  ];
  for (const [fields, path] of cases) {
    const res = await t.post("/api/widgets", { name: "W", agentId: agent.id, ...fields }, token);
    assert.equal(res.status, 400, JSON.stringify(fields));
    const body = await res.json();
    assert.equal(body.error.code, "validation_failed");
    assert.ok(
      body.error.details.some((d: { path: string }) => d.path === path),
      `${JSON.stringify(fields)}: ${JSON.stringify(body)}`,
    );
    const put = await t.put(`/api/widgets/${widget.id}`, fields, token);
    assert.equal(put.status, 400, `PUT ${JSON.stringify(fields)}`);
  }
  // Nothing of the refused values was stored.
  const read = await (await t.get(`/api/widgets/${widget.id}`, token)).json();
  assert.equal(read.locale, null);
  assert.equal(read.colorScheme, "light");
  assert.equal(read.teaser, null);
  // Every supported language, by its plain code or a regional tag, is accepted.
  for (
    const locale of ["en", "es", "fr", "de", "it", "pt", "nl", "ja", "zh", "ar", "he", "zh-Hant-TW"]
  ) {
    const res = await t.put(`/api/widgets/${widget.id}`, { locale }, token);
    assert.equal(res.status, 200, locale);
    assert.equal((await res.json()).locale, locale);
  }
});

dbTest("the OpenAPI document describes the v2.5 options from the same schemas", async (t) => {
  const document = await (await t.get("/api/openapi.json")).json();
  const schemas = document.components.schemas;
  for (const name of ["Widget", "EmbedConfig"]) {
    for (const k of ["locale", "colorScheme", "hideLauncher", "teaser", "voiceConsentText"]) {
      assert.ok(schemas[name].properties[k], `${name}.${k}`);
      assert.ok(schemas[name].required.includes(k), `${name}.${k} is always sent`);
    }
  }
  assert.ok(JSON.stringify(document).includes(`"consentAt"`), "calls carry consentAt");
  assert.deepEqual(schemas.ColorScheme.enum, ["light", "dark", "auto"]);
  assert.ok(schemas.ErrorCode.enum.includes("consent_required"));
  const put =
    document.paths["/api/widgets/{id}"].put.requestBody.content["application/json"].schema;
  const body = put.$ref ? schemas[put.$ref.split("/").pop()] : put;
  for (const k of ["locale", "colorScheme", "hideLauncher", "teaser", "voiceConsentText"]) {
    assert.ok(body.properties[k], `the update body documents ${k}`);
  }
});

dbTest("the frame page uses the stored locale and colour scheme; the page's own win", async (t) => {
  await ensureBuilt();
  const { token } = await registerAdmin(t);
  const { widget } = await createAgentAndWidget(t, token, { locale: "ar", colorScheme: "dark" });
  const frame = async (query = "", lang = "en-US") => {
    const res = await t.request(`/embed/widget-frame.html?id=${widget.id}${query}`, {
      headers: { "accept-language": lang },
    });
    assert.equal(res.status, 200);
    return await res.text();
  };
  const stored = await frame();
  assert.match(stored, /<html lang="ar" dir="rtl">/, "the owner's language beats the browser's");
  assert.match(stored, /widget-dark\.css[^>]*>/);
  assert.doesNotMatch(stored, /prefers-color-scheme/, "dark, not auto");

  const page = await frame("&locale=fr&colorScheme=light");
  assert.match(page, /<html lang="fr" dir="ltr">/, "the page's locale wins");
  assert.doesNotMatch(page, /widget-dark\.css/, "the page's light wins");

  await t.put(`/api/widgets/${widget.id}`, { locale: null, colorScheme: "auto" }, token);
  const auto = await frame("", "de-DE,de;q=0.9");
  assert.match(auto, /<html lang="de" dir="ltr">/, "no stored locale: the browser's");
  assert.match(auto, /widget-dark\.css[^>]*media="\(prefers-color-scheme: dark\)"/);
});
