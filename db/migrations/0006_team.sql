-- People in the loop (SPEC v2.3): users have a name and a role, teammates join by invitation, and
-- a session knows whether the AI or a person is handling it.

ALTER TABLE users ADD COLUMN name VARCHAR(100) NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN role VARCHAR(10) NOT NULL DEFAULT 'member';
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('owner', 'admin', 'member'));
-- Accounts made before roles: each organization's first user owns it, any later one administers.
UPDATE users SET name = split_part(email, '@', 1) WHERE name = '';
UPDATE users SET role = 'admin';
UPDATE users SET role = 'owner' WHERE id IN (
    SELECT DISTINCT ON (organization_id) id FROM users ORDER BY organization_id, created_at, id
);
-- One owner per organization, held by the database rather than by the routes.
CREATE UNIQUE INDEX users_one_owner_idx ON users (organization_id) WHERE role = 'owner';
CREATE INDEX users_organization_idx ON users (organization_id);

-- An invitation: only the token's SHA-256 is kept, so a database leak lets nobody join.
CREATE TABLE invites (
    id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id UUID NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email VARCHAR(254) NOT NULL,
    role VARCHAR(10) NOT NULL,
    token_hash VARCHAR(64) NOT NULL UNIQUE,
    invited_by UUID REFERENCES users(id) ON DELETE SET NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    accepted_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT invites_role_check CHECK (role IN ('admin', 'member'))
);
CREATE INDEX invites_organization_idx ON invites (organization_id, created_at);

ALTER TABLE chat_sessions ADD COLUMN handler VARCHAR(10) NOT NULL DEFAULT 'ai';
ALTER TABLE chat_sessions ADD CONSTRAINT chat_sessions_handler_check CHECK (handler IN ('ai', 'human'));
ALTER TABLE chat_sessions ADD COLUMN assignee_id UUID REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE chat_sessions ADD COLUMN handoff_requested_at TIMESTAMPTZ;
-- The last reply a person sent: "waiting for a human" is a handoff with no human reply since.
ALTER TABLE chat_sessions ADD COLUMN human_replied_at TIMESTAMPTZ;
CREATE INDEX chat_sessions_org_assignee_idx ON chat_sessions (organization_id, assignee_id);
