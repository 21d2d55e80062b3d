/** @module The widget's icons: small inline SVGs (24-unit grid, `currentColor`), hidden from assistive tech. */
import type { JSX } from "preact";

function Icon(props: { d: string; fill?: boolean; size?: number }): JSX.Element {
  return (
    <svg
      viewBox="0 0 24 24"
      width={props.size ?? 20}
      height={props.size ?? 20}
      aria-hidden="true"
      focusable="false"
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
  "M22 16.9v3a2 2 0 0 1-2.2 2 19.8 19.8 0 0 1-8.6-3.1 19.5 19.5 0 0 1-6-6A19.8 19.8 0 0 1 2.1 4.2 2 2 0 0 1 4.1 2h3a2 2 0 0 1 2 1.7c.1 1 .4 1.9.7 2.8a2 2 0 0 1-.5 2.1L8 9.9a16 16 0 0 0 6 6l1.3-1.3a2 2 0 0 1 2.1-.4c.9.3 1.8.6 2.8.7a2 2 0 0 1 1.7 2z";

/** Paper plane. */
export const SendIcon = () => <Icon d="M4 12 20 4l-6 16-2.5-6.5L4 12z" fill />;
/** Telephone handset. */
export const PhoneIcon = (p: { size?: number }) => <Icon d={PHONE} size={p.size} />;
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
    d="M12 3C6.5 3 2 6.6 2 11c0 2.3 1.2 4.4 3.2 5.9L4.5 21l4.2-2.3c1 .3 2.1.4 3.3.4 5.5 0 10-3.6 10-8S17.5 3 12 3zM8 11h.01M12 11h.01M16 11h.01"
  />
);
/** Exclamation mark. */
export const AlertIcon = () => <Icon d="M12 7v6m0 4h.01" />;
