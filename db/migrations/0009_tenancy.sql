-- Each organization's own Retell key, AES-GCM encrypted (lib/secret_box.ts); never returned.
ALTER TABLE organizations ADD COLUMN retell_key_sealed TEXT;
ALTER TABLE organizations ADD COLUMN retell_key_hint VARCHAR(8);
ALTER TABLE organizations ADD COLUMN retell_key_updated_at TIMESTAMPTZ;

-- Admin sign-ins: a token is valid only while its row is (logout and "sign out everywhere"
-- revoke rows; a deleted user takes their rows along).
CREATE TABLE admin_sessions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    expires_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE INDEX admin_sessions_user_idx ON admin_sessions (user_id, expires_at);
