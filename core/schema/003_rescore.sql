-- Coalesced lead rescoring: events that change a scoring input add the lead
-- here (INSERT IGNORE, so a lead waits once however many events name it);
-- one lead.rescore drain job per tenant scores the waiting leads in batches
-- and deletes their rows.
CREATE TABLE rescore_pending (
  tenant_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id, contact_id),
  KEY (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A job queued "once": while one with the same key waits for the runner, a
-- second is not queued (INSERT IGNORE on the key). The runner clears the key
-- when it takes the job, so work arriving during the run queues the next one.
ALTER TABLE jobs ADD COLUMN once_key VARCHAR(64) NULL AFTER kind,
  ADD UNIQUE KEY jobs_once (tenant_id, once_key);
