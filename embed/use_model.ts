/**
 * @module `useModel`: re-renders a component whenever a signal it reads through `read` changes. One
 * effect per component instead of `@preact/signals`' Preact integration, which would cost the
 * frame more than a kilobyte; the chat frame's root reads the whole model through it and passes
 * plain values down.
 */
import { useEffect, useState } from "preact/hooks";
import { effect } from "@preact/signals-core";

/** Subscribes the calling component to the signals `read` touches. */
export function useModel(read: () => unknown): void {
  const [, rerender] = useState(0);
  useEffect(() => {
    let first = true;
    return effect(() => {
      read();
      // The effect runs once at once; only later runs mean something changed.
      if (!first) rerender((n) => n + 1);
      first = false;
    });
  }, []);
}
