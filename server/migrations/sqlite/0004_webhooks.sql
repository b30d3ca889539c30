-- Outgoing webhooks (SQLite): the endpoints an organisation registered, and the deliveries queued for
-- them in the transaction of the change that caused each event.

CREATE TABLE webhook_endpoints (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    url             TEXT NOT NULL,
    -- The key every delivery to this endpoint is signed with (HMAC-SHA256); the receiver holds it too.
    secret          TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_organisation ON webhook_endpoints (organisation_id);

-- One event for one endpoint. `next_attempt_at_ms` is when it is next due; NULL once it was delivered
-- or given up on. A dispatcher that claims it moves it into the future first, so no other process sends
-- it meanwhile.
CREATE TABLE webhook_deliveries (
    id                 TEXT PRIMARY KEY NOT NULL,
    organisation_id    TEXT NOT NULL REFERENCES organisations (id),
    endpoint_id        TEXT NOT NULL REFERENCES webhook_endpoints (id),
    event              TEXT NOT NULL,
    payload            TEXT NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    next_attempt_at_ms INTEGER,
    delivered_at_ms    INTEGER,
    last_error         TEXT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at_ms)
    WHERE next_attempt_at_ms IS NOT NULL;
CREATE INDEX webhook_deliveries_organisation ON webhook_deliveries (organisation_id, event);
