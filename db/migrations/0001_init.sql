-- Parley's first schema. The seed's three tables keep their columns; ids are UUIDs because widget
-- and session ids are public. Runs identically on PGlite and PostgreSQL 15+.

CREATE TABLE organizations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name VARCHAR(100) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE users (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email VARCHAR(254) NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE agents (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL,
    retell_agent_id VARCHAR(100),
    retell_chat_agent_id VARCHAR(100),
    from_number VARCHAR(20),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX agents_organization_idx ON agents (organization_id);

CREATE TABLE widget_configurations (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name VARCHAR(100) NOT NULL,
    agent_id UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    theme_color VARCHAR(20) NOT NULL DEFAULT '#0088FF',
    header_text VARCHAR(100) NOT NULL DEFAULT 'Chat with us',
    welcome_message TEXT,
    allowed_domains TEXT[] NOT NULL DEFAULT '{}',
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    position VARCHAR(20) NOT NULL DEFAULT 'bottom-right',
    width VARCHAR(20) NOT NULL DEFAULT '350px',
    height VARCHAR(20) NOT NULL DEFAULT '550px',
    auto_open BOOLEAN NOT NULL DEFAULT FALSE,
    voice_mode VARCHAR(10) NOT NULL DEFAULT 'both',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT widget_position_check CHECK (position IN ('bottom-right', 'bottom-left', 'top-right', 'top-left')),
    CONSTRAINT widget_voice_mode_check CHECK (voice_mode IN ('phone', 'web', 'both', 'off'))
);
CREATE INDEX widget_configurations_organization_idx ON widget_configurations (organization_id);

CREATE TABLE chat_sessions (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    agent_id UUID NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
    widget_id UUID REFERENCES widget_configurations(id) ON DELETE SET NULL,
    visitor_id VARCHAR(100) NOT NULL,
    status VARCHAR(20) NOT NULL DEFAULT 'active',
    mode VARCHAR(10) NOT NULL DEFAULT 'chat',
    retell_chat_id VARCHAR(100),
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    ended_at TIMESTAMPTZ,
    CONSTRAINT chat_sessions_status_check CHECK (status IN ('active', 'ended')),
    CONSTRAINT chat_sessions_mode_check CHECK (mode IN ('chat', 'voice'))
);
CREATE INDEX chat_sessions_org_created_idx ON chat_sessions (organization_id, created_at);
CREATE INDEX chat_sessions_widget_status_idx ON chat_sessions (widget_id, status, created_at);
CREATE INDEX chat_sessions_visitor_idx ON chat_sessions (widget_id, visitor_id, created_at);

CREATE TABLE chat_messages (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    seq BIGSERIAL NOT NULL UNIQUE,
    chat_session_id UUID NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
    sender_type VARCHAR(20) NOT NULL,
    message_type VARCHAR(20) NOT NULL,
    content TEXT NOT NULL,
    voice_url VARCHAR(1024),
    metadata JSONB NOT NULL DEFAULT '{}',
    client_message_id VARCHAR(100),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT chat_messages_sender_check CHECK (sender_type IN ('user', 'agent', 'system')),
    CONSTRAINT chat_messages_type_check CHECK (message_type IN ('text', 'voice', 'system'))
);
CREATE INDEX chat_messages_session_seq_idx ON chat_messages (chat_session_id, seq);
CREATE UNIQUE INDEX chat_messages_session_client_id_idx ON chat_messages (chat_session_id, client_message_id);

CREATE TABLE calls (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    chat_session_id UUID NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
    retell_call_id VARCHAR(100) UNIQUE,
    kind VARCHAR(10) NOT NULL,
    phone_number VARCHAR(20),
    status VARCHAR(20) NOT NULL DEFAULT 'connecting',
    started_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    transcript TEXT,
    recording_url VARCHAR(1024),
    summary TEXT,
    disconnection_reason VARCHAR(100),
    metadata JSONB NOT NULL DEFAULT '{}',
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT calls_kind_check CHECK (kind IN ('phone', 'web')),
    CONSTRAINT calls_status_check CHECK (status IN ('connecting', 'ongoing', 'ended', 'error'))
);
CREATE INDEX calls_session_idx ON calls (chat_session_id, created_at);
-- At most one call in progress per session: the database, not a race, decides the 409.
CREATE UNIQUE INDEX calls_one_active_idx ON calls (chat_session_id) WHERE status IN ('connecting', 'ongoing');
