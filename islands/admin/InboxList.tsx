/**
 * @module The inbox's list of conversations. On the first page it stays live by re-reading
 * `/admin/conversations/feed` (same origin, cookie session, read-only) every few seconds while
 * the tab is visible: sessions start on many widgets at once, and `/ws` is per session.
 */
import { useEffect } from "preact/hooks";
import { useSignal } from "@preact/signals";
import type { SenderType, SessionMode, SessionStatus } from "../../contract/enums.ts";
import { shortTime, visitorInitials, visitorLabel } from "./format.ts";

/** One row of the inbox. */
export interface InboxItem {
  id: string;
  visitorId: string;
  widgetName: string | null;
  status: SessionStatus;
  mode: SessionMode;
  createdAt: string;
  lastAt: string;
  preview: string | null;
  previewSender: SenderType | null;
  messageCount: number;
}

/** Props of `InboxList`. */
export interface InboxListProps {
  items: InboxItem[];
  /** The feed to poll, or null on older pages (which do not change). */
  feedUrl: string | null;
  /** Appended to conversation links so filters survive opening one. */
  linkQuery: string;
  selectedId?: string;
  pollMs?: number;
}

const SENDER: Record<SenderType, string> = { user: "", agent: "Agent: ", system: "" };

function Row(
  { item, selected, linkQuery }: { item: InboxItem; selected: boolean; linkQuery: string },
) {
  return (
    <li>
      <a
        href={`/admin/conversations/${item.id}${linkQuery}`}
        class={`inbox-row${selected ? " selected" : ""}${item.status === "ended" ? " ended" : ""}`}
        aria-current={selected ? "page" : undefined}
        data-session-id={item.id}
      >
        <span class="avatar" aria-hidden="true">{visitorInitials(item.visitorId)}</span>
        <span class="inbox-row-body">
          <span class="inbox-row-top">
            <strong>{visitorLabel(item.visitorId)}</strong>
            <time dateTime={item.lastAt}>{shortTime(item.lastAt)}</time>
          </span>
          <span class="inbox-row-preview">
            {item.preview
              ? `${item.previewSender ? SENDER[item.previewSender] : ""}${item.preview}`
              : "No messages yet"}
          </span>
          <span class="inbox-row-tags">
            {item.widgetName && <span class="tag">{item.widgetName}</span>}
            {item.mode === "voice" && <span class="tag tag-voice">On a call</span>}
            {item.status === "active"
              ? <span class="tag tag-active">Active</span>
              : <span class="tag">Ended</span>}
          </span>
        </span>
      </a>
    </li>
  );
}

/** The list, polled while it is the newest page. */
export default function InboxList(props: InboxListProps) {
  const items = useSignal(props.items);
  const failed = useSignal(false);
  useEffect(() => {
    const feedUrl = props.feedUrl;
    if (!feedUrl) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      if (stopped) return;
      if (document.visibilityState === "visible") {
        try {
          const res = await fetch(feedUrl!, { headers: { accept: "application/json" } });
          const type = res.headers.get("content-type") ?? "";
          if (!res.ok || !type.includes("application/json")) throw new Error(`HTTP ${res.status}`);
          items.value = ((await res.json()) as { items: InboxItem[] }).items;
          failed.value = false;
        } catch {
          failed.value = true;
        }
      }
      if (!stopped) timer = setTimeout(poll, props.pollMs ?? 3000);
    }
    timer = setTimeout(poll, props.pollMs ?? 3000);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [props.feedUrl]);
  return (
    <div class="inbox-list-wrap" data-live={props.feedUrl ? "true" : "false"}>
      {failed.value && <p class="inline-alert" role="status">Cannot refresh the list; retrying…</p>}
      {items.value.length === 0
        ? (
          <div class="inbox-empty">
            <p>
              <strong>No conversations here yet</strong>
            </p>
            <p class="muted">
              {props.feedUrl
                ? "New conversations appear here as soon as a visitor writes."
                : "Nothing older matches these filters."}
            </p>
          </div>
        )
        : (
          <ul class="inbox-list" role="list" aria-label="Conversations">
            {items.value.map((item) => (
              <Row
                key={item.id}
                item={item}
                selected={item.id === props.selectedId}
                linkQuery={props.linkQuery}
              />
            ))}
          </ul>
        )}
    </div>
  );
}
