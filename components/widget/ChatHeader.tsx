/** @module The widget header: avatar, title, mode or presence, minimize and end-conversation buttons. */
import type { SessionMode } from "../../contract/enums.ts";
import { frameStrings as S } from "../../embed/strings.ts";
import { AssistantIcon, CloseIcon, MinimizeIcon } from "./icons.tsx";

/** Props of the header. */
export interface ChatHeaderProps {
  title: string;
  mode: SessionMode;
  /** Offer "end conversation" (there is an active session). */
  canEnd: boolean;
  onMinimize: () => void;
  onEnd: () => void;
}

/** The coloured top bar. */
export function ChatHeader(props: ChatHeaderProps) {
  return (
    <header class="header">
      <span class="header-avatar" aria-hidden="true">
        <AssistantIcon size={22} />
        <span class="presence" />
      </span>
      <div class="header-text">
        <h1 class="header-title">{props.title}</h1>
        <p class="header-sub" data-mode={props.mode}>
          {props.mode === "voice" ? S.voiceMode : S.online}
        </p>
      </div>
      <div class="header-actions">
        <button type="button" class="icon-btn" aria-label={S.minimize} onClick={props.onMinimize}>
          <MinimizeIcon />
        </button>
        {props.canEnd && (
          <button type="button" class="icon-btn" aria-label={S.endChat} onClick={props.onEnd}>
            <CloseIcon />
          </button>
        )}
      </div>
    </header>
  );
}
