-- The visitors of each widget and what proves each one: the SHA-256 of its `visitorKey` (the key
-- itself is only ever in the visitor's browser). A visitor belongs to the host name it was created
-- on; its key resumes it there and nowhere else, so a sibling subdomain cannot take it over.
CREATE TABLE visitors (
    widget_id UUID NOT NULL REFERENCES widget_configurations(id) ON DELETE CASCADE,
    id VARCHAR(100) NOT NULL,
    domain VARCHAR(253) NOT NULL,
    key_hash VARCHAR(64) NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (widget_id, id)
);
