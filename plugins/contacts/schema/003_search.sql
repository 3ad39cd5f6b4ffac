-- Text search over names, emails and company (FULLTEXT, prefix terms) and
-- the sort orders lists use most.
ALTER TABLE contacts ADD FULLTEXT KEY contacts_search (first_name, last_name, email, company);
ALTER TABLE relations ADD FULLTEXT KEY relations_search (name, email);
ALTER TABLE contacts ADD KEY contacts_created (tenant_id, kind, created_at);
