-- SPEC v2.5: presentation options the owner stores on a widget (a page's own config still wins).
-- locale NULL: the visitor's browser decides. teaser NULL: no teaser bubble.
ALTER TABLE widget_configurations ADD COLUMN locale VARCHAR(35);
ALTER TABLE widget_configurations ADD COLUMN color_scheme VARCHAR(10) NOT NULL DEFAULT 'light';
ALTER TABLE widget_configurations ADD COLUMN hide_launcher BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE widget_configurations ADD COLUMN teaser JSONB;
-- When set, a call starts only after the visitor agreed to this text (EU recording notices).
ALTER TABLE widget_configurations ADD COLUMN voice_consent_text TEXT;

-- When the visitor agreed to the widget's consent text for this call; NULL when none was asked.
ALTER TABLE calls ADD COLUMN consent_at TIMESTAMPTZ;
