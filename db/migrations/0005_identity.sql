-- Knowing the visitor (SPEC v2.4): verified identity, page context, leads, ratings, retention.

-- The widget's identity secret (HS256 key of the host's identity tokens), AES-GCM sealed at rest
-- because it must be usable to verify; require_identity refuses anonymous visitors.
ALTER TABLE widget_configurations ADD COLUMN identity_secret_sealed TEXT;
ALTER TABLE widget_configurations ADD COLUMN require_identity BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE widget_configurations ADD COLUMN pre_chat_form JSONB;

-- Conversations untouched for longer are purged; NULL keeps them.
ALTER TABLE organizations ADD COLUMN retention_days INTEGER
    CONSTRAINT organizations_retention_days_check CHECK (retention_days BETWEEN 1 AND 36500);

-- Who the visitor is: verified from an identity token, or what they typed into the pre-chat form.
ALTER TABLE chat_sessions ADD COLUMN visitor_verified BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE chat_sessions ADD COLUMN visitor_name VARCHAR(200);
ALTER TABLE chat_sessions ADD COLUMN visitor_email VARCHAR(254);
ALTER TABLE chat_sessions ADD COLUMN visitor_phone VARCHAR(32);
CREATE INDEX chat_sessions_org_visitor_idx ON chat_sessions (organization_id, visitor_id);

-- One lead per conversation (the pre-chat form).
CREATE TABLE leads (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    chat_session_id UUID NOT NULL UNIQUE REFERENCES chat_sessions(id) ON DELETE CASCADE,
    name VARCHAR(200),
    email VARCHAR(254),
    phone VARCHAR(32),
    consent BOOLEAN NOT NULL DEFAULT FALSE,
    consent_text TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- One rating per conversation: the unique key makes a second one a 409.
CREATE TABLE ratings (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    chat_session_id UUID NOT NULL UNIQUE REFERENCES chat_sessions(id) ON DELETE CASCADE,
    score SMALLINT NOT NULL,
    comment TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ratings_score_check CHECK (score BETWEEN 1 AND 5)
);
