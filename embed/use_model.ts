/**
 * @module `useModel`: re-renders a component whenever a signal it reads through `read` changes. One
 * effect per component instead of `@preact/signals`' Preact integration, which would cost the
 * frame more than a kilobyte; the chat frame's root reads the whole model through it and passes
 * plain values down.
 */
import { useLayoutEffect, useState } from "preact/hooks";
import { effect } from "@webreflection/signal";

/** Subscribes the calling component to the signals `read` touches. */
export function useModel(read: () => unknown): void {
  const [, rerender] = useState(0);
  useLayoutEffect(() =>
    // The first run re-renders too: a signal may have changed between the render and this
    // subscription (an answer arriving while the frame is still hidden), and that change must
    // not be lost.
    effect(() => {
      read();
      rerender((n) => n + 1);
    }), []);
}
