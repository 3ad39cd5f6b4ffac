-- The properties plugin's tables: listings, their status history, portal
-- publications, media, features, descriptions per language, projects, the
-- tenant's settings, and what matching and the public site need.
-- Tenant-owned rows lead with tenant_id; money is BIGINT minor units.
-- Catalogue tables (types, features, portals, transitions, areas) hold
-- built-in rows under tenant_id 0 that every tenant sees; a tenant's own rows
-- add to them or override them (read with tenant_id IN (0, tenant)).

CREATE TABLE properties (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  ref VARCHAR(40) NOT NULL,
  type VARCHAR(32) NOT NULL DEFAULT 'apartment',
  transaction ENUM('sale','long_term_rent','holiday_rent') NOT NULL DEFAULT 'sale',
  price BIGINT NULL,
  currency CHAR(3) NOT NULL DEFAULT 'EUR',
  -- rents: the period the price is for
  price_period ENUM('month','week','day','night') NULL,
  status ENUM('draft','in_progress','pending_approval','active','under_offer','negotiating',
              'reserved','under_contract','sold','rented','open_house','key_ready',
              'under_construction','off_market','cancelled','removed_by_feed')
         NOT NULL DEFAULT 'draft',
  address VARCHAR(255) NULL,
  -- the public site shows only town and area when set
  hide_address TINYINT(1) NOT NULL DEFAULT 1,
  town VARCHAR(100) NULL,
  area VARCHAR(100) NULL,
  province VARCHAR(100) NULL,
  country CHAR(2) NULL,
  postal_code VARCHAR(16) NULL,
  latitude DECIMAL(9,6) NULL,
  longitude DECIMAL(9,6) NULL,
  beds INT NULL,
  baths INT NULL,
  built_area INT NULL,
  plot_area INT NULL,
  terrace_area INT NULL,
  floor VARCHAR(16) NULL,
  year_built SMALLINT NULL,
  energy_consumption CHAR(1) NULL,
  energy_emissions CHAR(1) NULL,
  energy_consumption_value DECIMAL(8,2) NULL,
  energy_emissions_value DECIMAL(8,2) NULL,
  owner_id BIGINT NULL,
  agent_id BIGINT NULL,
  display_on_website TINYINT(1) NOT NULL DEFAULT 0,
  new_build TINYINT(1) NOT NULL DEFAULT 0,
  project_id BIGINT NULL,
  typology_id BIGINT NULL,
  -- commission: a percentage in basis points, or a fixed amount in minor units
  commission_bp INT NULL,
  commission_amount BIGINT NULL,
  video_url VARCHAR(500) NULL,
  virtual_tour_url VARCHAR(500) NULL,
  notes TEXT NULL,
  custom LONGTEXT NULL,
  published_at DATETIME NULL,
  web_views INT NOT NULL DEFAULT 0,
  lead_count INT NOT NULL DEFAULT 0,
  -- imported listings: the feed and the listing's id in it (upsert key)
  source_feed VARCHAR(64) NULL,
  source_id VARCHAR(100) NULL,
  -- completeness, kept up to date on every write so lists filter on it
  completeness TINYINT NOT NULL DEFAULT 0,
  missing SET('photos','descriptions','gps','beds','baths','area','price') NOT NULL DEFAULT '',
  created_by BIGINT NULL,
  updated_by BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  UNIQUE KEY (tenant_id, ref),
  UNIQUE KEY (tenant_id, source_feed, source_id),
  KEY (tenant_id, deleted_at, id),
  KEY (tenant_id, status, type, price),
  KEY (tenant_id, town),
  KEY (tenant_id, price),
  KEY (tenant_id, agent_id),
  KEY (tenant_id, owner_id),
  KEY (tenant_id, project_id),
  KEY (tenant_id, completeness),
  KEY (tenant_id, updated_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Every status change, with who, when and why.
CREATE TABLE property_status_history (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  property_id BIGINT NOT NULL,
  from_status VARCHAR(24) NULL,
  to_status VARCHAR(24) NOT NULL,
  reason VARCHAR(500) NULL,
  user_id BIGINT NULL,
  created_at DATETIME(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, property_id, created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Which status changes are allowed. '*' matches any status; the most
-- specific row of the tenant wins over the built-in rows (tenant_id 0).
-- No matching row means refused.
CREATE TABLE property_transitions (
  tenant_id BIGINT NOT NULL,
  from_status VARCHAR(24) NOT NULL,
  to_status VARCHAR(24) NOT NULL,
  allowed TINYINT(1) NOT NULL DEFAULT 1,
  needs_reason TINYINT(1) NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, from_status, to_status)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The portals a property can be published on. Publisher plugins add their
-- portal in their own migration (INSERT IGNORE ... tenant_id 0); a tenant
-- may add a portal of its own.
CREATE TABLE property_portals (
  tenant_id BIGINT NOT NULL,
  code VARCHAR(32) NOT NULL,
  name VARCHAR(100) NOT NULL,
  plugin VARCHAR(64) NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Publication periods per property and portal: the current one has no
-- unpublished_at (at most one, enforced by the generated column's key).
CREATE TABLE property_publications (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  property_id BIGINT NOT NULL,
  portal VARCHAR(32) NOT NULL,
  published_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  published_by BIGINT NULL,
  unpublished_at DATETIME NULL,
  unpublished_by BIGINT NULL,
  -- why it ended: 'user', 'status' (automatic on an unavailable status),
  -- 'hygiene' (the MLS status check), 'feed', 'deleted'
  unpublish_reason VARCHAR(16) NULL,
  current_portal VARCHAR(32) AS (IF(unpublished_at IS NULL, portal, NULL)) PERSISTENT,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  UNIQUE KEY (tenant_id, property_id, current_portal),
  KEY (tenant_id, portal, unpublished_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Photos, floor plans, documents (files under random names in the storage
-- directory) and video / virtual-tour links (url). A row belongs to a
-- property, or to a project or typology of new builds.
CREATE TABLE property_media (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  property_id BIGINT NULL,
  project_id BIGINT NULL,
  typology_id BIGINT NULL,
  kind ENUM('photo','document','video','virtual_tour') NOT NULL,
  is_floor_plan TINYINT(1) NOT NULL DEFAULT 0,
  is_main TINYINT(1) NOT NULL DEFAULT 0,
  position INT NOT NULL DEFAULT 0,
  -- the stored file: a random name; variants are <name>_<variant>.jpg
  storage_name VARCHAR(64) NULL,
  mime VARCHAR(64) NULL,
  size BIGINT NULL,
  width INT NULL,
  height INT NULL,
  original_name VARCHAR(255) NULL,
  url VARCHAR(1000) NULL,
  -- an imported photo's address in its feed
  source_url VARCHAR(1000) NULL,
  -- {"en": "Sea view", "es": "Vistas al mar"}
  captions LONGTEXT NULL,
  created_by BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  UNIQUE KEY (storage_name),
  KEY (tenant_id, property_id, kind, deleted_at, position),
  KEY (tenant_id, project_id),
  KEY (tenant_id, typology_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Title and text per language.
CREATE TABLE property_descriptions (
  tenant_id BIGINT NOT NULL,
  property_id BIGINT NOT NULL,
  lang VARCHAR(8) NOT NULL,
  title VARCHAR(255) NOT NULL DEFAULT '',
  text MEDIUMTEXT NULL,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id, property_id, lang)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Property types: a code with labels per language.
CREATE TABLE property_types (
  tenant_id BIGINT NOT NULL,
  code VARCHAR(32) NOT NULL,
  position INT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE property_type_labels (
  tenant_id BIGINT NOT NULL,
  code VARCHAR(32) NOT NULL,
  lang VARCHAR(8) NOT NULL,
  label VARCHAR(100) NOT NULL,
  PRIMARY KEY (tenant_id, code, lang)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- The feature catalogue (tenant-editable) with labels per language, and
-- the features each property has.
CREATE TABLE property_feature_catalog (
  tenant_id BIGINT NOT NULL,
  code VARCHAR(48) NOT NULL,
  category VARCHAR(32) NOT NULL DEFAULT 'general',
  position INT NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE property_feature_labels (
  tenant_id BIGINT NOT NULL,
  code VARCHAR(48) NOT NULL,
  lang VARCHAR(8) NOT NULL,
  label VARCHAR(100) NOT NULL,
  PRIMARY KEY (tenant_id, code, lang)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE property_features (
  tenant_id BIGINT NOT NULL,
  property_id BIGINT NOT NULL,
  code VARCHAR(48) NOT NULL,
  PRIMARY KEY (tenant_id, property_id, code),
  KEY (tenant_id, code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- One row per tenant; absent means the defaults below. Reference numbers:
-- prefix + next number padded with zeros + suffix; changing them renumbers
-- nothing already issued.
CREATE TABLE property_settings (
  tenant_id BIGINT NOT NULL,
  ref_prefix VARCHAR(16) NOT NULL DEFAULT 'P',
  ref_next BIGINT NOT NULL DEFAULT 1,
  ref_padding TINYINT NOT NULL DEFAULT 5,
  ref_suffix VARCHAR(16) NOT NULL DEFAULT '',
  enforce_transitions TINYINT(1) NOT NULL DEFAULT 1,
  auto_depublish TINYINT(1) NOT NULL DEFAULT 1,
  match_tolerance_pct TINYINT NOT NULL DEFAULT 10,
  min_photos TINYINT NOT NULL DEFAULT 5,
  -- the agency's languages, comma-separated: descriptions are expected in each
  languages VARCHAR(64) NOT NULL DEFAULT 'en,es',
  map_tile_url VARCHAR(255) NOT NULL DEFAULT 'https://tile.openstreetmap.org/{z}/{x}/{y}.png',
  updated_by BIGINT NULL,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Matching: areas contain towns; aliases are other spellings of a town.
CREATE TABLE property_area_towns (
  tenant_id BIGINT NOT NULL,
  area VARCHAR(100) NOT NULL,
  town VARCHAR(100) NOT NULL,
  PRIMARY KEY (tenant_id, area, town),
  KEY (tenant_id, town)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE property_town_aliases (
  tenant_id BIGINT NOT NULL,
  alias VARCHAR(100) NOT NULL,
  town VARCHAR(100) NOT NULL,
  PRIMARY KEY (tenant_id, alias)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- A property a lead's agent dismissed: never offered to that lead again.
CREATE TABLE property_match_dismissals (
  tenant_id BIGINT NOT NULL,
  contact_id BIGINT NOT NULL,
  property_id BIGINT NOT NULL,
  user_id BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id, contact_id, property_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- "New matches" for agents: a property became active or its price dropped
-- and now fits a lead.
CREATE TABLE property_match_feed (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  contact_id BIGINT NOT NULL,
  property_id BIGINT NOT NULL,
  agent_id BIGINT NULL,
  reason ENUM('activated','price_drop') NOT NULL,
  exact TINYINT(1) NOT NULL DEFAULT 0,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  seen_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  KEY (tenant_id, agent_id, seen_at, id),
  KEY (tenant_id, contact_id, property_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Hard delete asks for a token first; the token names exactly the ids.
CREATE TABLE property_delete_tokens (
  tenant_id BIGINT NOT NULL,
  token_hash CHAR(64) NOT NULL,
  user_id BIGINT NOT NULL,
  ids LONGTEXT NOT NULL,
  expires_at DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, token_hash)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Web views from the public site: one per visitor and property per hour.
CREATE TABLE property_web_views (
  tenant_id BIGINT NOT NULL,
  property_id BIGINT NOT NULL,
  visitor CHAR(64) NOT NULL,
  hour_start DATETIME NOT NULL,
  PRIMARY KEY (tenant_id, property_id, visitor, hour_start),
  KEY (tenant_id, hour_start)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- New-build projects: the properties with project_id are its units,
-- typologies group units of one design.
CREATE TABLE property_projects (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  name VARCHAR(200) NOT NULL,
  developer_id BIGINT NULL,
  type VARCHAR(32) NULL,
  availability VARCHAR(32) NOT NULL DEFAULT 'available',
  total_units INT NULL,
  price_list_url VARCHAR(500) NULL,
  documents_url VARCHAR(500) NULL,
  virtual_tour_url VARCHAR(500) NULL,
  latitude DECIMAL(9,6) NULL,
  longitude DECIMAL(9,6) NULL,
  -- {"en": {"title": "...", "text": "..."}, ...}
  descriptions LONGTEXT NULL,
  created_by BIGINT NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  updated_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  deleted_at DATETIME NULL,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  UNIQUE KEY (tenant_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

CREATE TABLE property_typologies (
  tenant_id BIGINT NOT NULL,
  id BIGINT NOT NULL AUTO_INCREMENT,
  project_id BIGINT NOT NULL,
  name VARCHAR(100) NOT NULL,
  colour VARCHAR(16) NULL,
  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  PRIMARY KEY (tenant_id, id),
  KEY (id),
  UNIQUE KEY (tenant_id, project_id, name)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

-- Built-in property types and their labels.
INSERT INTO property_types (tenant_id, code, position) VALUES
  (0, 'apartment', 0),
  (0, 'ground_floor_apartment', 10),
  (0, 'villa', 20),
  (0, 'townhouse', 30),
  (0, 'penthouse', 40),
  (0, 'duplex', 50),
  (0, 'studio', 60),
  (0, 'detached', 70),
  (0, 'semi_detached', 80),
  (0, 'terraced', 90),
  (0, 'bungalow', 100),
  (0, 'country_house', 110),
  (0, 'finca', 120),
  (0, 'cave_house', 130),
  (0, 'plot', 140),
  (0, 'commercial', 150),
  (0, 'office', 160),
  (0, 'warehouse', 170),
  (0, 'garage', 180),
  (0, 'storage', 190),
  (0, 'building', 200),
  (0, 'hotel', 210);
INSERT INTO property_type_labels (tenant_id, code, lang, label) VALUES
  (0, 'apartment', 'en', 'Apartment'),
  (0, 'apartment', 'es', 'Apartamento'),
  (0, 'apartment', 'nl', 'Appartement'),
  (0, 'apartment', 'de', 'Wohnung'),
  (0, 'apartment', 'fr', 'Appartement'),
  (0, 'ground_floor_apartment', 'en', 'Ground-floor apartment'),
  (0, 'ground_floor_apartment', 'es', 'Planta baja'),
  (0, 'ground_floor_apartment', 'nl', 'Benedenwoning'),
  (0, 'ground_floor_apartment', 'de', 'Erdgeschosswohnung'),
  (0, 'ground_floor_apartment', 'fr', 'Rez-de-chaussée'),
  (0, 'villa', 'en', 'Villa'),
  (0, 'villa', 'es', 'Villa'),
  (0, 'villa', 'nl', 'Villa'),
  (0, 'villa', 'de', 'Villa'),
  (0, 'villa', 'fr', 'Villa'),
  (0, 'townhouse', 'en', 'Townhouse'),
  (0, 'townhouse', 'es', 'Casa adosada'),
  (0, 'townhouse', 'nl', 'Herenhuis'),
  (0, 'townhouse', 'de', 'Stadthaus'),
  (0, 'townhouse', 'fr', 'Maison de ville'),
  (0, 'penthouse', 'en', 'Penthouse'),
  (0, 'penthouse', 'es', 'Ático'),
  (0, 'penthouse', 'nl', 'Penthouse'),
  (0, 'penthouse', 'de', 'Penthouse'),
  (0, 'penthouse', 'fr', 'Penthouse'),
  (0, 'duplex', 'en', 'Duplex'),
  (0, 'duplex', 'es', 'Dúplex'),
  (0, 'duplex', 'nl', 'Duplex'),
  (0, 'duplex', 'de', 'Maisonette'),
  (0, 'duplex', 'fr', 'Duplex'),
  (0, 'studio', 'en', 'Studio'),
  (0, 'studio', 'es', 'Estudio'),
  (0, 'studio', 'nl', 'Studio'),
  (0, 'studio', 'de', 'Studio'),
  (0, 'studio', 'fr', 'Studio'),
  (0, 'detached', 'en', 'Detached house'),
  (0, 'detached', 'es', 'Casa independiente'),
  (0, 'detached', 'nl', 'Vrijstaande woning'),
  (0, 'detached', 'de', 'Einfamilienhaus'),
  (0, 'detached', 'fr', 'Maison individuelle'),
  (0, 'semi_detached', 'en', 'Semi-detached house'),
  (0, 'semi_detached', 'es', 'Casa pareada'),
  (0, 'semi_detached', 'nl', 'Twee-onder-een-kap'),
  (0, 'semi_detached', 'de', 'Doppelhaushälfte'),
  (0, 'semi_detached', 'fr', 'Maison jumelée'),
  (0, 'terraced', 'en', 'Terraced house'),
  (0, 'terraced', 'es', 'Casa en hilera'),
  (0, 'terraced', 'nl', 'Rijtjeshuis'),
  (0, 'terraced', 'de', 'Reihenhaus'),
  (0, 'terraced', 'fr', 'Maison mitoyenne'),
  (0, 'bungalow', 'en', 'Bungalow'),
  (0, 'bungalow', 'es', 'Bungalow'),
  (0, 'bungalow', 'nl', 'Bungalow'),
  (0, 'bungalow', 'de', 'Bungalow'),
  (0, 'bungalow', 'fr', 'Bungalow'),
  (0, 'country_house', 'en', 'Country house'),
  (0, 'country_house', 'es', 'Casa de campo'),
  (0, 'country_house', 'nl', 'Landhuis'),
  (0, 'country_house', 'de', 'Landhaus'),
  (0, 'country_house', 'fr', 'Maison de campagne'),
  (0, 'finca', 'en', 'Finca'),
  (0, 'finca', 'es', 'Finca'),
  (0, 'finca', 'nl', 'Finca'),
  (0, 'finca', 'de', 'Finca'),
  (0, 'finca', 'fr', 'Finca'),
  (0, 'cave_house', 'en', 'Cave house'),
  (0, 'cave_house', 'es', 'Casa cueva'),
  (0, 'cave_house', 'nl', 'Grotwoning'),
  (0, 'cave_house', 'de', 'Höhlenhaus'),
  (0, 'cave_house', 'fr', 'Maison troglodyte'),
  (0, 'plot', 'en', 'Plot'),
  (0, 'plot', 'es', 'Parcela'),
  (0, 'plot', 'nl', 'Bouwgrond'),
  (0, 'plot', 'de', 'Grundstück'),
  (0, 'plot', 'fr', 'Terrain'),
  (0, 'commercial', 'en', 'Commercial'),
  (0, 'commercial', 'es', 'Local comercial'),
  (0, 'commercial', 'nl', 'Bedrijfspand'),
  (0, 'commercial', 'de', 'Gewerbe'),
  (0, 'commercial', 'fr', 'Local commercial'),
  (0, 'office', 'en', 'Office'),
  (0, 'office', 'es', 'Oficina'),
  (0, 'office', 'nl', 'Kantoor'),
  (0, 'office', 'de', 'Büro'),
  (0, 'office', 'fr', 'Bureau'),
  (0, 'warehouse', 'en', 'Warehouse'),
  (0, 'warehouse', 'es', 'Nave'),
  (0, 'warehouse', 'nl', 'Magazijn'),
  (0, 'warehouse', 'de', 'Lager'),
  (0, 'warehouse', 'fr', 'Entrepôt'),
  (0, 'garage', 'en', 'Garage'),
  (0, 'garage', 'es', 'Garaje'),
  (0, 'garage', 'nl', 'Garage'),
  (0, 'garage', 'de', 'Garage'),
  (0, 'garage', 'fr', 'Garage'),
  (0, 'storage', 'en', 'Storage room'),
  (0, 'storage', 'es', 'Trastero'),
  (0, 'storage', 'nl', 'Berging'),
  (0, 'storage', 'de', 'Abstellraum'),
  (0, 'storage', 'fr', 'Débarras'),
  (0, 'building', 'en', 'Building'),
  (0, 'building', 'es', 'Edificio'),
  (0, 'building', 'nl', 'Gebouw'),
  (0, 'building', 'de', 'Gebäude'),
  (0, 'building', 'fr', 'Immeuble'),
  (0, 'hotel', 'en', 'Hotel'),
  (0, 'hotel', 'es', 'Hotel'),
  (0, 'hotel', 'nl', 'Hotel'),
  (0, 'hotel', 'de', 'Hotel'),
  (0, 'hotel', 'fr', 'Hôtel');

-- The built-in feature catalogue; tenants add their own codes.
INSERT INTO property_feature_catalog (tenant_id, code, category, position) VALUES
  (0, 'pool', 'outdoor', 0),
  (0, 'private_pool', 'outdoor', 10),
  (0, 'garden', 'outdoor', 20),
  (0, 'terrace', 'outdoor', 30),
  (0, 'sea_view', 'views', 40),
  (0, 'mountain_view', 'views', 50),
  (0, 'air_conditioning', 'climate', 60),
  (0, 'central_heating', 'climate', 70),
  (0, 'fireplace', 'climate', 80),
  (0, 'garage', 'parking', 90),
  (0, 'parking', 'parking', 100),
  (0, 'lift', 'building', 110),
  (0, 'storage_room', 'building', 120),
  (0, 'furnished', 'interior', 130),
  (0, 'fitted_kitchen', 'interior', 140),
  (0, 'alarm', 'security', 150),
  (0, 'gated_community', 'security', 160),
  (0, 'solar_panels', 'energy', 170),
  (0, 'near_beach', 'location', 180),
  (0, 'near_golf', 'location', 190),
  (0, 'wheelchair_access', 'building', 200);
INSERT INTO property_feature_labels (tenant_id, code, lang, label) VALUES
  (0, 'pool', 'en', 'Swimming pool'),
  (0, 'pool', 'es', 'Piscina'),
  (0, 'pool', 'nl', 'Zwembad'),
  (0, 'pool', 'de', 'Schwimmbad'),
  (0, 'pool', 'fr', 'Piscine'),
  (0, 'private_pool', 'en', 'Private pool'),
  (0, 'private_pool', 'es', 'Piscina privada'),
  (0, 'private_pool', 'nl', 'Privézwembad'),
  (0, 'private_pool', 'de', 'Privatpool'),
  (0, 'private_pool', 'fr', 'Piscine privée'),
  (0, 'garden', 'en', 'Garden'),
  (0, 'garden', 'es', 'Jardín'),
  (0, 'garden', 'nl', 'Tuin'),
  (0, 'garden', 'de', 'Garten'),
  (0, 'garden', 'fr', 'Jardin'),
  (0, 'terrace', 'en', 'Terrace'),
  (0, 'terrace', 'es', 'Terraza'),
  (0, 'terrace', 'nl', 'Terras'),
  (0, 'terrace', 'de', 'Terrasse'),
  (0, 'terrace', 'fr', 'Terrasse'),
  (0, 'sea_view', 'en', 'Sea view'),
  (0, 'sea_view', 'es', 'Vistas al mar'),
  (0, 'sea_view', 'nl', 'Zeezicht'),
  (0, 'sea_view', 'de', 'Meerblick'),
  (0, 'sea_view', 'fr', 'Vue mer'),
  (0, 'mountain_view', 'en', 'Mountain view'),
  (0, 'mountain_view', 'es', 'Vistas a la montaña'),
  (0, 'mountain_view', 'nl', 'Bergzicht'),
  (0, 'mountain_view', 'de', 'Bergblick'),
  (0, 'mountain_view', 'fr', 'Vue montagne'),
  (0, 'air_conditioning', 'en', 'Air conditioning'),
  (0, 'air_conditioning', 'es', 'Aire acondicionado'),
  (0, 'air_conditioning', 'nl', 'Airconditioning'),
  (0, 'air_conditioning', 'de', 'Klimaanlage'),
  (0, 'air_conditioning', 'fr', 'Climatisation'),
  (0, 'central_heating', 'en', 'Central heating'),
  (0, 'central_heating', 'es', 'Calefacción central'),
  (0, 'central_heating', 'nl', 'Centrale verwarming'),
  (0, 'central_heating', 'de', 'Zentralheizung'),
  (0, 'central_heating', 'fr', 'Chauffage central'),
  (0, 'fireplace', 'en', 'Fireplace'),
  (0, 'fireplace', 'es', 'Chimenea'),
  (0, 'fireplace', 'nl', 'Open haard'),
  (0, 'fireplace', 'de', 'Kamin'),
  (0, 'fireplace', 'fr', 'Cheminée'),
  (0, 'garage', 'en', 'Garage'),
  (0, 'garage', 'es', 'Garaje'),
  (0, 'garage', 'nl', 'Garage'),
  (0, 'garage', 'de', 'Garage'),
  (0, 'garage', 'fr', 'Garage'),
  (0, 'parking', 'en', 'Parking'),
  (0, 'parking', 'es', 'Aparcamiento'),
  (0, 'parking', 'nl', 'Parkeerplaats'),
  (0, 'parking', 'de', 'Parkplatz'),
  (0, 'parking', 'fr', 'Parking'),
  (0, 'lift', 'en', 'Lift'),
  (0, 'lift', 'es', 'Ascensor'),
  (0, 'lift', 'nl', 'Lift'),
  (0, 'lift', 'de', 'Aufzug'),
  (0, 'lift', 'fr', 'Ascenseur'),
  (0, 'storage_room', 'en', 'Storage room'),
  (0, 'storage_room', 'es', 'Trastero'),
  (0, 'storage_room', 'nl', 'Berging'),
  (0, 'storage_room', 'de', 'Abstellraum'),
  (0, 'storage_room', 'fr', 'Débarras'),
  (0, 'furnished', 'en', 'Furnished'),
  (0, 'furnished', 'es', 'Amueblado'),
  (0, 'furnished', 'nl', 'Gemeubileerd'),
  (0, 'furnished', 'de', 'Möbliert'),
  (0, 'furnished', 'fr', 'Meublé'),
  (0, 'fitted_kitchen', 'en', 'Fitted kitchen'),
  (0, 'fitted_kitchen', 'es', 'Cocina equipada'),
  (0, 'fitted_kitchen', 'nl', 'Ingerichte keuken'),
  (0, 'fitted_kitchen', 'de', 'Einbauküche'),
  (0, 'fitted_kitchen', 'fr', 'Cuisine équipée'),
  (0, 'alarm', 'en', 'Alarm'),
  (0, 'alarm', 'es', 'Alarma'),
  (0, 'alarm', 'nl', 'Alarm'),
  (0, 'alarm', 'de', 'Alarmanlage'),
  (0, 'alarm', 'fr', 'Alarme'),
  (0, 'gated_community', 'en', 'Gated community'),
  (0, 'gated_community', 'es', 'Urbanización cerrada'),
  (0, 'gated_community', 'nl', 'Afgesloten wijk'),
  (0, 'gated_community', 'de', 'Bewachte Wohnanlage'),
  (0, 'gated_community', 'fr', 'Résidence fermée'),
  (0, 'solar_panels', 'en', 'Solar panels'),
  (0, 'solar_panels', 'es', 'Placas solares'),
  (0, 'solar_panels', 'nl', 'Zonnepanelen'),
  (0, 'solar_panels', 'de', 'Solaranlage'),
  (0, 'solar_panels', 'fr', 'Panneaux solaires'),
  (0, 'near_beach', 'en', 'Near the beach'),
  (0, 'near_beach', 'es', 'Cerca de la playa'),
  (0, 'near_beach', 'nl', 'Dicht bij het strand'),
  (0, 'near_beach', 'de', 'Strandnah'),
  (0, 'near_beach', 'fr', 'Près de la plage'),
  (0, 'near_golf', 'en', 'Near golf'),
  (0, 'near_golf', 'es', 'Cerca del golf'),
  (0, 'near_golf', 'nl', 'Dicht bij golf'),
  (0, 'near_golf', 'de', 'Golfnah'),
  (0, 'near_golf', 'fr', 'Près du golf'),
  (0, 'wheelchair_access', 'en', 'Wheelchair access'),
  (0, 'wheelchair_access', 'es', 'Acceso silla de ruedas'),
  (0, 'wheelchair_access', 'nl', 'Rolstoeltoegankelijk'),
  (0, 'wheelchair_access', 'de', 'Rollstuhlgerecht'),
  (0, 'wheelchair_access', 'fr', 'Accès fauteuil roulant');

-- Built-in transitions: anything goes, except that leaving an ended
-- status (sold, rented, cancelled, off_market, removed_by_feed) for a
-- live one needs a reason. Ended to ended needs none.
INSERT INTO property_transitions (tenant_id, from_status, to_status, allowed, needs_reason) VALUES
  (0, '*', '*', 1, 0),
  (0, 'sold', '*', 1, 1),
  (0, 'sold', 'rented', 1, 0),
  (0, 'sold', 'cancelled', 1, 0),
  (0, 'sold', 'off_market', 1, 0),
  (0, 'sold', 'removed_by_feed', 1, 0),
  (0, 'rented', '*', 1, 1),
  (0, 'rented', 'sold', 1, 0),
  (0, 'rented', 'cancelled', 1, 0),
  (0, 'rented', 'off_market', 1, 0),
  (0, 'rented', 'removed_by_feed', 1, 0),
  (0, 'cancelled', '*', 1, 1),
  (0, 'cancelled', 'sold', 1, 0),
  (0, 'cancelled', 'rented', 1, 0),
  (0, 'cancelled', 'off_market', 1, 0),
  (0, 'cancelled', 'removed_by_feed', 1, 0),
  (0, 'off_market', '*', 1, 1),
  (0, 'off_market', 'sold', 1, 0),
  (0, 'off_market', 'rented', 1, 0),
  (0, 'off_market', 'cancelled', 1, 0),
  (0, 'off_market', 'removed_by_feed', 1, 0),
  (0, 'removed_by_feed', '*', 1, 1),
  (0, 'removed_by_feed', 'sold', 1, 0),
  (0, 'removed_by_feed', 'rented', 1, 0),
  (0, 'removed_by_feed', 'cancelled', 1, 0),
  (0, 'removed_by_feed', 'off_market', 1, 0);

-- Costa Blanca towns under their other spellings (accents need no alias:
-- the collation ignores them), and the areas holding them.
INSERT INTO property_town_aliases (tenant_id, alias, town) VALUES
  (0, 'Xàbia', 'Jávea'),
  (0, 'Alacant', 'Alicante'),
  (0, 'El Poble Nou de Benitatxell', 'Benitachell'),
  (0, 'Benitatxell', 'Benitachell'),
  (0, 'Teulada', 'Moraira'),
  (0, 'Calp', 'Calpe'),
  (0, 'L''Alfàs del Pi', 'Alfaz del Pi'),
  (0, 'La Vila Joiosa', 'Villajoyosa'),
  (0, 'Elx', 'Elche'),
  (0, 'Oriola', 'Orihuela');
INSERT INTO property_area_towns (tenant_id, area, town) VALUES
  (0, 'Costa Blanca North', 'Jávea'),
  (0, 'Costa Blanca North', 'Denia'),
  (0, 'Costa Blanca North', 'Moraira'),
  (0, 'Costa Blanca North', 'Benitachell'),
  (0, 'Costa Blanca North', 'Calpe'),
  (0, 'Costa Blanca North', 'Altea'),
  (0, 'Costa Blanca North', 'Benidorm'),
  (0, 'Costa Blanca North', 'Alfaz del Pi'),
  (0, 'Costa Blanca North', 'Villajoyosa'),
  (0, 'Costa Blanca North', 'Pego'),
  (0, 'Costa Blanca South', 'Alicante'),
  (0, 'Costa Blanca South', 'Elche'),
  (0, 'Costa Blanca South', 'Torrevieja'),
  (0, 'Costa Blanca South', 'Orihuela'),
  (0, 'Costa Blanca South', 'Guardamar del Segura'),
  (0, 'Costa Blanca South', 'Santa Pola'),
  (0, 'Costa Blanca South', 'Pilar de la Horadada');
