-- The board: its counts and sums read one covering key per pipeline
-- (deals_totals), its newest cards of a stage another, where
-- (stage_changed_at, id) follow the stage so the key gives that order unsorted.
ALTER TABLE deals DROP INDEX deals_board,
  ADD KEY deals_board (tenant_id, pipeline, deleted_at, stage, stage_changed_at),
  ADD KEY deals_totals (tenant_id, pipeline, deleted_at, stage, agent_id, value, probability);
