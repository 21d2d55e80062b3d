-- Retell webhook deliveries already handled, so that a replay inside the 5-minute signature
-- window is acknowledged without being applied again. Shared by every process on one PostgreSQL
-- server; a row is of no use once its signature is too old to verify, and pruning drops it then.
CREATE TABLE retell_deliveries (
    digest VARCHAR(64) PRIMARY KEY,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX retell_deliveries_expires_idx ON retell_deliveries (expires_at);
