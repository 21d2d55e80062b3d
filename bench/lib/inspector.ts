/**
 * @module A small Chrome DevTools Protocol client for a Deno process started with `--inspect`:
 * force a garbage collection and read `Deno.memoryUsage()`, so memory figures can separate what
 * sockets keep from garbage not yet collected.
 */

/** A node of V8's sampling heap profile: a call site and what was allocated there. */
export interface SamplingHeapProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  /** Bytes allocated by this frame itself, as estimated from the samples. */
  selfSize: number;
  id: number;
  children: SamplingHeapProfileNode[];
}

/** V8's sampling heap profile (`HeapProfiler.stopSampling`). */
export interface SamplingHeapProfile {
  head: SamplingHeapProfileNode;
  samples: { size: number; nodeId: number; ordinal: number }[];
}

/** A connection to a process's inspector. */
export interface Inspector {
  /** Runs a full GC, then returns the process's `Deno.memoryUsage()`. */
  gcAndMeasure(): Promise<Deno.MemoryUsage>;
  /** Writes a heap snapshot to `path` (for a closer look in Chrome's memory tab). */
  heapSnapshot(path: string): Promise<void>;
  /**
   * Starts V8's sampling heap profiler, keeping the samples of objects collected since (the
   * garbage of a burst is what it is for); `stopSampling` returns the profile, which Chrome's
   * memory tab opens when saved as a `.heapprofile`.
   */
  startSampling(intervalBytes?: number): Promise<void>;
  stopSampling(): Promise<SamplingHeapProfile>;
  close(): void;
}

/** Connects to the inspector listening on `port`. */
export async function connectInspector(port: number, timeoutMs = 30_000): Promise<Inspector> {
  const deadline = Date.now() + timeoutMs;
  let target: string | undefined;
  while (!target) {
    try {
      const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json() as {
        webSocketDebuggerUrl: string;
      }[];
      target = list[0]?.webSocketDebuggerUrl;
    } catch {
      if (Date.now() > deadline) throw new Error(`no inspector on port ${port}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const ws = new WebSocket(target);
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = () => reject(new Error("cannot reach the inspector"));
  });
  let id = 0;
  const pending = new Map<number, (result: unknown) => void>();
  let onChunk: ((chunk: string) => void) | undefined;
  ws.onmessage = (e) => {
    const msg = JSON.parse(e.data as string);
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result ?? msg.error);
    else if (msg.method === "HeapProfiler.addHeapSnapshotChunk") onChunk?.(msg.params.chunk);
  };
  const call = (method: string, params: Record<string, unknown> = {}) =>
    new Promise<unknown>((resolve) => {
      pending.set(++id, resolve);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return {
    async gcAndMeasure() {
      await call("HeapProfiler.collectGarbage");
      await call("HeapProfiler.collectGarbage");
      const result = await call("Runtime.evaluate", {
        expression: "JSON.stringify(Deno.memoryUsage())",
        returnByValue: true,
      }) as { result: { value: string } };
      return JSON.parse(result.result.value) as Deno.MemoryUsage;
    },
    async heapSnapshot(path) {
      const chunks: string[] = [];
      onChunk = (c) => chunks.push(c);
      await call("HeapProfiler.takeHeapSnapshot", { reportProgress: false });
      onChunk = undefined;
      await Deno.writeTextFile(path, chunks.join(""));
    },
    async startSampling(intervalBytes = 4096) {
      await call("HeapProfiler.enable");
      await call("HeapProfiler.startSampling", {
        samplingInterval: intervalBytes,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    },
    async stopSampling() {
      const result = await call("HeapProfiler.stopSampling") as { profile: SamplingHeapProfile };
      return result.profile;
    },
    close: () => ws.close(),
  };
}
