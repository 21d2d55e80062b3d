/**
 * @module The chat frame's container: lifecycle (socket for the current session), mode (chat,
 * voice options, call), and the pieces laid out. State comes from the controller's signals model;
 * every action goes through the controller.
 */
import type { Signal } from "@webreflection/signal";
import { useModel } from "../../embed/use_model.ts";
import { useEffect, useState } from "preact/hooks";
import type { ChatController } from "../../embed/controller.ts";
import { useWebSocket } from "../../embed/socket.ts";
import { frameStrings as S } from "../../embed/strings.ts";
import type { VoiceMode } from "../../contract/enums.ts";
import { ChatHeader } from "../../components/widget/ChatHeader.tsx";
import { ChatMessages } from "../../components/widget/ChatMessages.tsx";
import { ChatInput } from "../../components/widget/ChatInput.tsx";
import { PhoneIcon } from "../../components/widget/icons.tsx";
import { humanName } from "../../components/widget/MessageBubble.tsx";

/** Props of the widget. */
export interface ChatWidgetProps {
  controller: ChatController;
  title: string;
  voiceMode: VoiceMode;
  maxChars: number;
  /** The visitor asked to hide the widget. */
  onClose: () => void;
  focusRequest: Signal<number>;
}

/** The whole chat window. */
export default function ChatWidget(props: ChatWidgetProps) {
  const { controller: c } = props;
  const m = c.model;
  // Everything the window shows, read once per change of any of it.
  useModel(() => [
    m.messages.value,
    m.session.value,
    m.status.value,
    m.notice.value,
    m.typing.value,
    m.typingName.value,
    m.connection.value,
    m.mode.value,
    m.view.value,
    m.call.value,
    m.ended.value,
    props.focusRequest.value,
  ]);
  const session = m.session.value;
  // A person handles the conversation: their name from their latest message or their typing.
  const human = session?.handler == "human" &&
    (m.typingName.value ?? m.messages.value.map(humanName).filter(Boolean).pop() ?? true);
  const handoff = !human && !session?.handoffRequestedAt && !m.ended.value &&
      m.status.value == "ready"
    ? () => c.handoff()
    : undefined;
  const send = useWebSocket({
    sessionId: session?.id,
    url: (failures) => c.socketUrl(failures),
    lastMessageId: () => m.lastMessageId.peek(),
    onEvent: (e) => c.onEvent(e),
    onState: (s) => m.connection.value = s,
  });
  useEffect(() => c.attachSocket(send), [send]);
  const [confirmEnd, setConfirmEnd] = useState(false);
  // Focus requests of our own (the end-conversation bar closed), added to the host page's.
  const [refocus, setRefocus] = useState(0);
  // The voice screens come with the voice chunk, fetched when first needed.
  const [voice, setVoice] = useState<Awaited<ReturnType<ChatController["loadVoice"]>> | null>(
    null,
  );

  // The pre-chat form, the rating and the header menu come with the extras chunk, fetched only
  // when one of them is needed; it remembers what the visitor answered or skipped (`x.done`).
  const [x, setX] = useState<typeof import("../../embed/extras_chunk.ts")>();
  const [menu, setMenu] = useState(false);
  const needLead = c.deps.config.preChatForm && !x?.done.value.lead && !session?.lead &&
    !m.messages.value.some((x) => x.senderType == "user");
  const needRating = m.ended.value && !session?.rating && !x?.done.value[session!.id];
  useEffect(() => {
    // Until it is here (or if it cannot load) the composer stays: the chat goes on without them.
    // (A module loads once: asking again costs nothing.)
    if (needLead || needRating || menu) import("../../embed/extras_chunk.ts").then(setX);
  }, [needLead, needRating, menu]);
  const done = () => setRefocus((n) => n + 1);

  const view = m.view.value, call = m.call.value, status = m.status.value;
  const callLive = !!call && call.status !== "ended" && call.status !== "error";
  useEffect(() => {
    if (view === "chat" || voice) return;
    c.loadVoice().then(setVoice, () => {
      m.view.value = "chat";
      m.notice.value = S.voiceFailed;
    });
  }, [view === "chat"]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      if (confirmEnd) {
        setConfirmEnd(false);
        setRefocus((n) => n + 1);
      } else if (m.view.peek() === "voice") m.view.value = "chat";
      else props.onClose();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [confirmEnd]);

  const connection = m.connection.value;
  const banner = connection === "offline"
    ? S.offline
    : connection === "reconnecting"
    ? S.reconnecting
    : null;

  return (
    <main
      class="pw"
      aria-label={props.title}
      data-status={status}
      data-connection={connection}
      data-mode={m.mode.value}
      data-view={view}
      data-session={session?.id ?? ""}
    >
      <ChatHeader
        title={props.title}
        mode={m.mode.value}
        canEnd={!!session && !m.ended.value && status === "ready"}
        onMinimize={props.onClose}
        onEnd={() => setConfirmEnd(true)}
        human={human}
        onMore={() => setMenu(!menu)}
        menuOpen={menu}
      />
      {menu && x && (
        <x.MoreMenu
          controller={c}
          onHandoff={handoff}
          onClose={() => setMenu(false)}
        />
      )}
      {confirmEnd && (
        <div class="bar bar-confirm" role="alertdialog" aria-label={S.endChatConfirm}>
          <span>{S.endChatConfirm}</span>
          <button
            type="button"
            class="btn btn-danger btn-small"
            ref={(el) => el?.focus()}
            onClick={() => {
              setConfirmEnd(false);
              setRefocus((n) => n + 1);
              c.endConversation();
            }}
          >
            {S.endChatYes}
          </button>
          <button
            type="button"
            class="btn btn-ghost btn-small"
            onClick={() => {
              setConfirmEnd(false);
              setRefocus((n) => n + 1);
            }}
          >
            {S.cancel}
          </button>
        </div>
      )}
      {banner && <div class="bar bar-connection" role="status">{banner}</div>}
      {view !== "call" && callLive && (
        <div class="bar bar-call">
          <PhoneIcon size={16} />
          <span>
            {S.callInProgress}
            {
              /* The duration's formatting comes with the voice chunk (here whenever the visitor
                was on the call screen), so the chat's first load does not carry it. */
            }
            {call.startedAt && voice
              ? ` · ${voice.formatDuration(Date.now() - call.startedAt)}`
              : ""}
          </span>
          <button
            type="button"
            class="btn btn-ghost btn-small"
            onClick={() => m.view.value = "call"}
          >
            {S.returnToCall}
          </button>
        </div>
      )}
      {view === "call" && call
        ? voice
          ? (
            <voice.VoiceInterface
              call={call}
              onEnd={() => c.endCall()}
              onBack={() => m.view.value = "chat"}
              onMute={() => c.toggleMute()}
            />
          )
          : <section class="call" aria-busy="true" />
        : (
          <>
            <ChatMessages
              messages={m.messages.value}
              typing={m.typing.value}
              typingName={m.typingName.value}
              status={status}
              onHandoff={handoff}
              ended={m.ended.value}
              onRetry={(id) => c.retry(id)}
              onReload={() => c.start()}
            />
            {m.notice.value && <p class="notice" role="alert">{m.notice.value}</p>}
            {view === "voice"
              ? voice
                ? (
                  <voice.VoicePanel
                    voiceMode={props.voiceMode}
                    onPhone={(n) => c.callPhone(n)}
                    onBrowser={() => c.callBrowser()}
                    onCancel={() => m.view.value = "chat"}
                  />
                )
                : <section class="voice-panel" aria-busy="true" />
              : needLead && x
              ? <x.PreChatForm controller={c} onDone={done} />
              : needRating && x
              ? <x.RatingPanel controller={c} onDone={done} />
              : (
                <ChatInput
                  onSend={(t) => c.send(t)}
                  onTyping={() => c.userTyping()}
                  onVoice={props.voiceMode === "off" || callLive
                    ? undefined
                    : () => m.view.value = "voice"}
                  onVoiceIntent={() => c.loadVoice()}
                  disabled={status !== "ready"}
                  maxChars={props.maxChars}
                  focusRequest={props.focusRequest.value + refocus}
                />
              )}
          </>
        )}
      <footer class="footer">{S.poweredBy}</footer>
    </main>
  );
}
