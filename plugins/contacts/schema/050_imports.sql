-- CSV imports of leads, contacts and relations: the uploaded file, what was
-- detected in it, the column mapping, and the job's progress and report.
-- A batch of rows and the resume point after it are committed together, so
-- an import stopped anywhere resumes after its last whole batch.

CREATE TABLE contacts_imports (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  kind ENUM('leads','owner_leads','contacts','relations') NOT NULL,
  filename VARCHAR(255) NOT NULL DEFAULT '',
  -- large uploads are kept as a file under the storage folder, small ones here
  file_path VARCHAR(1024) NULL,
  content MEDIUMBLOB NULL,
  size BIGINT NOT NULL DEFAULT 0,
  encoding VARCHAR(16) NOT NULL,
  delimiter VARCHAR(4) NOT NULL,
  has_header TINYINT(1) NOT NULL DEFAULT 1,
  -- JSON: the file's column names, and {column: field or null}
  columns LONGTEXT NOT NULL,
  mapping LONGTEXT NOT NULL,
  duplicates ENUM('skip','update','create') NOT NULL DEFAULT 'skip',
  status ENUM('uploaded','queued','running','done','failed') NOT NULL DEFAULT 'uploaded',
  rows_total BIGINT NULL,
  rows_done BIGINT NOT NULL DEFAULT 0,
  created INT NOT NULL DEFAULT 0,
  updated INT NOT NULL DEFAULT 0,
  skipped INT NOT NULL DEFAULT 0,
  invalid INT NOT NULL DEFAULT 0,
  -- where the next batch starts: byte offset and line number in the file
  resume_offset BIGINT NOT NULL DEFAULT 0,
  resume_line BIGINT NOT NULL DEFAULT 1,
  error VARCHAR(500) NULL,
  created_by BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  started_at DATETIME NULL,
  finished_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The report: one line for each row that was not simply created (invalid,
-- skipped as a duplicate, updated), written in the row's batch.
CREATE TABLE contacts_import_rows (
  tenant_id BIGINT NOT NULL,
  import_id BIGINT NOT NULL,
  row_no BIGINT NOT NULL,
  line BIGINT NOT NULL,
  outcome ENUM('invalid','skipped','updated','created') NOT NULL,
  record_id BIGINT NULL,
  column_name VARCHAR(255) NULL,
  message VARCHAR(500) NULL,
  PRIMARY KEY (tenant_id, import_id, row_no)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Mappings saved for reuse: the next file from the same source maps itself.
CREATE TABLE contacts_import_mappings (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  kind ENUM('leads','owner_leads','contacts','relations') NOT NULL,
  name VARCHAR(100) NOT NULL,
  mapping LONGTEXT NOT NULL,
  created_by BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  UNIQUE KEY (tenant_id, kind, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
