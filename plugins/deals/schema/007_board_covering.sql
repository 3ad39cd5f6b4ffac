-- The board's cards read deals_board alone: after the stage and the card
-- order (stage_changed_at, then id, written out so the order needs no sort)
-- it holds the agent (the agent=me filter) and everything a card shows, so
-- each column's 50 newest cards are one index range, without a row lookup.
ALTER TABLE deals DROP INDEX deals_board,
  ADD KEY deals_board (tenant_id, pipeline, deleted_at, stage, stage_changed_at, id, agent_id,
                       value, currency, ref, name);
