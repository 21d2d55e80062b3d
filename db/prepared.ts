/**
 * @module Queries built once per database: drizzle rebuilds a query's SQL from its column objects
 * on every call, which for the hot paths cost more than the query itself. `oncePerDb(build)`
 * returns a getter that builds (and `.prepare()`s) the query the first time a database asks.
 */
import type { Db } from "./client.ts";

/** `build(db)` once per database (a transaction is a database of its own here). */
export function oncePerDb<T>(build: (db: Db) => T): (db: Db) => T {
  const built = new WeakMap<Db, T>();
  return (db) => {
    let query = built.get(db);
    if (query === undefined) built.set(db, query = build(db));
    return query;
  };
}
