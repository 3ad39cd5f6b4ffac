-- Lists filter on status, stage and source and sort by creation most of all:
-- this index serves those filters in creation order without a sort, and
-- counts their matches without reading the rows.
ALTER TABLE contacts ADD KEY contacts_list (tenant_id, kind, deleted_at, status, stage, source, created_at);
