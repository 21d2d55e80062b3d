/**
 * @module `GET /ws?sessionId=&token=`: the token and the session are checked BEFORE the upgrade, so
 * a wrong one gets a JSON 401/403/404 rather than a socket that closes. Then the socket joins the
 * session in the hub; client frames are validated and bounded.
 */
import { Hono } from "hono";
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
  assertHandshake(c.req.raw.headers);

  const { hub } = deps;
  const limits = config.limits;
  // Re-sync after a fan-out outage starts from here, not from the beginning of the session.
  const watermark = await lastSeqOf(db, session.id);
  const role = actor.kind;
  let peer: SocketPeer | undefined;
  let windowStart = Date.now(), frames = 0;

  const fail = (code: string, message: string) =>
    peer?.send(event({ type: "error", code, message }));

  async function handle(raw: unknown, tooBig: () => void): Promise<void> {
    if (!peer || peer.closed) return;
    // A string of n UTF-16 units is at most 3n bytes of UTF-8: only a long one needs encoding.
    const size = typeof raw === "string"
      ? raw.length * 3 <= limits.wsFrameBytes ? raw.length : encoder.encode(raw).byteLength
      : raw instanceof ArrayBuffer
      ? raw.byteLength
      : raw instanceof Blob
      ? raw.size
      : 0;
    if (size > limits.wsFrameBytes) {
      const closed = peer.close(CloseCode.tooBig, "Frame too large");
      tooBig();
      return closed;
    }
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

  // Counted last, so nothing between here and the upgrade can fail and leak the slot.
  const address = clientIp(c);
  const ticket = hub.admission.admit(address, {
    perAddress: config.rateLimits ? limits.socketsPerAddress : Infinity,
    total: limits.socketsTotal,
  });
  if (typeof ticket === "string") throw REFUSALS[ticket]();
  const tooBig = () => {
    // The frame is in memory already; what can be bounded is how many more this address sends.
    log.warn("oversized websocket frame", { address });
    hub.admission.coolOff(address, COOL_OFF_MS);
  };

  // The heartbeat is Deno's: it pings a socket idle for `idleTimeout` seconds and closes it when
  // no pong comes back, so a vanished client does not stay in the hub.
  let upgraded;
  try {
    upgraded = Deno.upgradeWebSocket(c.req.raw, { idleTimeout: limits.wsIdleSeconds });
  } catch (err) {
    ticket.release();
    throw new HttpError(400, "bad_request", "Not a valid WebSocket handshake", { cause: err });
  }
  const { socket, response } = upgraded;
  ticket.close = () =>
    void (peer ? peer.close(CloseCode.policy, "Oversized frame") : socket.close());
  socket.onopen = () => {
    let leave = () => {};
    peer = new SocketPeer(socket, {
      role,
      widgetId: session!.widgetId,
      maxBufferedBytes: limits.wsBufferedBytes,
      loadAfter: (afterSeq, limit) => listMessages(db, session!.id, { afterSeq, limit }),
      onClose: () => leave(),
    });
    peer.lastSeq = watermark;
    leave = hub.join(session!.id, peer);
    peer.send(event({ type: "connection:established", sessionId: session!.id }));
  };
  socket.onmessage = (evt) => {
    handle(evt.data, tooBig).catch((err) => {
      log.warn("websocket frame failed", { sessionId: session!.id, error: String(err) });
      fail("internal", "Could not handle the frame");
    });
  };
  socket.onclose = () => {
    ticket.release();
    peer?.stopped();
  };
  socket.onerror = () => ticket.release();
  return response;
});

/** How long an address that sent an oversized frame may open no socket. */
const COOL_OFF_MS = 10 * 60_000;

const REFUSALS = {
  address: () =>
    new HttpError(429, "rate_limited", "Too many connections from this address", {
      headers: { "Retry-After": "30" },
    }),
  total: () =>
    new HttpError(503, "unavailable", "The server has too many connections; try again shortly", {
      headers: { "Retry-After": "30" },
    }),
  cooling: () =>
    new HttpError(429, "rate_limited", "This address sent an oversized frame; try again later", {
      headers: { "Retry-After": String(COOL_OFF_MS / 1000) },
    }),
};

/**
 * SPEC v2.1: a request that asks for an upgrade but is not a valid RFC 6455 handshake is a 400
 * (checked before a slot is taken, and before Deno's own check would throw); a request that does
 * not ask for an upgrade at all is a 426.
 */
function assertHandshake(headers: Headers): void {
  const upgrade = headers.get("upgrade");
  if (!upgrade) {
    throw new HttpError(426, "bad_request", "Expected a WebSocket upgrade", {
      headers: { Upgrade: "websocket" },
    });
  }
  const problem = upgrade.toLowerCase() !== "websocket"
    ? "Upgrade must be websocket"
    : !(headers.get("connection") ?? "").toLowerCase().split(",").some((t) =>
        t.trim() === "upgrade"
      )
    ? "Connection must include upgrade"
    : !/^[A-Za-z0-9+/]{22}==$/.test(headers.get("sec-websocket-key") ?? "")
    ? "Sec-WebSocket-Key must be 16 bytes in base64"
    : headers.get("sec-websocket-version") !== "13"
    ? "Sec-WebSocket-Version must be 13"
    : undefined;
  if (problem) {
    throw new HttpError(400, "bad_request", `Not a valid WebSocket handshake: ${problem}`, {
      headers: { "Sec-WebSocket-Version": "13" },
    });
  }
}
