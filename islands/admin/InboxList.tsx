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
  handler: "ai" | "human";
  waiting: boolean;
  assigneeName: string | null;
  /** The last message was a person's of the team. */
  previewHuman: boolean;
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

/** How many messages of each conversation this browser has shown (unread = more than that). */
const SEEN_KEY = "parley.inbox.seen";
const SOUND_KEY = "parley.inbox.sound";

function readSeen(): Record<string, number> {
  try {
    return JSON.parse(localStorage.getItem(SEEN_KEY) ?? "{}");
  } catch {
    return {};
  }
}

function markSeen(item: InboxItem): void {
  const seen = readSeen();
  if (seen[item.id] === item.messageCount) return;
  seen[item.id] = item.messageCount;
  // Bounded: the newest 500 conversations are remembered.
  const keys = Object.keys(seen);
  for (const k of keys.slice(0, Math.max(0, keys.length - 500))) delete seen[k];
  localStorage.setItem(SEEN_KEY, JSON.stringify(seen));
}

/** A short two-note chime made with Web Audio (no sound file to download). */
function chime(): void {
  try {
    const ctx = new AudioContext();
    [660, 880].forEach((hz, i) => {
      const osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.frequency.value = hz;
      gain.gain.setValueAtTime(0.0001, ctx.currentTime + i * 0.14);
      gain.gain.exponentialRampToValueAtTime(0.15, ctx.currentTime + i * 0.14 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + i * 0.14 + 0.3);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + i * 0.14);
      osc.stop(ctx.currentTime + i * 0.14 + 0.32);
    });
  } catch {
    // No audio (autoplay policy or no device): the notification still shows.
  }
}

/** What changed between two polls that a person should hear about. */
export function alertsOf(before: InboxItem[], after: InboxItem[]): string[] {
  const old = new Map(before.map((i) => [i.id, i]));
  const out: string[] = [];
  for (const item of after) {
    const was = old.get(item.id);
    if (item.waiting && !was?.waiting) {
      out.push(`${visitorLabel(item.visitorId)} asks for a person`);
    } else if (!was && before.length > 0) {
      out.push(`New conversation: ${visitorLabel(item.visitorId)}`);
    }
  }
  return out;
}

function Row(
  { item, selected, linkQuery, unread }: {
    item: InboxItem;
    selected: boolean;
    linkQuery: string;
    unread: boolean;
  },
) {
  return (
    <li>
      <a
        href={`/admin/conversations/${item.id}${linkQuery}`}
        class={`inbox-row${selected ? " selected" : ""}${item.status === "ended" ? " ended" : ""}${
          unread ? " unread" : ""
        }`}
        aria-current={selected ? "page" : undefined}
        data-session-id={item.id}
      >
        <span class="avatar" aria-hidden="true">{visitorInitials(item.visitorId)}</span>
        <span class="inbox-row-body">
          <span class="inbox-row-top">
            <strong>
              {unread && <span class="unread-dot" aria-label="Unread" />}
              {visitorLabel(item.visitorId)}
            </strong>
            <time dateTime={item.lastAt}>{shortTime(item.lastAt)}</time>
          </span>
          <span class="inbox-row-preview">
            {item.preview
              ? `${
                item.previewHuman ? "You: " : item.previewSender ? SENDER[item.previewSender] : ""
              }${item.preview}`
              : "No messages yet"}
          </span>
          <span class="inbox-row-tags">
            {item.waiting && <span class="tag tag-waiting">Waiting for a human</span>}
            {item.handler === "human" && (
              <span class="tag tag-human">{item.assigneeName ?? "Human"}</span>
            )}
            {item.handler === "ai" && item.assigneeName && (
              <span class="tag">{item.assigneeName}</span>
            )}
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
  const seen = useSignal<Record<string, number> | null>(null);
  const permission = useSignal<NotificationPermission | "unsupported">("default");
  const sound = useSignal(false);
  useEffect(() => {
    // A first visit starts with everything read: unread means new since this browser looked.
    if (localStorage.getItem(SEEN_KEY) === null) props.items.forEach(markSeen);
    seen.value = readSeen();
    permission.value = typeof Notification === "undefined"
      ? "unsupported"
      : Notification.permission;
    sound.value = localStorage.getItem(SOUND_KEY) === "on";
  }, []);
  // The open conversation is read: everything in it so far.
  const selected = items.value.find((i) => i.id === props.selectedId);
  useEffect(() => {
    if (!selected) return;
    markSeen(selected);
    seen.value = readSeen();
  }, [selected?.id, selected?.messageCount]);
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
          const next = ((await res.json()) as { items: InboxItem[] }).items;
          const alerts = alertsOf(items.value, next);
          items.value = next;
          failed.value = false;
          if (alerts.length) {
            if (sound.value) chime();
            if (typeof Notification !== "undefined" && Notification.permission === "granted") {
              for (const body of alerts) new Notification("Parley", { body, tag: body });
            }
          }
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
      {props.feedUrl && (
        <div class="alerts-bar">
          {permission.value === "default" && (
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              onClick={async () => permission.value = await Notification.requestPermission()}
            >
              Enable notifications
            </button>
          )}
          {permission.value === "granted" && <span class="muted small">Notifications on</span>}
          {permission.value === "denied" && (
            <span class="muted small">Notifications blocked in this browser</span>
          )}
          <label class="sound-toggle">
            <input
              type="checkbox"
              checked={sound.value}
              onChange={(e) => {
                sound.value = e.currentTarget.checked;
                localStorage.setItem(SOUND_KEY, sound.value ? "on" : "off");
                if (sound.value) chime();
              }}
            />{" "}
            Sound
          </label>
        </div>
      )}
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
                unread={!!seen.value && item.id !== props.selectedId &&
                  item.messageCount > (seen.value[item.id] ?? 0)}
              />
            ))}
          </ul>
        )}
    </div>
  );
}
