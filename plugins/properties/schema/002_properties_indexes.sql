-- Lists and matching filter on town, type and status and range over price:
-- one index serves them in order (and the public list's town and type).
ALTER TABLE properties ADD KEY town_type_status_price (tenant_id, town, type, status, price);
