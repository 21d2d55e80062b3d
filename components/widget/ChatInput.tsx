/**
 * @module The composer: an auto-growing text area (Enter sends, Shift+Enter adds a line), the send
 * button, and the button that opens the voice options.
 */
import { useEffect, useRef, useState } from "preact/hooks";
import { frameStrings as S } from "../../embed/strings.ts";
import { PhoneIcon, SendIcon } from "./icons.tsx";

/** Props of the composer. */
export interface ChatInputProps {
  onSend: (text: string) => void;
  onTyping?: () => void;
  /** Opens the voice options; absent when the widget has voice off. */
  onVoice?: () => void;
  /** The pointer or focus is on the voice button: a good moment to fetch what it needs. */
  onVoiceIntent?: () => void;
  disabled?: boolean;
  maxChars: number;
  /** Changes whenever the input should take focus (the widget was opened). */
  focusRequest?: number;
}

/** The message box. */
export function ChatInput(props: ChatInputProps) {
  const [text, setText] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);
  const focusCount = props.focusRequest;

  // Asked for while the chat was still loading (input disabled): focus once it is enabled.
  useEffect(() => {
    if (focusCount && !props.disabled) area.current?.focus({ preventScroll: true });
  }, [focusCount, props.disabled]);

  const grow = () => {
    const el = area.current;
    if (!el) return;
    el.style.height = "auto";
    el.style.height = Math.min(el.scrollHeight, 132) + "px";
  };
  useEffect(grow, [text]);

  const submit = () => {
    if (!text.trim() || props.disabled) return;
    props.onSend(text);
    setText("");
    area.current?.focus();
  };

  return (
    <form
      class="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div class="composer-box">
        <textarea
          ref={area}
          rows={1}
          value={text}
          maxLength={props.maxChars}
          aria-label={S.inputLabel}
          placeholder={S.inputPlaceholder}
          enterkeyhint="send"
          disabled={props.disabled}
          onInput={(e) => {
            setText(e.currentTarget.value);
            props.onTyping?.();
          }}
          onKeyDown={(e) => {
            // Enter sends; Shift+Enter (and Enter while an IME composes) adds a line.
            if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        {props.onVoice && (
          <button
            type="button"
            class="icon-btn composer-voice"
            aria-label={S.voiceButton}
            title={S.voiceButton}
            onClick={props.onVoice}
            onPointerEnter={props.onVoiceIntent}
            onFocus={props.onVoiceIntent}
            disabled={props.disabled}
          >
            <PhoneIcon />
          </button>
        )}
        <button
          type="submit"
          class="send-btn"
          aria-label={S.send}
          disabled={props.disabled || !text.trim()}
        >
          <SendIcon />
        </button>
      </div>
    </form>
  );
}
