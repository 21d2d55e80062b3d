/**
 * @module `DATA_DIR` is private to the account that runs Parley: it holds the JWT secret, password
 * hashes, encrypted Retell keys and every conversation (PGlite's files and write-ahead log).
 */

/** Creates `dir` if needed and makes it readable by its owner only (0700). */
export function ensurePrivateDir(dir: string): void {
  Deno.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir's mode is filtered by the umask and leaves an existing directory as it was.
  if (Deno.build.os !== "windows") Deno.chmodSync(dir, 0o700);
}

/**
 * Makes everything under `dir` owner-only (directories 0700, files 0600), for data directories
 * written before this rule or by a tool with a lax umask. Symbolic links are left alone.
 */
export function restrictTree(dir: string): void {
  if (Deno.build.os === "windows") return;
  ensurePrivateDir(dir);
  for (const entry of Deno.readDirSync(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) restrictTree(path);
    else if (entry.isFile) Deno.chmodSync(path, 0o600);
  }
}

/**
 * Files this process creates from now on are owner-only whatever the inherited umask. (PGlite
 * sets its own files' modes, so `restrictTree` runs again after it opened the database.)
 */
export function privateUmask(): void {
  if (Deno.build.os !== "windows") Deno.umask(0o077);
}
