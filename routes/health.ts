/** @module `GET /healthz`: the process is up and the database answers. */
import { Hono } from "hono";
import type { AppEnv } from "../context.ts";

export const healthRoutes = new Hono<AppEnv>().get("/healthz", async (c) => {
  try {
    await c.var.deps.database.ping();
    return c.json({ status: "ok", db: "ok" });
  } catch {
    return c.json({ status: "degraded", db: "unavailable" }, 503);
  }
});
