-- Webhook signing secrets are kept sealed (AES-GCM, lib/secret_box.ts), longer than the plain
-- `whsec_` form: a database leak must not let anyone sign deliveries as Parley.
ALTER TABLE webhook_endpoints ALTER COLUMN secret TYPE TEXT;
