/**
 * @module Safe minimal formatting of agent messages: paragraphs, line breaks, `-`/`1.` lists,
 * **bold**, `code`, [links](https://…) and bare http(s) URLs. It parses to plain data that
 * components turn into Preact nodes; no HTML is ever produced or parsed, so a message can never
 * inject markup, and only http(s) links survive.
 */

/** Inline content. */
export type Inline =
  | { kind: "text"; text: string }
  | { kind: "bold"; children: Inline[] }
  | { kind: "code"; text: string }
  | { kind: "link"; href: string; children: Inline[] }
  | { kind: "break" };

/** Block content. */
export type Block =
  | { kind: "paragraph"; children: Inline[] }
  | { kind: "list"; ordered: boolean; items: Inline[][] };

/** The URL when it is an absolute http(s) URL, else undefined. */
export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : undefined;
  } catch {
    return undefined;
  }
}

// One alternation, scanned left to right: code, bold, [text](url), bare URL.
// A link target may hold one level of parentheses, as Wikipedia URLs (and `alert(1)`) do.
const TOKEN =
  /`([^`\n]+)`|\*\*([^*\n]+?)\*\*|\[([^\]\n]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)|(https?:\/\/[^\s<>"]+)/g;

/** Parses one line's inline markup. */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  const push = (t: string) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last?.kind === "text") last.text += t;
    else out.push({ kind: "text", text: t });
  };
  let at = 0;
  for (const m of text.matchAll(TOKEN)) {
    push(text.slice(at, m.index));
    at = m.index! + m[0].length;
    if (m[1] !== undefined) out.push({ kind: "code", text: m[1] });
    else if (m[2] !== undefined) out.push({ kind: "bold", children: parseInline(m[2]) });
    else if (m[3] !== undefined) {
      const href = safeHref(m[4]);
      if (href) out.push({ kind: "link", href, children: parseInline(m[3]) });
      else push(m[3]); // a javascript: or relative link keeps its words, loses the link
    } else {
      // Sentence punctuation right after a URL belongs to the sentence.
      const url = m[5].replace(/[.,;:!?)\]]+$/, "");
      at -= m[5].length - url.length;
      const href = safeHref(url);
      if (href) out.push({ kind: "link", href, children: [{ kind: "text", text: url }] });
      else push(url);
    }
  }
  push(text.slice(at));
  return out;
}

const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,3}[.)]\s+(.*)$/;

/** Parses a whole message into blocks. */
export function parseRich(text: string): Block[] {
  const blocks: Block[] = [];
  let para: string[] = [];
  let list: { ordered: boolean; items: Inline[][] } | undefined;
  const flushPara = () => {
    if (!para.length) return;
    const children: Inline[] = [];
    para.forEach((line, i) => {
      if (i) children.push({ kind: "break" });
      children.push(...parseInline(line));
    });
    blocks.push({ kind: "paragraph", children });
    para = [];
  };
  const flushList = () => {
    if (list) blocks.push({ kind: "list", ...list });
    list = undefined;
  };
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    const bullet = BULLET.exec(line), numbered = bullet ? null : NUMBERED.exec(line);
    const item = bullet ?? numbered;
    if (item) {
      flushPara();
      const ordered = !!numbered;
      if (list && list.ordered !== ordered) flushList();
      list ??= { ordered, items: [] };
      list.items.push(parseInline(item[1]));
    } else if (!line.trim()) {
      flushPara();
      flushList();
    } else {
      flushList();
      para.push(line);
    }
  }
  flushPara();
  flushList();
  return blocks;
}
