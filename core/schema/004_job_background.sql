-- Background jobs: a job queued "once" (a coalescing drain such as lead
-- rescoring) runs after the ordinary jobs that are due, so an import's next
-- batch is not kept waiting behind the scoring it causes; after a minute of
-- waiting it goes first. jobs_due serves the runner's three ordered picks.
ALTER TABLE jobs ADD COLUMN background TINYINT NOT NULL DEFAULT 0 AFTER once_key,
  ADD KEY jobs_due (status, background, run_at, id);
