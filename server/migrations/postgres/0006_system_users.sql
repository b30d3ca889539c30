-- A user is a person who signs in, or an organisation's system user: the author of the facts that start
-- on the server (gateway payments, scheduled invoices), pushed through the organisation's system client.
-- A system user never signs in.
ALTER TABLE users ADD COLUMN kind TEXT NOT NULL DEFAULT 'person' CHECK (kind IN ('person', 'system'));
