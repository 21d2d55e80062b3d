/**
 * @module The call screen: who and how, status, duration, live captions of a browser call (an
 * `aria-live` region), mute, end call and back to chat.
 */
import { useEffect, useState } from "preact/hooks";
import type { CallState } from "../../embed/chat_model.ts";
import { frameStrings as S } from "../../embed/strings.ts";
import { voiceStrings as V } from "../../embed/strings_voice.ts";
import { formatDuration } from "../../embed/duration.ts";
import { AssistantIcon, BackIcon, HangUpIcon, MicIcon, MicOffIcon } from "./icons.tsx";

/** Props of the call screen. */
export interface VoiceInterfaceProps {
  call: CallState;
  onEnd: () => void;
  onBack: () => void;
  onMute: () => void;
}

function statusText(call: CallState): string {
  switch (call.status) {
    case "starting":
    case "connecting":
      return call.kind === "phone" && call.phoneNumber ? V.calling(call.phoneNumber) : V.connecting;
    case "ongoing":
      return V.connected;
    case "ended":
      return V.callEnded;
    case "error":
      return V.callFailed;
    default:
      return call.status satisfies never;
  }
}

/** The call view. */
export function VoiceInterface({ call, onEnd, onBack, onMute }: VoiceInterfaceProps) {
  const [now, setNow] = useState(Date.now());
  const live = call.status === "ongoing" || call.status === "connecting" ||
    call.status === "starting";
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [live]);

  return (
    <section class="call" data-call-status={call.status} data-call-kind={call.kind}>
      <div
        class={`call-orb${call.status === "ongoing" ? " call-orb-live" : ""}`}
        aria-hidden="true"
      >
        <AssistantIcon size={40} />
      </div>
      <p class="call-status" role="status">{statusText(call)}</p>
      {call.status === "ongoing" && (
        <p class="call-sub">{call.kind === "phone" ? call.phoneNumber : V.inBrowser}</p>
      )}
      <p class="call-duration" aria-label={V.duration}>
        {call.startedAt ? formatDuration(now - call.startedAt) : "\u00a0"}
      </p>
      {call.kind === "web" && (
        <div class="captions" aria-live="polite" aria-label={V.captionsLabel}>
          {call.captions.length
            ? call.captions.map((c, i) => (
              <p key={i} class={`caption caption-${c.role}`}>
                <span class="sr-only">{c.role === "agent" ? S.agent : S.you}:</span>
                {c.content}
              </p>
            ))
            : <p class="caption caption-hint">{V.captionsWaiting}</p>}
        </div>
      )}
      <div class="call-controls">
        {call.kind === "web" && live && (
          <button
            type="button"
            class="round-btn"
            aria-pressed={call.muted}
            aria-label={call.muted ? V.unmute : V.mute}
            onClick={onMute}
          >
            {call.muted ? <MicOffIcon /> : <MicIcon />}
          </button>
        )}
        {live && (
          <button
            type="button"
            class="round-btn round-btn-danger"
            aria-label={V.endCall}
            onClick={onEnd}
          >
            <HangUpIcon />
          </button>
        )}
      </div>
      <button type="button" class="btn btn-ghost" onClick={onBack}>
        <BackIcon /> {V.backToChat}
      </button>
    </section>
  );
}
