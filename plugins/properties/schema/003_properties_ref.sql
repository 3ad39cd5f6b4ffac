-- Partner feeds and MLS exports carry references longer than 40 characters
-- (agency prefix + portal id); 64 matches deals.ref, and the unique key stays small.
ALTER TABLE properties MODIFY ref VARCHAR(64) NOT NULL;
