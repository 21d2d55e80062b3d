/**
 * @module The rating at the end of a conversation (SPEC v2.4): five stars that behave as a radio
 * group (arrow keys move and choose, Home and End, Enter or Space choose; the pointer previews on
 * hover), an optional comment, then a thank-you. The server takes one rating per conversation; a
 * second (from another tab) is a 409, which reads here as "already rated", not as an error.
 */
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "../../embed/api.ts";
import { type ExtrasHost, markDone, rate } from "../../embed/extras.ts";
import { extrasStrings as X } from "../../embed/strings_extras.ts";

/** Props of the rating. */
export interface RatingPanelProps {
  controller: ExtrasHost;
  /** Skipped, or done after the thank-you: back to the composer. */
  onDone: () => void;
}

const STAR = "M12 2.6l2.9 5.9 6.5.95-4.7 4.6 1.1 6.45L12 17.45 6.2 20.5l1.1-6.45-4.7-4.6 6.5-.95z";
const SCORES = [1, 2, 3, 4, 5];

/** The rating's words for a score (none for 0). */
const word = (n: number) => n ? X[`score${n as 1 | 2 | 3 | 4 | 5}`] : "";

/** The sheet shown in place of the composer when a conversation ended unrated. */
export function RatingPanel(props: RatingPanelProps) {
  const [score, setScore] = useState(0);
  const [hover, setHover] = useState(0);
  const [comment, setComment] = useState("");
  const [state, setState] = useState<"ask" | "thanks" | "already">("ask");
  const [error, setError] = useState("");
  const [busy, setBusy] = useState(false);
  const stars = useRef<HTMLDivElement>(null);
  const next = useRef<HTMLButtonElement>(null);
  // Rated or skipped: not asked again for this conversation.
  const finish = () => {
    markDone(props.controller.model.session.value?.id ?? "");
    props.onDone();
  };

  // Focus moves with the render that shows the thank-you, not a frame later: a keyboard user's
  // next Enter must land on "new conversation", not on the form that is gone.
  useLayoutEffect(() => {
    if (state !== "ask") next.current?.focus();
  }, [state]);

  const choose = (n: number, focus?: boolean) => {
    setScore(n);
    setError("");
    if (focus) stars.current?.querySelectorAll<HTMLElement>("[role=radio]")[n - 1]?.focus();
  };

  const onKey = (e: KeyboardEvent) => {
    const rtl = getComputedStyle(e.currentTarget as Element).direction === "rtl";
    const current = score || 1;
    const next = {
      ArrowRight: rtl ? current - 1 : current + 1,
      ArrowLeft: rtl ? current + 1 : current - 1,
      ArrowDown: current + 1,
      ArrowUp: current - 1,
      Home: 1,
      End: 5,
    }[e.key];
    if (next !== undefined) {
      e.preventDefault();
      // Arrows wrap around, as in any radio group.
      return choose(next < 1 ? 5 : next > 5 ? 1 : next, true);
    }
    if (e.key === " " || e.key === "Enter") {
      e.preventDefault();
      const focused = SCORES.find((n) =>
        stars.current?.querySelectorAll("[role=radio]")[n - 1] === document.activeElement
      );
      choose(focused ?? current);
    }
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!score) {
      setError(X.rateChoose);
      stars.current?.querySelector<HTMLElement>("[tabindex='0']")?.focus();
      return;
    }
    setBusy(true);
    setError("");
    try {
      await rate(props.controller, score, comment);
      setState("thanks");
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) setState("already");
      else setError(X.rateFailed);
    } finally {
      setBusy(false);
    }
  };

  if (state !== "ask") {
    return (
      <section class="rating rating-done" aria-labelledby="rt-done" data-state={state}>
        <span class="rating-check" aria-hidden="true">
          <svg viewBox="0 0 24 24" width="22" height="22">
            <path
              d="m5 12.5 4.5 4.5L19 7.5"
              fill="none"
              stroke="currentColor"
              stroke-width="2.4"
              stroke-linecap="round"
              stroke-linejoin="round"
            />
          </svg>
        </span>
        <div role="status">
          <h2 id="rt-done">{state === "thanks" ? X.rateThanks : X.alreadyRated}</h2>
          {state === "thanks" && <p>{X.rateThanksSub}</p>}
        </div>
        <button type="button" class="btn btn-primary" ref={next} onClick={finish}>
          {X.newChat}
        </button>
      </section>
    );
  }

  const shown = hover || score;
  return (
    <form class="rating" aria-labelledby="rt-title" onSubmit={submit} noValidate>
      <h2 id="rt-title">{X.rateTitle}</h2>
      <div
        ref={stars}
        class="stars"
        role="radiogroup"
        aria-label={X.rateLabel}
        aria-describedby={error ? "rt-error" : undefined}
        onKeyDown={onKey}
        onPointerLeave={() => setHover(0)}
      >
        {SCORES.map((n) => (
          <button
            key={n}
            type="button"
            role="radio"
            class="star"
            aria-checked={score === n}
            aria-label={`${X.stars(n)}, ${word(n)}`}
            tabIndex={(score || 1) === n ? 0 : -1}
            data-on={n <= shown ? "" : undefined}
            data-preview={hover && n <= hover ? "" : undefined}
            onClick={() => choose(n)}
            onPointerEnter={() => setHover(n)}
          >
            <svg viewBox="0 0 24 24" width="34" height="34" aria-hidden="true">
              <path d={STAR} stroke-width="1.6" stroke-linejoin="round" />
            </svg>
          </button>
        ))}
      </div>
      <p class="rating-word" aria-hidden="true">{word(shown) || "\u00a0"}</p>
      {error && <p class="field-error rating-error" id="rt-error" role="alert">{error}</p>}
      <label class="rating-label" for="rt-comment">{X.commentLabel}</label>
      <textarea
        id="rt-comment"
        rows={2}
        maxLength={2000}
        value={comment}
        placeholder={X.commentPlaceholder}
        onInput={(e) => setComment(e.currentTarget.value)}
      />
      <div class="rating-actions">
        <button type="button" class="btn btn-ghost" onClick={finish}>{X.rateSkip}</button>
        <button type="submit" class="btn btn-primary" aria-disabled={busy}>
          {busy && <span class="spinner" aria-hidden="true" />}
          {X.rateSubmit}
        </button>
      </div>
    </form>
  );
}
