/** @module What the figures were taken on: cores, CPU model, memory, Deno and load. */

/** A description of this machine for the first JSON line. */
export async function machine(): Promise<Record<string, unknown>> {
  const cpuinfo = await Deno.readTextFile("/proc/cpuinfo").catch(() => "");
  const meminfo = await Deno.readTextFile("/proc/meminfo").catch(() => "");
  const model = cpuinfo.match(/^model name\s*:\s*(.+)$/m)?.[1]?.trim();
  const memKb = Number(meminfo.match(/^MemTotal:\s+(\d+)/m)?.[1] ?? 0);
  return {
    cores: navigator.hardwareConcurrency,
    cpu: model,
    memory_gb: Math.round(memKb / 1024 / 1024),
    os: `${Deno.build.os} ${Deno.build.arch}`,
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    load_average: Deno.loadavg().map((v) => Math.round(v * 100) / 100),
    date: new Date().toISOString(),
  };
}
