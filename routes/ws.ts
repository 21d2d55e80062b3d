/**
 * @module `GET /ws?sessionId=&token=`: the token and the session are checked BEFORE the upgrade, so
 * a wrong one gets a JSON 401/403/404 rather than a socket that closes. Then the socket joins the
 * session in the hub; client frames are validated and bounded.
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { AppEnv } from "../context.ts";
import { actorFromToken } from "../lib/auth.ts";
import { HttpError, notFound } from "../lib/errors.ts";
import { isUuid } from "../lib/validate.ts";
import { log } from "../lib/log.ts";
import { clientIp } from "../limits/rate_limit.ts";
import { ClientEventSchema, event } from "../contract/events.ts";
import { CloseCode, SocketPeer } from "../hub/socket_peer.ts";
import { findOrganizationUser } from "../db/queries/users.ts";
import { findMessage, lastSeqOf, listMessages } from "../db/queries/messages.ts";
import { assertMayChat, loadConversation } from "../conversations/access.ts";

const encoder = new TextEncoder();

export const wsRoutes = new Hono<AppEnv>().get("/ws", async (c) => {
  const { db, config, deps } = c.var;
  const token = c.req.query("token");
  const actor = token ? await actorFromToken(config.jwtSecret, token, c.var.signInLive) : undefined;
  if (!actor) {
    throw new HttpError(401, "unauthorized", "Missing or invalid token");
  }
  const sessionId = c.req.query("sessionId") ?? "";
  if (!isUuid(sessionId)) throw notFound("session", sessionId.slice(0, 100));
  const conversation = await loadConversation(db, actor, sessionId);
  assertMayChat(actor, conversation);
  const { session } = conversation;
  // A person's socket: their name goes with their typing; a removed teammate gets no socket.
  const user = actor.kind === "admin"
    ? await findOrganizationUser(db, actor.organizationId, actor.admin.userId)
    : undefined;
  if (actor.kind === "admin" && !user) {
    throw new HttpError(401, "unauthorized", "This account no longer exists");
  }
  if (deps.hub.peers(session.id).size >= config.limits.socketsPerSession) {
    throw new HttpError(429, "rate_limited", "Too many connections to this session", {
      headers: { "Retry-After": "30" },
    });
  }
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new HttpError(426, "bad_request", "Expected a WebSocket upgrade", {
      headers: { Upgrade: "websocket" },
    });
  }

  const { hub } = deps;
  const limits = config.limits;
  // Re-sync after a fan-out outage starts from here, not from the beginning of the session.
  const watermark = await lastSeqOf(db, session.id);
  const role = actor.kind;
  let peer: SocketPeer | undefined;
  let windowStart = Date.now(), frames = 0;

  const fail = (code: string, message: string) =>
    peer?.send(event({ type: "error", code, message }));

  async function handle(raw: unknown): Promise<void> {
    if (!peer || peer.closed) return;
    const size = typeof raw === "string"
      ? encoder.encode(raw).byteLength
      : raw instanceof ArrayBuffer
      ? raw.byteLength
      : raw instanceof Blob
      ? raw.size
      : 0;
    if (size > limits.wsFrameBytes) return peer.close(CloseCode.tooBig, "Frame too large");
    const now = Date.now();
    if (now - windowStart >= 60_000) (windowStart = now, frames = 0);
    if (++frames > limits.wsFramesPerMinute) {
      if (frames > 2 * limits.wsFramesPerMinute) {
        return peer.close(CloseCode.policy, "Too many frames");
      }
      return fail("rate_limited", "Too many frames; slow down");
    }
    if (typeof raw !== "string") return fail("invalid_frame", "Frames must be JSON text");
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      return fail("invalid_json", "Frame is not valid JSON");
    }
    const parsed = ClientEventSchema.safeParse(json);
    if (!parsed.success) return fail("invalid_event", "Unknown or malformed event");
    const frame = parsed.data;
    switch (frame.type) {
      case "typing:start":
      case "typing:stop":
        // The visitor's typing, or a teammate's (shown to the visitor as the agent's, named).
        await hub.publish(
          session!.id,
          event(
            user
              ? { type: frame.type, senderId: "agent", name: user.name }
              : { type: frame.type, senderId: "user" },
          ),
          { except: peer },
        );
        return;
      case "resume": {
        const after = frame.afterMessageId;
        // The lookup runs inside resume(), which holds live events from this frame on, so none
        // can overtake the stored messages it is about to send.
        const resumed = await peer.resume(async () => {
          if (!after) return 0;
          const anchor = isUuid(after) ? await findMessage(db, session!.id, after) : undefined;
          return anchor?.seq;
        });
        if (!resumed && !peer.closed) {
          fail("unknown_message", "afterMessageId is not a message of this session");
        }
        return;
      }
      case "ping":
        return peer.send(event({ type: "pong" }));
      default: {
        const unreachable: never = frame;
        return unreachable;
      }
    }
  }

  // Counted last, so nothing between here and the upgrade can fail and leak the count.
  const release = hub.admit(clientIp(c), limits.socketsPerIp);
  if (!release) {
    throw new HttpError(429, "rate_limited", "Too many connections from this address", {
      headers: { "Retry-After": "30" },
    });
  }

  // The heartbeat is Deno's: it pings a socket idle for `idleTimeout` seconds and closes it when
  // no pong comes back, so a vanished client does not stay in the hub.
  return upgradeWebSocket(c, {
    onOpen(_evt, ws) {
      let leave = () => {};
      peer = new SocketPeer(ws.raw as WebSocket, {
        role,
        widgetId: session!.widgetId,
        maxBufferedBytes: limits.wsBufferedBytes,
        loadAfter: (afterSeq, limit) => listMessages(db, session!.id, { afterSeq, limit }),
        onClose: () => leave(),
      });
      peer.lastSeq = watermark;
      leave = hub.join(session!.id, peer);
      peer.send(event({ type: "connection:established", sessionId: session!.id }));
    },
    onMessage(evt) {
      handle(evt.data).catch((err) => {
        log.warn("websocket frame failed", { sessionId: session!.id, error: String(err) });
        fail("internal", "Could not handle the frame");
      });
    },
    onClose() {
      release();
      peer?.stopped();
    },
    onError() {
      release();
    },
  }, { idleTimeout: limits.wsIdleSeconds });
});
