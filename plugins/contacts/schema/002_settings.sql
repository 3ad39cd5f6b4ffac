-- Per-tenant settings of the contacts module. agents_see_all = 1 lets agents
-- see and edit every lead and contact, not only their own and unassigned ones.
CREATE TABLE contacts_settings (
  tenant_id BIGINT NOT NULL,
  agents_see_all TINYINT(1) NOT NULL DEFAULT 0,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
