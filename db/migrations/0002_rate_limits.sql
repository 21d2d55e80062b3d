-- Rate-limit counters shared by every process on one PostgreSQL server (rate-limiter-flexible's
-- drizzle store). With embedded PGlite there is one process, and counters live in memory instead.
CREATE TABLE rate_limits (
    key VARCHAR(255) PRIMARY KEY,
    points INTEGER NOT NULL DEFAULT 0,
    expire TIMESTAMPTZ
);
CREATE INDEX rate_limits_expire_idx ON rate_limits (expire);
