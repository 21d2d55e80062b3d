/** @module The widget's icons: small inline SVGs (24-unit grid, `currentColor`), hidden from assistive tech. */
import type { JSX } from "preact";

/** A 24-unit icon from one path: stroked, or filled with `fill`. */
export function Icon(props: { d: string; fill?: boolean; size?: number }): JSX.Element {
  return (
    <svg
      viewBox="0 0 24 24"
      width={props.size ?? 20}
      height={props.size ?? 20}
      aria-hidden="true"
      fill={props.fill ? "currentColor" : "none"}
      stroke={props.fill ? "none" : "currentColor"}
      stroke-width="2"
      stroke-linecap="round"
      stroke-linejoin="round"
    >
      <path d={props.d} />
    </svg>
  );
}

const PHONE =
  "M5 4h4l2 5-2.5 1.5a11 11 0 0 0 5 5L15 13l5 2v4a2 2 0 0 1-2 2A16 16 0 0 1 3 6a2 2 0 0 1 2-2";

/** Paper plane. */
export const SendIcon = () => <Icon d="M4 12 20 4l-6 16-2.5-6.5L4 12z" fill />;
/** Telephone handset. */
export const PhoneIcon = (p: { size?: number }) => <Icon d={PHONE} size={p.size} />;
/** Three dots (more options). */
export const MoreIcon = () => (
  <Icon
    d="M4 12a2 2 0 1 0 4 0 2 2 0 1 0-4 0m6 0a2 2 0 1 0 4 0 2 2 0 1 0-4 0m6 0a2 2 0 1 0 4 0 2 2 0 1 0-4 0"
    fill
  />
);
/** Chevron down (minimize). */
export const MinimizeIcon = () => <Icon d="m6 9 6 6 6-6" />;
/** Cross. */
export const CloseIcon = () => <Icon d="M18 6 6 18M6 6l12 12" />;
/** Microphone. */
export const MicIcon = (p: { size?: number }) => (
  <Icon
    size={p.size}
    d="M12 2a3 3 0 0 0-3 3v7a3 3 0 0 0 6 0V5a3 3 0 0 0-3-3zM19 10v2a7 7 0 0 1-14 0v-2M12 19v3"
  />
);
/** Crossed-out microphone. */
export const MicOffIcon = () => (
  <Icon d="m2 2 20 20M9 9v3a3 3 0 0 0 5.1 2.1M15 9.3V5a3 3 0 0 0-5.9-.6M17 16.9A7 7 0 0 1 5 12v-2m14 0v2c0 .8-.1 1.5-.4 2.2M12 19v3" />
);
/** Hang up: the handset turned down. */
export const HangUpIcon = () => (
  <span class="hang-up" aria-hidden="true">
    <Icon d={PHONE} size={24} />
  </span>
);
/** Back arrow. */
export const BackIcon = () => <Icon d="M19 12H5m6-6-6 6 6 6" />;
/** Speech bubble with dots: the assistant's avatar. */
export const AssistantIcon = (p: { size?: number }) => (
  <Icon
    size={p.size}
    d="M4 6a3 3 0 0 1 3-3h10a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3H9l-5 4zM8.5 10h.01M12 10h.01M15.5 10h.01"
  />
);
/** Exclamation mark. */
export const AlertIcon = () => <Icon d="M12 7v6m0 4h.01" />;
/** A person (head and shoulders): "Talk to a person". */
export const PersonIcon = () => 
<Icon d="M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21a8 8 0 0 1 16 0" />;
