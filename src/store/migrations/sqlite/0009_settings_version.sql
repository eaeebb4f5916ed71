-- 0009_settings_version: instance settings edited at run time (issue 4).
-- Every write of instances.settings bumps settings_version (a compare-and-set
-- on it keeps concurrent edits from losing each other), and servers sharing
-- the database re-read the settings when the version they cached moved.

ALTER TABLE instances ADD COLUMN settings_version BIGINT NOT NULL DEFAULT 0;
