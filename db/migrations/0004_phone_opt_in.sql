-- Phone calls are opt-in (SPEC v2.1): a new widget offers browser calls only, and a widget that
-- places phone calls names the countries it may ring. Existing widgets keep their voice mode but
-- get no countries, so no phone call is placed until their owner picks some.
ALTER TABLE widget_configurations ALTER COLUMN voice_mode SET DEFAULT 'web';
ALTER TABLE widget_configurations ADD COLUMN phone_countries TEXT[] NOT NULL DEFAULT '{}';
