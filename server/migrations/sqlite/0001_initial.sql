-- Remit's first schema (SQLite). Every record carries its organisation; ids are UUIDv7 text; money,
-- quantities and dates are canonical text; instants are epoch milliseconds.

CREATE TABLE organisations (
    id            TEXT PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    currency      TEXT NOT NULL,
    created_at_ms INTEGER NOT NULL
);
CREATE INDEX organisations_name ON organisations (name);

CREATE TABLE users (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    email           TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'billing', 'read_only')),
    password_hash   TEXT NOT NULL,
    created_at_ms   INTEGER NOT NULL
);
CREATE INDEX users_organisation ON users (organisation_id);

CREATE TABLE sessions (
    token_hash      TEXT PRIMARY KEY NOT NULL,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    created_at_ms   INTEGER NOT NULL,
    expires_at_ms   INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE org_clock (
    organisation_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    v               INTEGER NOT NULL
);

CREATE TABLE customers (
    id                 TEXT PRIMARY KEY NOT NULL,
    organisation_id    TEXT NOT NULL REFERENCES organisations (id),
    name               TEXT NOT NULL,
    email              TEXT NOT NULL,
    currency           TEXT NOT NULL,
    payment_terms_days INTEGER NOT NULL,
    body               TEXT NOT NULL,
    change_no          INTEGER NOT NULL,
    updated_at_ms      INTEGER NOT NULL,
    UNIQUE (organisation_id, id)
);

CREATE TABLE invoice_drafts (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id     TEXT NOT NULL,
    currency        TEXT NOT NULL,
    issue_date      TEXT NOT NULL,
    due_date        TEXT NOT NULL,
    body            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    last_client_id  TEXT NOT NULL,
    line_net_total  TEXT NOT NULL,
    tax_total       TEXT NOT NULL,
    amount_due      TEXT NOT NULL,
    change_no       INTEGER NOT NULL,
    updated_at_ms   INTEGER NOT NULL,
    FOREIGN KEY (organisation_id, customer_id) REFERENCES customers (organisation_id, id)
);
CREATE INDEX invoice_drafts_customer ON invoice_drafts (organisation_id, customer_id);

CREATE TABLE changes (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    change_no       INTEGER NOT NULL,
    entity          TEXT NOT NULL CHECK (entity IN ('customer', 'invoice_draft')),
    entity_id       TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('put', 'del')),
    body            TEXT,
    PRIMARY KEY (organisation_id, change_no)
);

CREATE TABLE sync_clients (
    client_id        TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    user_id          TEXT NOT NULL REFERENCES users (id),
    last_mutation_id INTEGER NOT NULL,
    updated_at_ms    INTEGER NOT NULL
);

CREATE TABLE mutation_results (
    client_id       TEXT NOT NULL REFERENCES sync_clients (client_id),
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    mutation_id     INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('applied', 'rejected', 'conflict')),
    error           TEXT,
    PRIMARY KEY (client_id, mutation_id)
);

CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    change_no       INTEGER,
    user_id         TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    mutation_id     INTEGER NOT NULL,
    mutation_name   TEXT NOT NULL,
    status          TEXT NOT NULL,
    at_ms           INTEGER NOT NULL,
    summary         TEXT NOT NULL
);
CREATE INDEX audit_log_organisation ON audit_log (organisation_id, at_ms);
