/** @module The delete section of an edit page: a disclosure, then one explicit confirm button. */
import { Icon } from "./icons.tsx";
import { PostForm } from "./ui.tsx";

/** Deleting needs two deliberate steps, and works without JavaScript. */
export function DangerZone(
  props: { action: string; csrf: string; what: string; consequence: string },
) {
  return (
    <section class="card danger-zone" aria-labelledby="danger-title">
      <h2 id="danger-title">Delete this {props.what}</h2>
      <p class="muted">{props.consequence} This cannot be undone.</p>
      <details>
        <summary class="btn btn-danger-outline">
          <Icon name="trash" size={16} /> Delete {props.what}…
        </summary>
        <PostForm action={props.action} csrf={props.csrf} class="confirm-delete">
          <p>Are you sure?</p>
          <button type="submit" class="btn btn-danger">Yes, delete {props.what}</button>
        </PostForm>
      </details>
    </section>
  );
}
