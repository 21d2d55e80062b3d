/** @module The widget header: avatar, title, mode or presence, minimize and end-conversation buttons. */
import type { SessionMode } from "../../contract/enums.ts";
import { frameStrings as S } from "../../embed/strings.ts";
import { AssistantIcon, CloseIcon, MinimizeIcon, MoreIcon } from "./icons.tsx";
import { initials } from "./MessageBubble.tsx";

/** Props of the header. */
export interface ChatHeaderProps {
  title: string;
  mode: SessionMode;
  /** Offer "end conversation" (there is an active session). */
  canEnd: boolean;
  onMinimize: () => void;
  onEnd: () => void;
  /** A person handles the conversation; their name when known. */
  human?: string | boolean;
  /** Opens or closes the "More options" menu (transcript, deletion). */
  onMore: () => void;
  /** The menu is open. */
  menuOpen: boolean;
}

/** The coloured top bar. */
export function ChatHeader(props: ChatHeaderProps) {
  return (
    <header class="header">
      <span class="header-avatar" aria-hidden="true">
        {typeof props.human == "string" ? initials(props.human) : <AssistantIcon size={22} />}
        <span class="presence" />
      </span>
      <div class="header-text">
        <h1 class="header-title">{props.title}</h1>
        <p class="header-sub" data-mode={props.mode} data-human={props.human ? "" : undefined}>
          {props.mode === "voice"
            ? S.voiceMode
            : props.human
            ? S.human(props.human === true ? undefined : props.human)
            : S.online}
        </p>
      </div>
      <div class="header-actions">
        <button
          type="button"
          id="pw-more"
          class="icon-btn"
          aria-label={S.moreOptions}
          aria-haspopup="menu"
          aria-expanded={props.menuOpen}
          onClick={props.onMore}
        >
          <MoreIcon />
        </button>
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
