-- Lua scripting and integrations: tenants' scripts with every version kept,
-- the active scorer, engagement signals, score history, workflow runs,
-- webhooks with their deliveries, and custom field definitions and values.

-- One row per version, never changed: the highest version of a name is
-- the one in effect, and a rollback adds a version with the old code.
CREATE TABLE lua_scripts (
  tenant_id BIGINT NOT NULL,
  name VARCHAR(64) NOT NULL,
  version INT NOT NULL,
  kind ENUM('scorer','workflow','fields') NOT NULL,
  code MEDIUMTEXT NOT NULL,
  created_by BIGINT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (tenant_id, name, version)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The tenant's Lua settings; version grows on every script change so each
-- worker rebuilds its state for the tenant at the next request.
CREATE TABLE lua_tenants (
  tenant_id BIGINT NOT NULL PRIMARY KEY,
  version BIGINT NOT NULL DEFAULT 1,
  active_scorer VARCHAR(64) NOT NULL DEFAULT 'scoring'
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Counters scripts keep through tesoro.counter (round-robin assignment).
CREATE TABLE lua_counters (
  tenant_id BIGINT NOT NULL,
  name VARCHAR(64) NOT NULL,
  value BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every workflow run and script failure, for the script-errors page.
CREATE TABLE lua_runs (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  script VARCHAR(64) NOT NULL,
  event VARCHAR(64) NOT NULL,
  outcome ENUM('ok','error') NOT NULL,
  error VARCHAR(1000) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, outcome, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Engagement signals of a lead: email_open, email_click, web_visit,
-- property_view, reply, viewing_request, info_request, inbound_contact.
CREATE TABLE signals (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  contact_id BIGINT NOT NULL,
  kind VARCHAR(32) NOT NULL,
  meta LONGTEXT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, contact_id, kind, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE score_history (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  contact_id BIGINT NOT NULL,
  score INT NOT NULL,
  temperature ENUM('hot','warm','cold') NOT NULL,
  reasons LONGTEXT NULL,
  script VARCHAR(64) NOT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, contact_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Outgoing webhooks: events is a space-separated list ("*" for all).
CREATE TABLE webhooks (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  name VARCHAR(100) NOT NULL,
  url VARCHAR(2000) NOT NULL,
  events VARCHAR(2000) NOT NULL,
  secret VARCHAR(200) NULL,
  active TINYINT(1) NOT NULL DEFAULT 1,
  created_by BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per event sent to a webhook; attempts are retried after 1 min,
-- 5 min, 30 min and 2 h, then the delivery is failed until retried by hand.
CREATE TABLE webhook_deliveries (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  webhook_id BIGINT NOT NULL,
  event VARCHAR(64) NOT NULL,
  body LONGTEXT NOT NULL,
  status ENUM('pending','delivered','failed') NOT NULL DEFAULT 'pending',
  attempts INT NOT NULL DEFAULT 0,
  response_status INT NULL,
  last_error VARCHAR(1000) NULL,
  next_attempt_at DATETIME NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  delivered_at DATETIME(6) NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, webhook_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Custom field definitions per record kind (from fields scripts); values
-- live in the records' own custom JSON column or in custom_field_values for
-- kinds without one.
CREATE TABLE custom_fields (
  tenant_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  field_key VARCHAR(64) NOT NULL,
  type VARCHAR(16) NOT NULL,
  definition LONGTEXT NOT NULL,
  script VARCHAR(64) NOT NULL,
  PRIMARY KEY (tenant_id, kind, field_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE custom_field_values (
  tenant_id BIGINT NOT NULL,
  kind VARCHAR(16) NOT NULL,
  entity_id BIGINT NOT NULL,
  field_key VARCHAR(64) NOT NULL,
  value LONGTEXT NULL,
  PRIMARY KEY (tenant_id, kind, entity_id, field_key),
  KEY (tenant_id, kind, field_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
