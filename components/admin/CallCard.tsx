/** @module A voice call's details: kind, status, number, length, recording and summary. */
import type { Call } from "../../contract/wire.ts";
import { duration, longTime } from "../../islands/admin/format.ts";
import { Icon } from "./icons.tsx";

const STATUS: Record<Call["status"], string> = {
  connecting: "Connecting",
  ongoing: "In progress",
  ended: "Ended",
  error: "Failed",
};

/** Only http(s) recording links are rendered as links; anything else is shown as text. */
function safeUrl(url: string | null): string | null {
  return url && /^https?:\/\//i.test(url) ? url : null;
}

/** One call. */
export function CallCard({ call }: { call: Call }) {
  const recording = safeUrl(call.recordingUrl);
  return (
    <div class={`call-card call-${call.status}`} data-call-id={call.id}>
      <div class="call-head">
        <span class="call-icon" aria-hidden="true">
          <Icon name="phone" size={14} />
        </span>
        <strong>{call.kind === "phone" ? "Phone call" : "Browser call"}</strong>
        <span class="tag">{STATUS[call.status]}</span>
      </div>
      <dl class="facts facts-stacked">
        {call.phoneNumber && (
          <div>
            <dt>Number</dt>
            <dd>{call.phoneNumber}</dd>
          </div>
        )}
        {call.startedAt && (
          <div>
            <dt>Started</dt>
            <dd>{longTime(call.startedAt)}</dd>
          </div>
        )}
        {call.durationMs !== null && (
          <div>
            <dt>Duration</dt>
            <dd>{duration(call.durationMs)}</dd>
          </div>
        )}
        {call.disconnectionReason && (
          <div>
            <dt>Ended by</dt>
            <dd>{call.disconnectionReason.replaceAll("_", " ")}</dd>
          </div>
        )}
      </dl>
      {recording && (
        <div class="call-recording">
          <audio controls preload="none" src={recording} />
          <a href={recording} target="_blank" rel="noopener noreferrer">
            Open recording <Icon name="external" size={12} />
          </a>
        </div>
      )}
      {call.summary && <p class="call-summary">{call.summary}</p>}
    </div>
  );
}
