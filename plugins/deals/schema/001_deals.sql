-- The deals plugin's tables: deals on two fixed pipelines, their contacts and
-- properties, the stage history, search preferences of buy and rent deals,
-- and the tenant's settings. Money is BIGINT minor units, tenant_id first.

CREATE TABLE deals (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  seq BIGINT NOT NULL,
  ref VARCHAR(64) NOT NULL,
  name VARCHAR(100) NOT NULL,
  type ENUM('buy','sell','rent','rent_out') NOT NULL,
  pipeline ENUM('buyer','owner') NOT NULL,
  stage VARCHAR(32) NOT NULL,
  value BIGINT NOT NULL DEFAULT 0,
  currency CHAR(3) NOT NULL DEFAULT 'EUR',
  commission_percent DOUBLE NULL,
  commission_amount BIGINT NULL,
  expected_close_date DATE NULL,
  probability TINYINT UNSIGNED NOT NULL,
  lost_reason VARCHAR(500) NULL,
  agent_id BIGINT NULL,
  custom LONGTEXT NULL,
  closed_at DATETIME NULL,
  stage_changed_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  created_by BIGINT NULL,
  updated_by BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  UNIQUE KEY (tenant_id, seq),
  KEY (tenant_id, ref),
  -- the board: counts and sums per stage, then the newest cards per stage
  KEY deals_board (tenant_id, pipeline, deleted_at, stage, stage_changed_at, value),
  KEY (tenant_id, deleted_at, id),
  KEY (tenant_id, agent_id, deleted_at),
  KEY (tenant_id, expected_close_date)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Exactly one main contact per deal: the API checks it, and main_of (set only
-- for the main row) makes a second main impossible even for a racing request.
CREATE TABLE deal_contacts (
  tenant_id BIGINT NOT NULL,
  deal_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL,
  kind ENUM('main','co') NOT NULL,
  main_of BIGINT AS (IF(kind = 'main', deal_id, NULL)) PERSISTENT,
  PRIMARY KEY (tenant_id, deal_id, contact_id),
  UNIQUE KEY (tenant_id, main_of),
  KEY (tenant_id, contact_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Several properties per deal, at most one primary (the same device).
CREATE TABLE deal_properties (
  tenant_id BIGINT NOT NULL,
  deal_id BIGINT NOT NULL,
  property_id BIGINT NOT NULL,
  is_primary TINYINT(1) NOT NULL DEFAULT 0,
  primary_of BIGINT AS (IF(is_primary = 1, deal_id, NULL)) PERSISTENT,
  PRIMARY KEY (tenant_id, deal_id, property_id),
  UNIQUE KEY (tenant_id, primary_of),
  KEY (tenant_id, property_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every stage a deal entered, appended, never updated (from is NULL at creation).
CREATE TABLE deal_stage_history (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  deal_id BIGINT NOT NULL,
  pipeline ENUM('buyer','owner') NOT NULL,
  from_stage VARCHAR(32) NULL,
  to_stage VARCHAR(32) NOT NULL,
  lost_reason VARCHAR(500) NULL,
  user_id BIGINT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, deal_id, id),
  KEY (tenant_id, pipeline, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- What a buy or rent deal looks for; the same fields as a lead's preferences
-- (copied from the main contact when the deal is created without them).
CREATE TABLE deal_preferences (
  tenant_id BIGINT NOT NULL,
  deal_id BIGINT NOT NULL,
  transaction ENUM('sale','rent') NULL,
  property_types LONGTEXT NULL,
  towns LONGTEXT NULL,
  required_tags LONGTEXT NULL,
  budget_min BIGINT NULL,
  budget_max BIGINT NULL,
  area_min INT NULL,
  area_max INT NULL,
  bedrooms_min INT NULL,
  bathrooms_min INT NULL,
  PRIMARY KEY (tenant_id, deal_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Per tenant: reference numbers (prefix, zero padding, suffix, the last
-- number used) and whether winning a sale marks its primary property sold.
CREATE TABLE deal_settings (
  tenant_id BIGINT NOT NULL,
  ref_prefix VARCHAR(16) NOT NULL DEFAULT 'D-',
  ref_padding TINYINT UNSIGNED NOT NULL DEFAULT 5,
  ref_suffix VARCHAR(16) NOT NULL DEFAULT '',
  last_seq BIGINT NOT NULL DEFAULT 0,
  sold_on_won TINYINT(1) NOT NULL DEFAULT 1,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
