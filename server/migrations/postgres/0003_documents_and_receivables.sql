-- Protocol 2 (PostgreSQL): issued documents, numbering, receivables and the records around them.

-- The change log now carries every kind of record.
ALTER TABLE changes DROP CONSTRAINT changes_entity_check;
ALTER TABLE changes ADD CONSTRAINT changes_entity_check CHECK (entity IN ('customer', 'invoice_draft',
    'item', 'settings', 'invoice', 'credit_note', 'payment', 'refund', 'dispute', 'exception',
    'number_lease'));

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
    version         BIGINT NOT NULL,
    last_client_id  TEXT NOT NULL,
    change_no       BIGINT NOT NULL,
    updated_at_ms   BIGINT NOT NULL,
    PRIMARY KEY (entity, id)
);
CREATE INDEX records_organisation ON records (organisation_id, entity);

-- Every sequence's last number: the row an issue locks and advances in the transaction that stores
-- the document, so two issues can never take the same position.
CREATE TABLE number_sequences (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    sequence        TEXT NOT NULL,
    last_position   BIGINT NOT NULL,
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
    position        BIGINT NOT NULL,
    issue_date      TEXT NOT NULL,
    currency        TEXT NOT NULL,
    amount_due      TEXT NOT NULL,
    lease_id        TEXT,
    voided          BIGINT NOT NULL,
    body            TEXT NOT NULL,
    change_no       BIGINT NOT NULL,
    created_at_ms   BIGINT NOT NULL,
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
    position        BIGINT NOT NULL,
    issue_date      TEXT NOT NULL,
    body            TEXT NOT NULL,
    change_no       BIGINT NOT NULL,
    created_at_ms   BIGINT NOT NULL,
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
    first_position  BIGINT NOT NULL,
    last_position   BIGINT NOT NULL,
    returned_from   BIGINT,
    body            TEXT NOT NULL,
    change_no       BIGINT NOT NULL,
    UNIQUE (organisation_id, sequence, first_position)
);
CREATE INDEX number_leases_client ON number_leases (client_id);

-- Each customer's account as the facts recorded on it, in order; core replays them into balances,
-- open items and credit.
CREATE TABLE account_events (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id     TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    event           TEXT NOT NULL,
    change_no       BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, customer_id, seq)
);
