-- The kyero plugin's tables: the tenant's import feeds, their runs, the
-- listings each feed delivers, and the tenant's portal connections (the
-- secret token of each published feed, stored hashed).

CREATE TABLE kyero_feeds (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  name VARCHAR(100) NOT NULL,
  -- NULL for a feed imported from uploaded files only
  url VARCHAR(1000) NULL,
  frequency ENUM('hourly','daily','manual') NOT NULL DEFAULT 'daily',
  -- commission in basis points (250 = 2.5 %)
  commission_bp INT NULL,
  agent_id BIGINT NULL,
  removal ENUM('removed_by_feed','off_market','ignore') NOT NULL DEFAULT 'removed_by_feed',
  -- the validators of the last fetched copy: an unchanged feed costs one request
  etag VARCHAR(255) NULL,
  last_modified VARCHAR(64) NULL,
  failures INT NOT NULL DEFAULT 0,
  last_run_id BIGINT NULL,
  created_by BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per import run. A run is written 'running' before the import's
-- transaction starts, so a killed run stays visible (and is marked failed
-- by the next run of its feed).
CREATE TABLE kyero_runs (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  feed_id BIGINT NOT NULL,
  status ENUM('running','ok','unchanged','failed') NOT NULL DEFAULT 'running',
  source VARCHAR(1000) NULL,
  received INT NOT NULL DEFAULT 0,
  created INT NOT NULL DEFAULT 0,
  updated INT NOT NULL DEFAULT 0,
  unchanged INT NOT NULL DEFAULT 0,
  withdrawn INT NOT NULL DEFAULT 0,
  rejected INT NOT NULL DEFAULT 0,
  error VARCHAR(500) NULL,
  error_line INT NULL,
  error_column INT NULL,
  -- {"rejected": [{"id", "ref", "reason"}], "conflicts": [...], "unknown_types": [...]}
  report LONGTEXT NULL,
  started_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  finished_at DATETIME(3) NULL,
  duration_ms INT NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, feed_id, id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The listings a feed delivers: the feed's id for each, its <date> (an
-- unchanged date leaves the listing untouched), the run that last saw it
-- (those a complete run did not see are withdrawn), and the Kyero elements
-- the properties table has no column for.
CREATE TABLE kyero_items (
  tenant_id BIGINT NOT NULL,
  feed_id BIGINT NOT NULL,
  source_id VARCHAR(100) NOT NULL,
  property_id BIGINT NOT NULL,
  feed_date VARCHAR(19) NOT NULL,
  last_run_id BIGINT NOT NULL,
  part_ownership TINYINT(1) NULL,
  leasehold TINYINT(1) NULL,
  pool TINYINT(1) NULL,
  prime TINYINT(1) NULL,
  catastral VARCHAR(100) NULL,
  email VARCHAR(255) NULL,
  contact_number VARCHAR(64) NULL,
  whatsapp_number VARCHAR(64) NULL,
  -- {"en": "https://..."}: the listing's page per language
  urls LONGTEXT NULL,
  -- a hash of the image URLs in order: photos are replaced only when it changes
  images_sig CHAR(16) NULL,
  PRIMARY KEY (tenant_id, feed_id, source_id),
  UNIQUE KEY (tenant_id, property_id),
  KEY (tenant_id, feed_id, last_run_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A tenant's connection to a portal this install publishes to: the feed
-- token (SHA-256 hex) that makes the feed's URL secret.
CREATE TABLE kyero_portal_connections (
  tenant_id BIGINT NOT NULL,
  portal VARCHAR(32) NOT NULL,
  token_hash CHAR(64) NOT NULL,
  -- the portal's customer code or other credentials (JSON)
  settings LONGTEXT NULL,
  connected_by BIGINT NULL,
  connected_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id, portal)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

INSERT IGNORE INTO property_portals (tenant_id, code, name, plugin) VALUES
  (0, 'kyero', 'Kyero', 'kyero'),
  (0, 'idealista', 'Idealista', 'kyero');
