/**
 * @module The public pages: `/` explains Parley and embeds the demo widget, `/demo/custom` is the
 * seed's custom-configuration example. Server-rendered, no client framework: the widget is the
 * only script, loaded exactly as a customer's site would load it.
 */
import type { ComponentChildren } from "preact";

/** What a page needs to embed a widget. */
export interface EmbedInfo {
  /** Our public origin, e.g. `http://localhost:8000`. */
  origin: string;
  widgetId?: string;
  /** Gzipped sizes of the bundles in bytes, when built. */
  sizes?: { loader: number; frame: number; voice: number };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function Page(props: { title: string; css: string; children: ComponentChildren }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <meta
          name="description"
          content="Parley: an embeddable chat and voice widget for Retell AI agents."
        />
        <style dangerouslySetInnerHTML={{ __html: props.css }} />
      </head>
      <body>{props.children}</body>
    </html>
  );
}

function Nav() {
  return (
    <nav class="nav">
      <a class="brand" href="/">
        <span class="brand-mark" aria-hidden="true">P</span> Parley
      </a>
      <div class="nav-links">
        <a href="/">Demo</a>
        <a href="/demo/custom">Custom demo</a>
        <a href="/admin">Admin</a>
      </div>
    </nav>
  );
}

function Code(props: { children: string; label: string }) {
  return (
    <figure class="code">
      <figcaption>{props.label}</figcaption>
      <pre><code>{props.children}</code></pre>
    </figure>
  );
}

/** The snippets of the Embedding section, filled in with this server and widget. */
export function snippets(origin: string, widgetId: string) {
  return {
    plain: `<script src="${origin}/embed/widget.js?id=${widgetId}" async></script>`,
    preset: `<script>
  window.rtlChatWidget = {
    widgetId: "${widgetId}",
    config: {
      position: "bottom-left",
      themeColor: "#FF5500",
      headerText: "Ask our AI Assistant",
      welcomeMessage: "Hi there! I'm your AI assistant. How can I help you today?",
      autoOpen: true
    }
  };
</script>
<script src="${origin}/embed/widget.js" async></script>`,
    api: `rtlChatWidget.open();            // also close(), toggle(), destroy()
rtlChatWidget.on("message", (m) => console.log(m.senderType, m.content));
rtlChatWidget.on("modeChange", (mode) => console.log("now", mode)); // "chat" | "voice"
rtlChatWidget.on("ready", () => console.log("chat frame ready"));`,
  };
}

function WidgetScript(props: { info: EmbedInfo; preset?: Record<string, unknown> }) {
  const { info } = props;
  if (!info.widgetId) return null;
  if (props.preset) {
    // Server-built JSON; `<` escaped so a value cannot end the script element.
    const json = JSON.stringify({ widgetId: info.widgetId, config: props.preset })
      .replace(/</g, "\\u003c");
    return (
      <>
        <script dangerouslySetInnerHTML={{ __html: `window.rtlChatWidget = ${json};` }} />
        <script src={`${info.origin}/embed/widget.js`} async />
      </>
    );
  }
  return <script src={`${info.origin}/embed/widget.js?id=${info.widgetId}`} async />;
}

function NoWidget() {
  return (
    <p class="callout">
      There is no active widget yet. <a href="/admin">Sign in to the admin</a>{" "}
      to create one, then come back.
    </p>
  );
}

/** `/`: what Parley is, with the demo widget on the page. */
export function LandingPage(props: { info: EmbedInfo; css: string }) {
  const { info } = props;
  const s = snippets(info.origin, info.widgetId ?? "WIDGET_ID");
  return (
    <Page title="Parley: chat and voice for Retell AI agents" css={props.css}>
      <Nav />
      <header class="hero">
        <p class="eyebrow">Chat + voice widget for Retell AI agents</p>
        <h1>
          Talk to every visitor.<br />
          <span class="accent">By text, then by voice.</span>
        </h1>
        <p class="lead">
          One script tag puts a chat bubble on your site. Visitors chat with your Retell agent and
          can move the same conversation to a phone or browser call, without repeating themselves.
        </p>
        <div class="cta">
          {info.widgetId
            ? (
              <button type="button" class="button" id="try-chat">
                Open the chat
              </button>
            )
            : <a class="button" href="/admin">Create a widget</a>}
          <a class="button button-ghost" href="#embed">Embed it</a>
        </div>
        {info.widgetId && (
          <p class="hint">
            The bubble in the corner is the real widget, loaded the way your site would load it. Try
            "can we talk on the phone?".
          </p>
        )}
      </header>

      <section class="stats" aria-label="Weight">
        <div>
          <strong>{info.sizes ? kb(info.sizes.loader) : "< 3 KB"}</strong>
          <span>what your page pays until a visitor opens the chat</span>
        </div>
        <div>
          <strong>{info.sizes ? kb(info.sizes.frame) : "< 20 KB"}</strong>
          <span>the chat, scripts and styles, loaded on first open</span>
        </div>
        <div>
          <strong>{info.sizes ? kb(info.sizes.voice) : "~150 KB"}</strong>
          <span>the browser-call client, fetched only when a call starts</span>
        </div>
      </section>

      <section class="features">
        <article>
          <h2>Chat that keeps its place</h2>
          <p>
            Reloads, navigation, a flaky network or a server restart: the conversation picks up
            where it was, and no message is sent twice.
          </p>
        </article>
        <article>
          <h2>Voice without starting over</h2>
          <p>
            A callback to the visitor's phone or a call right in the browser. The voice agent
            receives the chat so far; the transcript comes back into the chat.
          </p>
        </article>
        <article>
          <h2>Safe on any page</h2>
          <p>
            A shadow root your CSS can't break, a frame only your domains may embed, messages
            checked by origin, and agent text rendered without HTML.
          </p>
        </article>
        <article>
          <h2>For everyone</h2>
          <p>
            Keyboard and screen-reader friendly, readable on any brand colour, full screen on
            phones, and calm for people who prefer reduced motion.
          </p>
        </article>
      </section>

      <section class="embed" id="embed">
        <h2>Embed it</h2>
        {!info.widgetId && <NoWidget />}
        <p>
          Paste this before <code>&lt;/body&gt;</code>:
        </p>
        <Code label="HTML">{s.plain}</Code>
        <p>
          Or pre-set the look on the page; these values win over the ones stored in the admin (see
          {" "}
          <a href="/demo/custom">the custom configuration demo</a>):
        </p>
        <Code label="HTML">{s.preset}</Code>
        <p>Control it from your own scripts:</p>
        <Code label="JavaScript">{s.api}</Code>
      </section>

      <footer class="foot">
        Parley · open the <a href="/admin">admin</a> to manage agents, widgets and conversations.
      </footer>
      <WidgetScript info={info} />
      {info.widgetId && (
        <script
          dangerouslySetInnerHTML={{
            __html:
              `document.getElementById("try-chat").addEventListener("click",function(){window.rtlChatWidget&&window.rtlChatWidget.open&&window.rtlChatWidget.open()});`,
          }}
        />
      )}
    </Page>
  );
}

/** The seed's custom configuration. */
export const CUSTOM_PRESET = {
  position: "bottom-left",
  themeColor: "#FF5500",
  headerText: "Ask our AI Assistant",
  welcomeMessage: "Hi there! I'm your AI assistant. How can I help you today?",
  autoOpen: true,
};

/** `/demo/custom`: the seed's custom-configuration example, live. */
export function CustomDemoPage(props: { info: EmbedInfo; css: string }) {
  const { info } = props;
  return (
    <Page title="Custom configuration · Parley" css={props.css}>
      <Nav />
      <header class="hero hero-small">
        <p class="eyebrow">Custom configuration</p>
        <h1>Your colours, your words, your corner.</h1>
        <p class="lead">
          This page sets the widget up before loading it: bottom-left, orange, its own header and
          welcome, and open from the start. The page's values win over the stored configuration.
        </p>
      </header>
      <section class="embed">
        {!info.widgetId && <NoWidget />}
        <Code label="HTML">{snippets(info.origin, info.widgetId ?? "WIDGET_ID").preset}</Code>
      </section>
      <WidgetScript info={info} preset={CUSTOM_PRESET} />
    </Page>
  );
}
