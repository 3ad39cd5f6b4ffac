-- The board's counts and sums per currency: a EUR and a GBP deal are never
-- added together. The table gains the currency in its key, the triggers keep
-- it (a currency edit moves the deal between buckets), and it is refilled.
DROP TRIGGER IF EXISTS deals_totals_insert;
DROP TRIGGER IF EXISTS deals_totals_update;
DROP TRIGGER IF EXISTS deals_totals_delete;
DELETE FROM deal_stage_totals;
ALTER TABLE deal_stage_totals ADD COLUMN currency CHAR(3) NOT NULL DEFAULT 'EUR' AFTER agent_key,
  DROP PRIMARY KEY, ADD PRIMARY KEY (tenant_id, pipeline, stage, agent_key, currency);

CREATE TRIGGER deals_totals_insert AFTER INSERT ON deals FOR EACH ROW
  INSERT INTO deal_stage_totals (tenant_id, pipeline, stage, agent_key, currency, n, total, weighted)
  SELECT NEW.tenant_id, NEW.pipeline, NEW.stage, IFNULL(NEW.agent_id, 0), NEW.currency, 1,
         NEW.value, CAST(NEW.value AS DECIMAL(38,0)) * NEW.probability
  FROM DUAL WHERE NEW.deleted_at IS NULL
  ON DUPLICATE KEY UPDATE n = n + VALUES(n), total = total + VALUES(total),
    weighted = weighted + VALUES(weighted);

-- The old row leaves its bucket and the new one enters its own, in key order
-- so two opposite moves lock the same rows in the same order. Edits that
-- touch none of the counted columns change nothing.
CREATE TRIGGER deals_totals_update AFTER UPDATE ON deals FOR EACH ROW
  INSERT INTO deal_stage_totals (tenant_id, pipeline, stage, agent_key, currency, n, total, weighted)
  SELECT x.t, x.p, x.s, x.a, x.c, x.dn, x.v, x.w FROM (
    SELECT OLD.tenant_id AS t, OLD.pipeline AS p, OLD.stage AS s, IFNULL(OLD.agent_id, 0) AS a, OLD.currency AS c,
           -1 AS dn, -CAST(OLD.value AS DECIMAL(38,0)) AS v,
           -CAST(OLD.value AS DECIMAL(38,0)) * OLD.probability AS w
    FROM DUAL WHERE OLD.deleted_at IS NULL
    UNION ALL
    SELECT NEW.tenant_id, NEW.pipeline, NEW.stage, IFNULL(NEW.agent_id, 0), NEW.currency,
           1, CAST(NEW.value AS DECIMAL(38,0)), CAST(NEW.value AS DECIMAL(38,0)) * NEW.probability
    FROM DUAL WHERE NEW.deleted_at IS NULL) x
  WHERE NOT (OLD.tenant_id <=> NEW.tenant_id AND OLD.pipeline <=> NEW.pipeline
             AND OLD.stage <=> NEW.stage AND OLD.agent_id <=> NEW.agent_id
             AND OLD.currency <=> NEW.currency AND OLD.value <=> NEW.value AND OLD.probability <=> NEW.probability
             AND OLD.deleted_at IS NULL = NEW.deleted_at IS NULL)
  ORDER BY x.t, x.p, x.s, x.a, x.c
  ON DUPLICATE KEY UPDATE n = n + VALUES(n), total = total + VALUES(total),
    weighted = weighted + VALUES(weighted);

CREATE TRIGGER deals_totals_delete AFTER DELETE ON deals FOR EACH ROW
  INSERT INTO deal_stage_totals (tenant_id, pipeline, stage, agent_key, currency, n, total, weighted)
  SELECT OLD.tenant_id, OLD.pipeline, OLD.stage, IFNULL(OLD.agent_id, 0), OLD.currency, -1,
         -CAST(OLD.value AS DECIMAL(38,0)), -CAST(OLD.value AS DECIMAL(38,0)) * OLD.probability
  FROM DUAL WHERE OLD.deleted_at IS NULL
  ON DUPLICATE KEY UPDATE n = n + VALUES(n), total = total + VALUES(total),
    weighted = weighted + VALUES(weighted);

INSERT INTO deal_stage_totals (tenant_id, pipeline, stage, agent_key, currency, n, total, weighted)
  SELECT tenant_id, pipeline, stage, IFNULL(agent_id, 0), currency, COUNT(*), SUM(value),
         SUM(CAST(value AS DECIMAL(38,0)) * probability)
  FROM deals WHERE deleted_at IS NULL GROUP BY tenant_id, pipeline, stage, IFNULL(agent_id, 0), currency;
