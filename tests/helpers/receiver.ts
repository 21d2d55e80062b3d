/**
 * @module A local webhook receiver for tests: a real `Deno.serve` on 127.0.0.1, port 0, that
 * records every request and answers as the test says.
 */

/** One request the receiver got. */
export interface Received {
  headers: Headers;
  body: string;
  json: { id: string; type: string; createdAt: string; data: Record<string, unknown> };
}

/** A running receiver. */
export interface Receiver {
  url: string;
  received: Received[];
  /** Answers the next requests (default: 200 "ok"). */
  respond: (req: Request, n: number) => Response | Promise<Response>;
  close(): Promise<void>;
}

/** A fixed clock the test moves by hand. */
export class TestClock {
  ms: number;
  constructor(start = Date.now()) {
    this.ms = start;
  }
  now = (): Date => new Date(this.ms);
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** Starts a receiver. */
export function startReceiver(path = "/hook"): Receiver {
  const controller = new AbortController();
  const receiver: Receiver = {
    url: "",
    received: [],
    respond: () => new Response("ok"),
    async close() {
      controller.abort();
      await server.finished;
    },
  };
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, signal: controller.signal, onListen() {} },
    async (req) => {
      const body = await req.text();
      let json;
      try {
        json = JSON.parse(body);
      } catch {
        json = {};
      }
      receiver.received.push({ headers: req.headers, body, json });
      return await receiver.respond(req, receiver.received.length);
    },
  );
  receiver.url = `http://127.0.0.1:${server.addr.port}${path}`;
  return receiver;
}
