-- A buy or rent deal's preferences also name areas, as a lead's do: its
-- matching properties are those in a chosen town, in a chosen area, or in a
-- town of a chosen area.
ALTER TABLE deal_preferences ADD COLUMN areas LONGTEXT NULL AFTER towns;
