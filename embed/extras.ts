/**
 * @module What the extras screens do (SPEC v2.4): give the pre-chat form's answers, rate the
 * conversation, download its transcript, and delete everything the visitor left here. Part of
 * the extras chunk; it reaches the server through the controller's `Api`.
 */
import type { z } from "zod";
import type { LeadCreateSchema } from "../contract/requests.ts";
import { signal } from "@webreflection/signal";
import type { PreChatForm, Session } from "../contract/wire.ts";
import type { Api } from "./api.ts";
import type { ChatModel } from "./chat_model.ts";
import type { Store } from "./store.ts";
import { extrasStrings as X } from "./strings_extras.ts";

/**
 * What these screens need of the chat's controller (`ChatController` is one; named here so the
 * chunk does not import the controller that imports it).
 */
export interface ExtrasHost {
  readonly model: ChatModel;
  readonly deps: {
    api: Api;
    store: Store;
    config: { preChatForm?: PreChatForm | null };
  };
  activeSession(): Promise<Session>;
  start(): Promise<void>;
}

/**
 * Where `done` lasts the visit (the tab), per widget: a reload must not ask again what the visitor
 * answered or skipped. The chat is open by then, so storing it keeps SPEC v2.4's promise.
 */
const DONE_KEY = "parley:done:" + new URLSearchParams(globalThis.location?.search).get("id");

/**
 * What the visitor answered or skipped in this tab: `lead` (the form), and each conversation
 * rated or not to be asked again. The chat reads it to know which screen to show.
 */
export const done = signal<Record<string, boolean>>(stored());

function stored(): Record<string, boolean> {
  try {
    return JSON.parse(sessionStorage.getItem(DONE_KEY) ?? "{}");
  } catch {
    // No storage here (blocked, or unit tests): it lasts as long as the frame.
    return {};
  }
}

/** Marks `key` done (a new object, so the signal tells its readers). */
export function markDone(key: string): void {
  done.value = { ...done.value, [key]: true };
  try {
    sessionStorage.setItem(DONE_KEY, JSON.stringify(done.value));
  } catch { /* no storage: the mark lasts as long as the frame */ }
}

/** The pre-chat form's answers, as `POST /sessions/:id/lead` takes them. */
export type LeadInput = z.input<typeof LeadCreateSchema>;

/** The first message's session (made now if needed) gets the visitor's answers. */
export async function submitLead(c: ExtrasHost, lead: LeadInput): Promise<void> {
  const session = await c.activeSession();
  const created = await c.deps.api.request(
    "POST",
    `/api/chat/sessions/${session.id}/lead`,
    lead,
  );
  markDone("lead");
  const now = c.model.session.value;
  if (now?.id === session.id) c.model.session.value = { ...now, lead: created };
}

/** Rates the current conversation (the server takes one rating: a second is a 409). */
export async function rate(c: ExtrasHost, score: number, comment: string): Promise<void> {
  const s = c.model.session.value;
  if (!s) return;
  await c.deps.api.request("POST", `/api/chat/sessions/${s.id}/rating`, {
    score,
    comment: comment.trim() || undefined,
  });
}

/** The transcript last fetched, and the messages it was fetched over. */
let last: { of: unknown; blob: Promise<Blob> } | undefined;

/**
 * The conversation's transcript as text, fetched once per state of the conversation. The request
 * carries the visitor's token (a link could not), so the file is made here from a Blob. The menu
 * asks for it as it opens: Chromium lets a cross-origin frame start a download only within the
 * click's user activation (5 s), which a slow network can outlast if the fetch waits for the click.
 */
export function transcript(c: ExtrasHost): Promise<Blob> {
  const s = c.model.session.value;
  const of = c.model.messages.value;
  if (last?.of !== of) {
    const blob = (async () => {
      const res = await fetch(`/api/chat/sessions/${s!.id}/transcript?format=text`, {
        headers: { authorization: `Bearer ${await c.deps.api.token()}` },
      });
      if (!res.ok) throw new Error(`transcript: HTTP ${res.status}`);
      return res.blob();
    })();
    const entry = (last = { of, blob });
    // A failure is reported when the visitor asks for the file; the next ask fetches again.
    blob.catch(() => last === entry && (last = undefined));
  }
  return last!.blob;
}

/**
 * Saves the conversation's transcript as a text file. Throws when the browser would refuse the
 * download (the fetch outlasted the click's activation): the visitor is told to try again, and
 * the second click finds the file ready.
 */
export async function downloadTranscript(c: ExtrasHost): Promise<void> {
  const s = c.model.session.value;
  if (!s) return;
  const url = URL.createObjectURL(await transcript(c));
  if (navigator.userActivation?.isActive === false) throw new Error("transcript: click too old");
  const a = document.createElement("a");
  a.href = url;
  a.download = `conversation-${s.createdAt.slice(0, 10)}.txt`;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: the download reads the Blob after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/**
 * Deletes the visitor's conversations and details on the server, then forgets them here too
 * (a new visitor starts fresh, with the welcome and a line saying what happened).
 */
export async function deleteEverything(c: ExtrasHost): Promise<void> {
  last = undefined;
  await c.deps.api.request("DELETE", "/api/chat/visitor");
  c.deps.store.save({
    visitorId: undefined,
    visitorKey: undefined,
    sealedVisitor: undefined,
    token: undefined,
    expiresAt: undefined,
    sessionId: undefined,
  });
  // What this tab remembers of their answers goes too.
  done.value = {};
  try {
    sessionStorage.removeItem(DONE_KEY);
  } catch { /* no storage */ }
  const m = c.model;
  m.session.value = null;
  m.messages.value = [];
  m.notice.value = null;
  await c.start();
  m.upsert({
    id: "local:deleted",
    sessionId: "",
    senderType: "system",
    messageType: "system",
    content: X.deleted,
    metadata: {},
    createdAt: new Date().toISOString(),
  });
}
