-- Links to the customer's portal (remit_core::portal). The token is in the URL only: the database keeps
-- its SHA-256, looked up through a unique index, so a copy of the database opens no portal.
CREATE TABLE portal_links (
    id              TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id     TEXT NOT NULL,
    invoice_id      TEXT,
    token_hash      TEXT NOT NULL,
    created_on      TEXT NOT NULL,
    expires_on      TEXT NOT NULL,
    revoked_at_ms   INTEGER,
    created_by      TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, id)
);
CREATE UNIQUE INDEX portal_links_token ON portal_links (token_hash);
CREATE INDEX portal_links_customer ON portal_links (organisation_id, customer_id, created_at_ms);

-- Failed portal lookups per client address (the SHA-256 of the address), for the lookup throttle: in the
-- database so that every server process sharing it counts the same failures.
CREATE TABLE portal_lookup_failures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    address_key  TEXT NOT NULL,
    failed_at_ms INTEGER NOT NULL
);
CREATE INDEX portal_lookup_failures_address ON portal_lookup_failures (address_key, failed_at_ms);

-- Views of a link, at most one an hour per link; the address and user agent are erased after the
-- organisation's retention period (remit_core::portal::PortalPolicy).
CREATE TABLE portal_views (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    link_id         TEXT NOT NULL,
    viewed_at_ms    INTEGER NOT NULL,
    address         TEXT,
    user_agent      TEXT,
    FOREIGN KEY (organisation_id, link_id) REFERENCES portal_links (organisation_id, id)
);
CREATE INDEX portal_views_link ON portal_views (organisation_id, link_id, viewed_at_ms);
CREATE INDEX portal_views_time ON portal_views (viewed_at_ms);
