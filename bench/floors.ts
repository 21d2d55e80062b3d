/**
 * @module The floors: what bare Deno does with no framework, database or logic, measured in the
 * same run and with the same load generators as Parley so the ratio means something.
 *
 * `deno run -A bench/floors.ts http <port>`: a JSON handler shaped like the message round trip
 * (reads a JSON body, answers 201 with JSON). `deno run -A bench/floors.ts ws <port>`: a WebSocket
 * broadcast server; sockets join `?room=`, and a frame from one is relayed to the room's others,
 * as Parley relays a visitor's typing frame.
 */

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json; charset=utf-8" },
  });
}

/** The bare JSON handler. */
export async function httpFloor(req: Request): Promise<Response> {
  if (req.method === "POST") {
    const body = await req.json() as { content?: string; clientMessageId?: string };
    const now = new Date().toISOString();
    return json({
      userMessage: { id: crypto.randomUUID(), content: body.content, createdAt: now },
      agentMessage: { id: crypto.randomUUID(), content: "ok", createdAt: now },
    }, 201);
  }
  return json({ status: "ok" });
}

/** The bare broadcast handler. */
export function wsFloor(): (req: Request) => Response {
  const rooms = new Map<string, Set<WebSocket>>();
  return (req) => {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") return json({ status: "ok" });
    const room = new URL(req.url).searchParams.get("room") ?? "";
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.onopen = () => {
      let peers = rooms.get(room);
      if (!peers) rooms.set(room, peers = new Set());
      peers.add(socket);
      socket.send(JSON.stringify({ type: "connection:established" }));
    };
    socket.onmessage = (e) => {
      for (const peer of rooms.get(room) ?? []) {
        if (peer !== socket && peer.readyState === WebSocket.OPEN) peer.send(e.data);
      }
    };
    socket.onclose = () => {
      const peers = rooms.get(room);
      peers?.delete(socket);
      if (peers?.size === 0) rooms.delete(room);
    };
    return response;
  };
}

if (import.meta.main) {
  const [kind, port] = Deno.args;
  const handler = kind === "ws" ? wsFloor() : httpFloor;
  Deno.serve({ port: Number(port), hostname: "127.0.0.1", onListen: () => {} }, handler);
}
