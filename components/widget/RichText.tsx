/**
 * @module Agent text with safe minimal formatting, built as Preact nodes from `embed/format.ts`
 * (never innerHTML): links open in a new tab with `rel="noopener noreferrer nofollow"`.
 */
import type { ComponentChildren } from "preact";
import { type Inline, parseRich } from "../../embed/format.ts";

function inline(nodes: Inline[]): ComponentChildren {
  return nodes.map((n, i) => {
    switch (n.kind) {
      case "text":
        return n.text;
      case "bold":
        return <strong key={i}>{inline(n.children)}</strong>;
      case "code":
        return <code key={i}>{n.text}</code>;
      case "link":
        return (
          <a key={i} href={n.href} target="_blank" rel="noopener noreferrer nofollow">
            {inline(n.children)}
          </a>
        );
      case "break":
        return <br key={i} />;
      default:
        return n satisfies never;
    }
  });
}

/** Renders `text` with formatting (agent messages) or as plain text (`plain`). */
export function RichText(props: { text: string; plain?: boolean }) {
  if (props.plain) return <p>{props.text}</p>;
  return (
    <>
      {parseRich(props.text).map((b, i) =>
        b.kind === "paragraph"
          ? <p key={i}>{inline(b.children)}</p>
          : b.ordered
          ? <ol key={i}>{b.items.map((item, j) => <li key={j}>{inline(item)}</li>)}</ol>
          : <ul key={i}>{b.items.map((item, j) => <li key={j}>{inline(item)}</li>)}</ul>
      )}
    </>
  );
}
