-- Protocol 2 (SQLite): issued documents, numbering, receivables and the records around them.

-- The change log now carries every kind of record; SQLite cannot alter a CHECK, so the table is rebuilt.
CREATE TABLE changes_v2 (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    change_no       INTEGER NOT NULL,
    entity          TEXT NOT NULL CHECK (entity IN ('customer', 'invoice_draft', 'item', 'settings',
                        'invoice', 'credit_note', 'payment', 'refund', 'dispute', 'exception',
                        'number_lease')),
    entity_id       TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('put', 'del')),
    body            TEXT,
    PRIMARY KEY (organisation_id, change_no)
);
INSERT INTO changes_v2 SELECT * FROM changes;
DROP TABLE changes;
ALTER TABLE changes_v2 RENAME TO changes;

-- The current state of records that need no columns of their own beyond their organisation: settings
-- (id = the organisation's), catalogue items, payments, refunds, disputes and exception items. `body` is
-- the record exactly as core serializes it; `version` and `last_client_id` serve versioned records
-- (settings) the way they serve drafts.
CREATE TABLE records (
    entity          TEXT NOT NULL,
    id              TEXT NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id     TEXT,
    body            TEXT NOT NULL,
    version         INTEGER NOT NULL,
    last_client_id  TEXT NOT NULL,
    change_no       INTEGER NOT NULL,
    updated_at_ms   INTEGER NOT NULL,
    PRIMARY KEY (entity, id)
);
CREATE INDEX records_organisation ON records (organisation_id, entity);

-- Every sequence's last number: the row an issue locks and advances in the transaction that stores
-- the document, so two issues can never take the same position.
CREATE TABLE number_sequences (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    sequence        TEXT NOT NULL,
    last_position   INTEGER NOT NULL,
    last_issue_date TEXT NOT NULL,
    PRIMARY KEY (organisation_id, sequence)
);

-- Issued invoices and credit notes. The unique (sequence, position) and number are the database's own
-- guarantee that no number is ever used twice.
CREATE TABLE invoices (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id     TEXT NOT NULL,
    draft_id        TEXT NOT NULL,
    number          TEXT NOT NULL,
    sequence        TEXT NOT NULL,
    position        INTEGER NOT NULL,
    issue_date      TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount_due      TEXT NOT NULL,
    lease_id        TEXT,
    voided          INTEGER NOT NULL,
    body            TEXT NOT NULL,
    change_no       INTEGER NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    UNIQUE (organisation_id, sequence, position),
    UNIQUE (organisation_id, number)
);
CREATE INDEX invoices_draft ON invoices (organisation_id, draft_id);
CREATE INDEX invoices_customer ON invoices (organisation_id, customer_id);

CREATE TABLE credit_notes (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id     TEXT NOT NULL,
    invoice_id      TEXT NOT NULL REFERENCES invoices (id),
    number          TEXT NOT NULL,
    sequence        TEXT NOT NULL,
    position        INTEGER NOT NULL,
    issue_date      TEXT NOT NULL,
    body            TEXT NOT NULL,
    change_no       INTEGER NOT NULL,
    created_at_ms   INTEGER NOT NULL,
    UNIQUE (organisation_id, sequence, position),
    UNIQUE (organisation_id, number)
);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);

-- Blocks of a device's series leased for issuing offline. `device_code` is the branch in its numbers.
CREATE TABLE number_leases (
    id              TEXT PRIMARY KEY NOT NULL,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    client_id       TEXT NOT NULL REFERENCES sync_clients (client_id),
    device_code     TEXT NOT NULL,
    sequence        TEXT NOT NULL,
    first_position  INTEGER NOT NULL,
    last_position   INTEGER NOT NULL,
    returned_from   INTEGER,
    body            TEXT NOT NULL,
    change_no       INTEGER NOT NULL,
    UNIQUE (organisation_id, sequence, first_position)
);
CREATE INDEX number_leases_client ON number_leases (client_id);

-- Each customer's account as the facts recorded on it, in order; core replays them into balances,
-- open items and credit.
CREATE TABLE account_events (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id     TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    event           TEXT NOT NULL,
    change_no       INTEGER NOT NULL,
    PRIMARY KEY (organisation_id, customer_id, seq)
);
