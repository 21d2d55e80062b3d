/**
 * @module The WebSocket load generator, run in a process of its own: `deno run -A
 * bench/load_ws.ts <job.json>`.
 *
 * `relay`: in every room (a chat session), one socket publishes frames and the others receive them
 * through the server (Parley relays a visitor's typing frame to the session's other sockets; the
 * bare floor relays any frame). Frames are sent open loop at a fixed delivery rate (latency) or as
 * fast as a per-room window allows (`rate: 0`, throughput). Sockets keep their order, so the n-th
 * relayed frame a receiver gets is the n-th its publisher sent: latency needs no payload.
 *
 * `messages`: chat messages POSTed through the API at a fixed rate, timed from the POST to their
 * `message:received` at every socket of the session (stored, then published: the real path).
 *
 * `hold`: opens sockets, prints `{"ready":true,...}`, and keeps them idle until killed (memory).
 */
import { type LatencyStats, latencyStats, round } from "./lib/report.ts";

/** One room: who publishes and who listens (full `ws://` URLs). */
export interface Room {
  publisher: string;
  receivers: string[];
}

/** A relay job. */
export interface RelayJob {
  kind: "relay";
  rooms: Room[];
  /** What a publisher sends; frames alternate between the entries. */
  frames: string[];
  /** Substring that marks a relayed frame at a receiver (others, e.g. greetings, are ignored). */
  match: string;
  /** Deliveries per second offered; 0: as fast as `window` allows. */
  rate: number;
  /** Frames a room may have in flight (sent, not yet at every receiver) when `rate` is 0. */
  window: number;
  durationMs: number;
  warmupMs: number;
  /** Sockets opened at a time. */
  connectConcurrency: number;
}

/** A messages job: chat messages POSTed through the API, timed to their arrival at sockets. */
export interface MessagesJob {
  kind: "messages";
  rooms: { post: string; token: string; receivers: string[] }[];
  /** Messages per second offered, spread over the rooms. */
  rate: number;
  durationMs: number;
  warmupMs: number;
  connectConcurrency: number;
}

/** A hold job. */
export interface HoldJob {
  kind: "hold";
  urls: string[];
  connectConcurrency: number;
}

/** What a relay job measured. */
export interface RelayResult {
  sockets: number;
  rooms: number;
  connectMs: number;
  framesSent: number;
  deliveries: number;
  /** Deliveries of frames sent during the measured window, per second. */
  deliveriesPerSecond: number;
  offeredPerSecond: number;
  /** Deliveries expected but not seen within 3 s of the end. */
  missing: number;
  closedEarly: number;
  latency: LatencyStats;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Opens a socket and waits for its first frame (the greeting) or fails. */
function connect(url: string, onFrame?: (data: string) => void): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let greeted = false;
    ws.onmessage = (e) => {
      if (!greeted) {
        greeted = true;
        resolve(ws);
        return;
      }
      onFrame?.(e.data as string);
    };
    ws.onerror = (e) => {
      if (!greeted) {
        reject(new Error(`cannot open ${url.split("?")[0]}: ${(e as ErrorEvent).message}`));
      }
    };
    ws.onclose = (e) => {
      if (!greeted) reject(new Error(`closed before greeting: ${e.code} ${e.reason}`));
    };
  });
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T, i: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await fn(items[i], i);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Runs a relay job. */
export async function runRelay(job: RelayJob): Promise<RelayResult> {
  const rooms = job.rooms.map((r) => ({
    ...r,
    sent: [] as number[],
    received: new Array<number>(r.receivers.length).fill(0),
    acked: 0,
    publisherSocket: undefined as WebSocket | undefined,
  }));
  const samples: number[] = [];
  let deliveries = 0, measuredDeliveries = 0, closedEarly = 0, running = true;
  let measureFrom = Infinity, measureTo = Infinity;

  const t0 = performance.now();
  const tasks: { room: number; receiver: number }[] = [];
  rooms.forEach((r, i) => r.receivers.forEach((_, j) => tasks.push({ room: i, receiver: j })));
  await pool(tasks, job.connectConcurrency, async ({ room, receiver }) => {
    const r = rooms[room];
    const ws = await connect(r.receivers[receiver], (data) => {
      if (!data.includes(job.match)) return;
      const now = performance.now();
      const n = r.received[receiver]++;
      deliveries++;
      const sentAt = r.sent[n];
      if (sentAt >= measureFrom && sentAt < measureTo) {
        samples.push(now - sentAt);
        measuredDeliveries++;
      }
      if (job.rate === 0) {
        const acked = Math.min(...r.received);
        if (acked > r.acked) {
          r.acked = acked;
          if (running) pump(room);
        }
      }
    });
    ws.addEventListener("close", () => running && closedEarly++);
  });
  await pool(rooms, job.connectConcurrency, async (r) => {
    r.publisherSocket = await connect(r.publisher);
    r.publisherSocket.addEventListener("close", () => running && closedEarly++);
  });
  const connectMs = performance.now() - t0;

  function send(room: number): void {
    const r = rooms[room];
    const frame = job.frames[r.sent.length % job.frames.length];
    r.sent.push(performance.now());
    r.publisherSocket!.send(frame);
  }
  function pump(room: number): void {
    const r = rooms[room];
    while (r.sent.length - r.acked < job.window) send(room);
  }

  const start = performance.now();
  measureFrom = start + job.warmupMs;
  measureTo = measureFrom + job.durationMs;
  const receiversPerFrame = rooms.reduce((n, r) => n + r.receivers.length, 0) / rooms.length;
  if (job.rate === 0) {
    rooms.forEach((_, i) => pump(i));
    await sleep(measureTo - performance.now());
  } else {
    // Open loop: frames due by now are sent round-robin over the rooms, every millisecond or so.
    const framesPerMs = job.rate / receiversPerFrame / 1000;
    let sent = 0, room = 0;
    while (performance.now() < measureTo) {
      const due = Math.floor((performance.now() - start) * framesPerMs);
      for (; sent < due; sent++) {
        send(room);
        room = (room + 1) % rooms.length;
      }
      await sleep(1);
    }
  }
  running = false;
  // Let in-flight frames land before counting the missing ones.
  const expected = () =>
    rooms.reduce((n, r) => n + r.sent.length * r.receivers.length, 0) - deliveries;
  for (let waited = 0; waited < 3000 && expected() > 0; waited += 50) await sleep(50);
  const missing = expected();
  const framesSent = rooms.reduce((n, r) => n + r.sent.length, 0);
  for (const r of rooms) r.publisherSocket?.close();
  return {
    sockets: tasks.length + rooms.length,
    rooms: rooms.length,
    connectMs: round(connectMs, 0),
    framesSent,
    deliveries,
    deliveriesPerSecond: round((measuredDeliveries / job.durationMs) * 1000, 0),
    offeredPerSecond: job.rate,
    missing,
    closedEarly,
    latency: latencyStats(samples),
  };
}

/** What a messages job measured. */
export interface MessagesResult {
  sockets: number;
  rooms: number;
  sent: number;
  failed: number;
  deliveries: number;
  deliveriesPerSecond: number;
  missing: number;
  closedEarly: number;
  /** From the POST leaving to the message arriving at a socket. */
  latency: LatencyStats;
  roundTrip: LatencyStats;
}

/**
 * Runs a messages job: open loop at `rate` messages per second, each message's content naming its
 * room and number so every socket's arrival is matched to its send exactly.
 */
export async function runMessages(job: MessagesJob): Promise<MessagesResult> {
  const rooms = job.rooms.map((r) => ({ ...r, sent: [] as number[] }));
  const samples: number[] = [], roundTrips: number[] = [];
  let deliveries = 0, measured = 0, closedEarly = 0, failed = 0, running = true;
  let measureFrom = Infinity, measureTo = Infinity;
  const tasks = rooms.flatMap((r, i) => r.receivers.map((url) => ({ room: i, url })));
  await pool(tasks, job.connectConcurrency, async ({ url }) => {
    const ws = await connect(url, (data) => {
      if (!data.includes('"message:received"')) return;
      const m = (JSON.parse(data) as { message?: { senderType: string; content: string } }).message;
      const match = m?.senderType === "user" && m.content.match(/^bench (\d+) (\d+)$/);
      if (!match) return;
      const sentAt = rooms[Number(match[1])].sent[Number(match[2])];
      deliveries++;
      if (sentAt >= measureFrom && sentAt < measureTo) {
        samples.push(performance.now() - sentAt);
        measured++;
      }
    });
    ws.addEventListener("close", () => running && closedEarly++);
  });
  const inFlight = new Set<Promise<void>>();
  // Client message ids are unique per session: a second run over the same sessions needs its own.
  const run = crypto.randomUUID().slice(0, 8);
  const send = (i: number) => {
    const r = rooms[i];
    const n = r.sent.length;
    const t0 = performance.now();
    r.sent.push(t0);
    const p = fetch(r.post, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${r.token}` },
      body: JSON.stringify({
        content: `bench ${i} ${n}`,
        clientMessageId: `bench-${run}-${i}-${n}`,
      }),
    }).then(async (res) => {
      await res.body?.cancel();
      if (res.status !== 201) failed++;
      else if (t0 >= measureFrom && t0 < measureTo) roundTrips.push(performance.now() - t0);
    }).catch(() => void failed++).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  const start = performance.now();
  measureFrom = start + job.warmupMs;
  measureTo = measureFrom + job.durationMs;
  const perMs = job.rate / 1000;
  let sent = 0, room = 0;
  while (performance.now() < measureTo) {
    const due = Math.floor((performance.now() - start) * perMs);
    // A server that cannot keep up is not buried: at most 1000 requests wait at once.
    for (; sent < due && inFlight.size < 1000; sent++) {
      send(room);
      room = (room + 1) % rooms.length;
    }
    await sleep(1);
  }
  running = false;
  await Promise.all(inFlight);
  const expected = () =>
    rooms.reduce((n, r) => n + r.sent.length * r.receivers.length, 0) - deliveries -
    failed * (tasks.length / rooms.length);
  for (let waited = 0; waited < 3000 && expected() > 0; waited += 50) await sleep(50);
  return {
    sockets: tasks.length,
    rooms: rooms.length,
    sent: rooms.reduce((n, r) => n + r.sent.length, 0),
    failed,
    deliveries,
    deliveriesPerSecond: round((measured / job.durationMs) * 1000, 0),
    missing: Math.max(0, Math.round(expected())),
    closedEarly,
    latency: latencyStats(samples),
    roundTrip: latencyStats(roundTrips),
  };
}

/** Runs a hold job: open every socket, say so, then wait to be killed. */
export async function runHold(job: HoldJob): Promise<never> {
  const t0 = performance.now();
  const sockets: WebSocket[] = [];
  await pool(job.urls, job.connectConcurrency, async (url) => {
    sockets.push(await connect(url));
  });
  // deno-lint-ignore no-console -- the parent waits for this line
  console.log(
    JSON.stringify({
      ready: true,
      sockets: sockets.length,
      connectMs: round(performance.now() - t0, 0),
    }),
  );
  for (;;) await sleep(60_000);
}

if (import.meta.main) {
  const job = JSON.parse(await Deno.readTextFile(Deno.args[0])) as
    | RelayJob
    | HoldJob
    | MessagesJob;
  if (job.kind === "hold") await runHold(job);
  const result = job.kind === "messages" ? await runMessages(job) : await runRelay(job as RelayJob);
  // deno-lint-ignore no-console -- the parent reads this line
  console.log(JSON.stringify(result));
  // Open sockets would keep the process alive.
  Deno.exit(0);
}
