-- deals_totals (002) served the board's counts and sums until the
-- deal_stage_totals table (003, 004) took them over: no statement reads it
-- any more, and every stage move, value or agent change still rewrote it.
ALTER TABLE deals DROP INDEX deals_totals;
