import assert from "node:assert/strict";
import { brotliDecompressSync, gunzipSync, gzipSync } from "node:zlib";
import { ensureBuilt } from "../../build.ts";
import { chunkImports } from "../../lib/bundles.ts";
import { createAgentAndWidget, dbTest, registerAdmin, type TestApp } from "../helpers/test_app.ts";

await ensureBuilt();

/** Size after `gzip -9`, the measure of the budgets (PEERS.md). */
function gzipSize(bytes: Uint8Array<ArrayBuffer>): number {
  return gzipSync(bytes, { level: 9 }).byteLength;
}

async function widgetOf(t: TestApp, widget: Record<string, unknown> = {}) {
  const admin = await registerAdmin(t);
  return (await createAgentAndWidget(t, admin.token, widget)).widget;
}

// Its weight (3 KB gzipped, as the server sends it) is the contract of tests/embed/weight_test.ts.
dbTest(
  "GET /embed/widget.js serves the loader to any page, cached by ETag",
  async (t) => {
    const res = await t.request("/embed/widget.js");
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/javascript/);
    assert.equal(res.headers.get("cross-origin-resource-policy"), "cross-origin");
    assert.equal(res.headers.get("cache-control"), "public, max-age=300");
    await res.body?.cancel();
    const etag = res.headers.get("etag")!;
    const again = await t.request("/embed/widget.js", { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
  },
);

dbTest(
  "GET /embed/*.js|css: the build's brotli and gzip copies by content negotiation, the same bytes once decoded",
  async (t) => {
    for (const file of ["widget.js", "widget-frame.js", "widget-frame.css"]) {
      const plain = new Uint8Array(
        await (await t.request(`/embed/${file}`, { headers: { "accept-encoding": "identity" } }))
          .arrayBuffer(),
      );
      const cases: [string, string | null][] = [
        ["gzip, deflate, br, zstd", "br"],
        ["gzip", "gzip"],
        ["br;q=0, gzip", "gzip"],
        ["*", "br"],
        ["gzip;q=0, br;q=0", null],
        ["identity", null],
        ["", null],
      ];
      for (const [accept, expected] of cases) {
        const res = await t.request(`/embed/${file}`, { headers: { "accept-encoding": accept } });
        assert.equal(res.headers.get("content-encoding"), expected, `${file} for "${accept}"`);
        assert.equal(res.headers.get("vary"), "Accept-Encoding");
        const body = new Uint8Array(await res.arrayBuffer());
        const decoded = expected === "br"
          ? brotliDecompressSync(body)
          : expected === "gzip"
          ? gunzipSync(body)
          : body;
        assert.deepEqual(new Uint8Array(decoded), plain, `${file} for "${accept}"`);
        // Precompressed by the build: at least as small as gzip -9 would make it on the fly.
        if (expected === "gzip") assert.ok(body.byteLength <= gzipSize(plain), file);
        if (expected === "br") assert.ok(body.byteLength < gzipSize(plain), file);
      }
    }
  },
);

dbTest(
  "GET /embed/widget-frame.html: CSP frame-ancestors from the allowed domains, config inlined safely",
  async (t) => {
    const widget = await widgetOf(t, {
      allowedDomains: ["shop.example.com", "*.example.org"],
      welcomeMessage: "</script><script>alert(1)</script>",
      themeColor: "#0088FF",
    });
    const res = await t.request(`/embed/widget-frame.html?id=${widget.id}&themeColor=%23FF5500`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type")!, /^text\/html/);
    const csp = res.headers.get("content-security-policy")!;
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /default-src 'none'/);
    const ancestors = csp.split("; ").find((d) => d.startsWith("frame-ancestors"))!;
    assert.equal(
      ancestors,
      "frame-ancestors 'self' http://parley.test http://shop.example.com:* https://shop.example.com:* http://*.example.org:* https://*.example.org:*",
    );
    assert.equal(res.headers.get("x-frame-options"), null);
    const html = await res.text();
    // One script element of code, our own; the welcome cannot end the JSON element.
    assert.equal(html.match(/<script/g)?.length, 2);
    assert.ok(!html.includes("</script><script>alert"));
    const json = JSON.parse(
      /<script type="application\/json" id="parley-config">(.*?)<\/script>/.exec(html)![1],
    );
    assert.equal(json.welcomeMessage, "</script><script>alert(1)</script>");
    // The page's colour wins, with the accessible fill worked out on the server.
    assert.deepEqual(json.theme, { color: "#FF5500", fill: "#cc4400", text: "#ffffff" });
    assert.match(html, /src="\/embed\/widget-frame\.js\?v=[0-9a-f]{20}"/);

    // A colour that is not one is ignored.
    const bad = await (await t.request(`/embed/widget-frame.html?id=${widget.id}&themeColor=red;}`))
      .text();
    assert.match(bad, /"theme":\{"color":"#0088FF"/);
  },
);

dbTest(
  "GET /embed/widget-frame.html: the pre-chat form is inlined only when set, and cannot end the JSON",
  async (t) => {
    const config = async (id: string) =>
      JSON.parse(
        /id="parley-config">(.*?)<\/script>/.exec(
          await (await t.request(`/embed/widget-frame.html?id=${id}`)).text(),
        )![1],
      );
    const plain = await widgetOf(t);
    assert.equal("preChatForm" in await config(plain.id), false);
    const form = {
      fields: [{ name: "email", required: true }],
      consentText: "</script><script>alert(1)</script>",
    };
    const withForm = await widgetOf(t, { preChatForm: form });
    const html = await (await t.request(`/embed/widget-frame.html?id=${withForm.id}`)).text();
    assert.equal(html.match(/<script/g)?.length, 2);
    assert.deepEqual((await config(withForm.id)).preChatForm, form);
  },
);

dbTest("GET /embed/widget-frame.html: any domain when the allowlist is empty", async (t) => {
  const widget = await widgetOf(t);
  const res = await t.request(`/embed/widget-frame.html?id=${widget.id}`);
  assert.match(res.headers.get("content-security-policy")!, /frame-ancestors \*$/);
  await res.body?.cancel();
});

dbTest(
  "GET /embed/widget-frame.html: unknown, malformed or inactive widgets get a small 404 page",
  async (t) => {
    const inactive = await widgetOf(t, { isActive: false });
    for (const id of [inactive.id, crypto.randomUUID(), "not-a-uuid", ""]) {
      const res = await t.request(`/embed/widget-frame.html?id=${id}`);
      assert.equal(res.status, 404, id);
      assert.match(res.headers.get("content-type")!, /^text\/html/);
      const html = await res.text();
      assert.match(html, /isn\u2019t available/);
      assert.ok(!html.includes("<script"));
    }
  },
);

dbTest(
  "GET /embed/widget-frame.js and voice-web.js: within budget, immutable when versioned",
  async (t) => {
    const html = await (await t.request(`/embed/widget-frame.html?id=${(await widgetOf(t)).id}`))
      .text();
    const frameSrc = /src="(\/embed\/widget-frame\.js\?v=[0-9a-f]+)"/.exec(html)![1];
    const res = await t.request(frameSrc);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "public, max-age=31536000, immutable");
    const entry = new Uint8Array(await res.arrayBuffer());
    // What opening the chat costs: the entry and the chunks it imports at once, all preloaded.
    const { static: shared, dynamic: lazy } = chunkImports(new TextDecoder().decode(entry));
    let gz = gzipSize(entry);
    for (const chunk of shared) {
      assert.ok(html.includes(`<link rel="modulepreload" href="/embed/${chunk}">`), chunk);
      const r = await t.request(`/embed/${chunk}`);
      assert.equal(r.headers.get("cache-control"), "public, max-age=31536000, immutable");
      gz += gzipSize(new Uint8Array(await r.arrayBuffer()));
    }
    assert.ok(gz <= 20 * 1024, `chat frame is ${gz} bytes gzipped`);
    // The voice screens and the extras (pre-chat form, rating, header menu) are chunks of their
    // own, fetched only when the visitor needs them.
    assert.deepEqual(lazy.map((f) => f.replace(/-[A-Z0-9]{8}\.js$/, "")).sort(), [
      "extras_chunk",
      "voice_chunk",
    ]);
    for (const chunk of lazy) {
      const r = await t.request(`/embed/${chunk}`);
      assert.equal(r.status, 200);
      await r.body?.cancel();
    }
    // The extras' stylesheet, fetched by their chunk.
    const ec = await t.request("/embed/widget-extras.css");
    assert.equal(ec.status, 200);
    assert.match(ec.headers.get("content-type")!, /^text\/css/);
    assert.match(await ec.text(), /\.prechat/);
    // ...with its stylesheet, named in the page and fetched by the chunk.
    const voiceCss = /name="parley-voice-css" content="([^"]+)"/.exec(html)![1];
    const vc = await t.request(voiceCss);
    assert.match(vc.headers.get("content-type")!, /^text\/css/);
    assert.equal(vc.headers.get("cache-control"), "public, max-age=31536000, immutable");
    await vc.body?.cancel();
    // Only content-hashed chunk names are served from the build directory.
    for (const name of ["admin.js", "..%2Fdeno.json", "chunk-abc.js", "x-ABCDEFGH.css"]) {
      const r = await t.request(`/embed/${name}`);
      assert.equal(r.status, 404, name);
      await r.body?.cancel();
    }
    // The browser-call client is its own chunk, never part of the frame.
    const voice = await t.request("/embed/voice-web.js");
    assert.equal(voice.status, 200);
    assert.ok((await voice.arrayBuffer()).byteLength > 100_000);
    const css = await t.request(/href="(\/embed\/widget-frame\.css\?v=[0-9a-f]+)"/.exec(html)![1]);
    assert.match(css.headers.get("content-type")!, /^text\/css/);
    await css.body?.cancel();
  },
);

dbTest(
  "GET / embeds the demo organization's widget; ?widget= picks only another of its own; /demo/custom pre-sets the seed's config",
  async (t) => {
    const none = await t.request("/");
    assert.equal(none.status, 200);
    assert.match(await none.text(), /no active widget yet/);
    const owner = await registerAdmin(t, "Demo");
    const first = (await createAgentAndWidget(t, owner.token)).widget;
    const second = (await createAgentAndWidget(t, owner.token)).widget;
    const stranger = await widgetOf(t);
    const page = await (await t.request("/")).text();
    assert.ok(page.includes(`/embed/widget.js?id=${first.id}`));
    const picked = await (await t.request(`/?widget=${second.id}`)).text();
    assert.ok(picked.includes(`/embed/widget.js?id=${second.id}`));
    // SPEC v2.2: never another organization's widget on Parley's own origin.
    const refused = await (await t.request(`/?widget=${stranger.id}`)).text();
    assert.ok(!refused.includes(stranger.id));
    assert.ok(refused.includes(`/embed/widget.js?id=${first.id}`));
    const custom = await (await t.request("/demo/custom")).text();
    assert.match(
      custom,
      /"position":"bottom-left","themeColor":"#FF5500","headerText":"Ask our AI Assistant"/,
    );
    assert.match(custom, /"autoOpen":true/);
    assert.ok(custom.includes(`"widgetId":"${first.id}"`));
  },
);

dbTest(
  "GET /embed/widget-frame.html opened as a page (Sec-Fetch-Dest: document) runs no chat",
  async (t) => {
    const widget = await widgetOf(t);
    const link = `/embed/widget-frame.html?id=${widget.id}&headerText=Bank&welcomeMessage=Card%3F`;
    for (const dest of ["document", "embed", "object"]) {
      const res = await t.request(link, { headers: { "sec-fetch-dest": dest } });
      assert.equal(res.status, 403, dest);
      const html = await res.text();
      assert.ok(!html.includes("<script"), dest);
      assert.ok(!html.includes("Bank") && !html.includes("Card"), dest);
      assert.match(html, /opens on the website that offers it/);
    }
    for (const dest of ["iframe", undefined]) {
      const headers: Record<string, string> = dest ? { "sec-fetch-dest": dest } : {};
      const res = await t.request(link, { headers });
      assert.equal(res.status, 200, String(dest));
      await res.body?.cancel();
    }
  },
);
