/**
 * @module The layer check of `deno task check`: reads every import of the server and browser code
 * (type imports too: a type cycle is still a cycle to a reader) and fails on an import cycle or an
 * import that crosses the layers of the table below (README "Architecture"). A small parser of
 * our own rather than `deno info --json`: it runs in well under a second, needs no network or
 * module resolution, and sees `import type`, which `deno info` reports like any other import.
 *
 * `deno run --allow-read scripts/check_layers.ts [root]` prints each problem and exits 1.
 */

/** A layer: the files it holds and the layers it may import (besides itself and npm packages). */
export interface Layer {
  name: string;
  /** Path prefixes (folders end with "/") or exact file paths, relative to the root. */
  paths: string[];
  mayImport: string[];
}

/**
 * Who may import whom. Read a row as "files of `name` import only their own layer, npm packages
 * and `mayImport`". Anything not listed in any layer is a problem too, so a new folder is a
 * decision, not an accident.
 */
export const LAYERS: Layer[] = [
  { name: "lib", paths: ["lib/"], mayImport: [] },
  { name: "contract", paths: ["contract/"], mayImport: ["lib"] },
  { name: "config", paths: ["config.ts"], mayImport: ["lib", "contract"] },
  { name: "db", paths: ["db/"], mayImport: ["lib", "contract", "config"] },
  { name: "hub", paths: ["hub/"], mayImport: ["lib", "contract", "config", "db"] },
  { name: "agents", paths: ["agents/"], mayImport: ["lib", "contract", "config", "db"] },
  {
    name: "calls",
    paths: ["calls/"],
    mayImport: ["lib", "contract", "config", "db", "hub", "agents", "webhooks", "context"],
  },
  { name: "limits", paths: ["limits/"], mayImport: ["lib", "contract", "config", "db"] },
  // The outbound webhooks' queue and delivery: anything that emits an event may call it.
  { name: "webhooks", paths: ["webhooks/"], mayImport: ["lib", "contract", "config", "db"] },
  {
    name: "context",
    paths: ["context.ts"],
    mayImport: ["lib", "contract", "config", "db", "hub", "agents", "limits", "webhooks"],
  },
  // The team: users' roles, invites, and the role guard the routes put in front of them.
  {
    name: "team",
    paths: ["team/"],
    mayImport: ["lib", "contract", "config", "db", "hub", "context", "webhooks"],
  },
  {
    name: "conversations",
    paths: ["conversations/"],
    mayImport: [
      "lib",
      "contract",
      "config",
      "db",
      "hub",
      "agents",
      "calls",
      "limits",
      "context",
      "webhooks",
      "team",
    ],
  },
  // Browser code (the frame, the loader, islands and their components, the shared stream client):
  // it may use the contract's types and the pure helpers of lib/, never the server.
  {
    name: "browser",
    paths: ["embed/", "islands/", "components/", "client/"],
    mayImport: ["lib", "contract"],
  },
  {
    name: "routes",
    paths: ["routes/"],
    mayImport: [
      "lib",
      "contract",
      "config",
      "db",
      "hub",
      "agents",
      "calls",
      "limits",
      "context",
      "webhooks",
      "team",
      "conversations",
      "browser",
    ],
  },
  {
    name: "app",
    paths: ["app.ts"],
    mayImport: ["lib", "contract", "config", "context", "routes", "limits", "hub", "db"],
  },
  // The composition root and the build wire everything; nothing imports them.
  { name: "main", paths: ["main.ts"], mayImport: ["*"] },
  { name: "build", paths: ["build.ts", "scripts/"], mayImport: ["*"] },
  { name: "bench", paths: ["bench/"], mayImport: ["*"] },
];

/**
 * Imports the table does not allow yet, each with the work that removes it. Keep this list short
 * and shrinking: an entry that no longer matches an import is reported too.
 */
export const EXCEPTIONS: { from: string; to: string; until: string }[] = [
  // TODO(#12 contract): the admin components take the enum types from contract/ too.
  { from: "components/", to: "db/schema.ts", until: "enums from contract/" },
];

/** Folders of the root that hold no layer's code. */
const SKIPPED = ["tests/", "static/", "data/", "docs/", "node_modules/", ".git/", ".ci/"];

/** One import of one file. */
export interface Import {
  from: string;
  to: string;
}

const SPECIFIER =
  /(?:^|[\s;}])(?:import|export)\s+(?:type\s+)?(?:[\w*${}\s,]+\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** The relative specifiers a source text imports (comments are dropped first). */
export function importsOf(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
  const found: string[] = [];
  for (const m of code.matchAll(SPECIFIER)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith(".")) found.push(spec);
  }
  return found;
}

/** The layer a root-relative path belongs to, if any. */
export function layerOf(path: string, layers: Layer[] = LAYERS): Layer | undefined {
  return layers.find((l) => l.paths.some((p) => p.endsWith("/") ? path.startsWith(p) : path === p));
}

/** Normalises `dir/../x` segments of a relative path. */
function join(dir: string, spec: string): string {
  const parts = dir ? dir.split("/") : [];
  for (const seg of spec.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

/** The imports between the source files under `root` (paths relative to it), and its routes. */
export interface Graph {
  edges: Import[];
  /** Files that make a Hono app (`new Hono`): a route, as opposed to a helper of routes. */
  routes: Set<string>;
}

/** Reads the graph of the tree under `root`. */
export async function readGraph(root: string): Promise<Graph> {
  const edges: Import[] = [];
  const routes = new Set<string>();
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(dir ? `${root}/${dir}` : root)) {
      const path = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory) {
        if (!SKIPPED.includes(`${path}/`)) await walk(path);
      } else if (/\.tsx?$/.test(entry.name) && !/_test\.tsx?$/.test(entry.name)) {
        const source = await Deno.readTextFile(`${root}/${path}`);
        if (path.startsWith("routes/") && /\bnew Hono\b/.test(source)) routes.add(path);
        for (const spec of importsOf(source)) {
          edges.push({ from: path, to: join(dir, spec) });
        }
      }
    }
  }
  await walk("");
  edges.sort((a, b) => a.from.localeCompare(b.from) || a.to.localeCompare(b.to));
  return { edges, routes };
}

/** Imports that cross the table: a layer importing one it may not, or a file in no layer. */
export function layerViolations(
  edges: Import[],
  layers: Layer[] = LAYERS,
  exceptions = EXCEPTIONS,
): string[] {
  const problems = new Set<string>();
  const used = new Set<(typeof exceptions)[number]>();
  for (const { from, to } of edges) {
    const excused = exceptions.find((e) => from.startsWith(e.from) && to === e.to);
    if (excused) {
      used.add(excused);
      continue;
    }
    const a = layerOf(from, layers);
    const b = layerOf(to, layers);
    if (!a) problems.add(`${from} is in no layer (add it to the table in scripts/check_layers.ts)`);
    if (!b) problems.add(`${to} is in no layer (imported by ${from})`);
    if (!a || !b || a === b || a.mayImport.includes("*") || a.mayImport.includes(b.name)) continue;
    problems.add(`${from} -> ${to}: ${a.name}/ may not import ${b.name}/`);
  }
  for (const e of exceptions) {
    if (!used.has(e)) problems.add(`exception ${e.from} -> ${e.to} is no longer needed: remove it`);
  }
  return [...problems];
}

/**
 * Route files importing other route files. A `mod.ts`/`mod.tsx` that mounts sub-apps may, and
 * helpers of routes (middleware, form parsers: files that make no Hono app) are not routes.
 */
export function routeToRoute({ edges, routes }: Graph): string[] {
  return edges
    .filter(({ from, to }) => routes.has(from) && routes.has(to) && !/\/mod\.tsx?$/.test(from))
    .map(({ from, to }) => `${from} -> ${to}: a route may not import another route`);
}

/** Every import cycle, each once, as `a -> b -> … -> a` (Tarjan's strongly connected components). */
export function cycles(edges: Import[]): string[] {
  const next = new Map<string, string[]>();
  for (const { from, to } of edges) next.set(from, [...(next.get(from) ?? []), to]);
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[] = [];
  function visit(v: string): void {
    indexOf.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of next.get(v) ?? []) {
      if (!indexOf.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, indexOf.get(w)!));
      }
    }
    if (low.get(v) !== indexOf.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    const selfLoop = (next.get(v) ?? []).includes(v);
    if (component.length > 1 || selfLoop) found.push(component.sort().join(" <-> "));
  }
  for (const v of next.keys()) if (!indexOf.has(v)) visit(v);
  return found.map((c) => `import cycle: ${c}`);
}

/** Everything wrong with the tree under `root`. */
export async function checkLayers(
  root: string,
  layers: Layer[] = LAYERS,
  exceptions = EXCEPTIONS,
): Promise<string[]> {
  const graph = await readGraph(root);
  return [
    ...cycles(graph.edges),
    ...layerViolations(graph.edges, layers, exceptions),
    ...routeToRoute(graph),
  ];
}

if (import.meta.main) {
  const root = Deno.args[0] ?? new URL("..", import.meta.url).pathname.replace(/\/$/, "");
  const problems = await checkLayers(root);
  for (const p of problems) {
    // deno-lint-ignore no-console
    console.error(p);
  }
  if (problems.length) {
    // deno-lint-ignore no-console
    console.error(`\n${problems.length} layer problem(s); the table is in scripts/check_layers.ts`);
    Deno.exit(1);
  }
}
