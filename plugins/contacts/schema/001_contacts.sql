-- The contacts plugin's tables: leads and contacts (one table: converting a
-- lead keeps its id and history), relations (companies), and the generic
-- tags, activities and saved views that properties and deals reuse.
-- Tenant-owned rows lead with tenant_id; money is BIGINT minor units.

CREATE TABLE contacts (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  kind ENUM('lead','contact') NOT NULL DEFAULT 'lead',
  type ENUM('buyer','owner') NULL,
  status ENUM('prospect','qualified','negotiating','won','lost') NOT NULL DEFAULT 'prospect',
  source VARCHAR(32) NULL,
  source_portal VARCHAR(64) NULL,
  stage ENUM('hot','neutral','cold') NOT NULL DEFAULT 'neutral',
  urgency ENUM('low','medium','high') NULL,
  timeframe VARCHAR(64) NULL,
  move_in_date DATE NULL,
  salutation VARCHAR(32) NULL,
  first_name VARCHAR(100) NOT NULL DEFAULT '',
  last_name VARCHAR(100) NOT NULL DEFAULT '',
  email VARCHAR(254) NULL,
  email_norm VARCHAR(254) NULL,
  phone VARCHAR(40) NULL,
  phone_norm VARCHAR(40) NULL,
  company VARCHAR(200) NULL,
  job_title VARCHAR(100) NULL,
  language VARCHAR(8) NULL,
  nationality VARCHAR(2) NULL,
  id_document_type VARCHAR(32) NULL,
  id_document_number VARCHAR(64) NULL,
  birthday DATE NULL,
  website VARCHAR(255) NULL,
  notes TEXT NULL,
  -- preferences: JSON with property_types, towns, areas, required_tags,
  -- the numbers are columns so lists can filter and sort on them.
  preferences LONGTEXT NULL,
  transaction ENUM('sale','rent') NULL,
  budget_min BIGINT NULL,
  budget_max BIGINT NULL,
  currency CHAR(3) NOT NULL DEFAULT 'EUR',
  area_min INT NULL,
  area_max INT NULL,
  bedrooms_min INT NULL,
  bathrooms_min INT NULL,
  -- communication preferences: JSON {"email":true,"phone":false,...}
  communication LONGTEXT NULL,
  score INT NULL,
  score_reasons LONGTEXT NULL,
  scored_at DATETIME NULL,
  custom LONGTEXT NULL,
  agent_id BIGINT NULL,
  converted_at DATETIME NULL,
  merged_into BIGINT NULL,
  erased_at DATETIME NULL,
  created_by BIGINT NULL,
  updated_by BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, kind, deleted_at, id),
  KEY (tenant_id, email_norm),
  KEY (tenant_id, phone_norm),
  KEY (tenant_id, agent_id),
  KEY (tenant_id, status),
  KEY (tenant_id, score),
  KEY (tenant_id, updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A contact's several phones and emails, each with a label.
CREATE TABLE contact_channels (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  contact_id BIGINT NOT NULL,
  kind ENUM('email','phone') NOT NULL,
  label VARCHAR(32) NOT NULL DEFAULT '',
  value VARCHAR(254) NOT NULL,
  value_norm VARCHAR(254) NOT NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, contact_id),
  KEY (tenant_id, kind, value_norm)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE contact_addresses (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  contact_id BIGINT NULL,
  relation_id BIGINT NULL,
  label VARCHAR(32) NOT NULL DEFAULT '',
  street VARCHAR(200) NULL,
  postal_code VARCHAR(16) NULL,
  city VARCHAR(100) NULL,
  province VARCHAR(100) NULL,
  country VARCHAR(2) NULL,
  latitude DECIMAL(9,6) NULL,
  longitude DECIMAL(9,6) NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, contact_id),
  KEY (tenant_id, relation_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Several roles per contact: buyer, seller, tenant, landlord, lawyer, notary,
-- architect, agent, accountant, other.
CREATE TABLE contact_roles (
  tenant_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL,
  role VARCHAR(32) NOT NULL,
  PRIMARY KEY (tenant_id, contact_id, role),
  KEY (tenant_id, role)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Consent changes are appended, never updated: the log is the proof.
CREATE TABLE contact_consents (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  contact_id BIGINT NOT NULL,
  purpose VARCHAR(64) NOT NULL,
  granted TINYINT(1) NOT NULL,
  source VARCHAR(100) NOT NULL DEFAULT '',
  user_id BIGINT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, contact_id, purpose)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Companies: developers, banks, law firms, owners, ...
CREATE TABLE relations (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  name VARCHAR(200) NOT NULL,
  type VARCHAR(32) NOT NULL DEFAULT 'other',
  status ENUM('active','inactive','prospect') NOT NULL DEFAULT 'active',
  email VARCHAR(254) NULL,
  email_norm VARCHAR(254) NULL,
  phone VARCHAR(40) NULL,
  phone_norm VARCHAR(40) NULL,
  website VARCHAR(255) NULL,
  social LONGTEXT NULL,
  vat_number VARCHAR(32) NULL,
  credit_terms VARCHAR(200) NULL,
  commission_agreement VARCHAR(500) NULL,
  contract_details TEXT NULL,
  notes TEXT NULL,
  custom LONGTEXT NULL,
  agent_id BIGINT NULL,
  created_by BIGINT NULL,
  updated_by BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, deleted_at, id),
  KEY (tenant_id, email_norm),
  KEY (tenant_id, phone_norm),
  KEY (tenant_id, type)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The people of a relation, with their function there.
CREATE TABLE relation_persons (
  tenant_id BIGINT NOT NULL,
  relation_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL,
  `function` VARCHAR(100) NOT NULL DEFAULT '',
  PRIMARY KEY (tenant_id, relation_id, contact_id),
  KEY (tenant_id, contact_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Tags on any record: entity is 'contact', 'relation', 'property', 'deal'.
CREATE TABLE tags (
  tenant_id BIGINT NOT NULL,
  entity VARCHAR(16) NOT NULL,
  entity_id BIGINT NOT NULL,
  tag VARCHAR(64) NOT NULL,
  PRIMARY KEY (tenant_id, entity, entity_id, tag),
  KEY (tenant_id, entity, tag)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Activities on any record (entity as for tags): note, call, email,
-- whatsapp, sms, meeting, task.
CREATE TABLE activities (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  entity VARCHAR(16) NOT NULL,
  entity_id BIGINT NOT NULL,
  kind ENUM('note','call','email','whatsapp','sms','meeting','task','system') NOT NULL,
  direction ENUM('in','out') NULL,
  subject VARCHAR(255) NOT NULL DEFAULT '',
  body TEXT NULL,
  starts_at DATETIME NULL,
  duration_min INT NULL,
  due_at DATETIME NULL,
  remind_at DATETIME NULL,
  done_at DATETIME NULL,
  assigned_to BIGINT NULL,
  created_by BIGINT NULL,
  created_by_script VARCHAR(100) NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, entity, entity_id, created_at),
  KEY (tenant_id, kind, assigned_to, done_at, due_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Saved views: a named filter + columns + sort on a list ('leads',
-- 'contacts', 'relations', 'properties', 'deals'); personal or shared.
CREATE TABLE saved_views (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  list VARCHAR(32) NOT NULL,
  name VARCHAR(100) NOT NULL,
  owner_id BIGINT NOT NULL,
  shared TINYINT(1) NOT NULL DEFAULT 0,
  filters LONGTEXT NOT NULL,
  columns LONGTEXT NULL,
  sort VARCHAR(64) NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, list, owner_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
