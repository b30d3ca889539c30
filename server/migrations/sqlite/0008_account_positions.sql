-- A customer's snapshot becomes its position (core's remit_core::receivables::position): balance and
-- unapplied credit per currency, the items of invoices with something open, their live allocations and
-- the number of entries, so a change reads and writes a row that grows with what is open, not with the
-- customer's history. The snapshots written before this migration held the whole account; they are
-- dropped, and each customer's position, settled invoices and entries are rebuilt from its events (the
-- source of truth) with its next event (store::ledger::append). Until then it is replayed when read.
DELETE FROM account_snapshots;

-- The account's entries, the lines of its statements, one row each as core's apply of each event makes
-- them; a statement reads those of its period (entry_date is YYYY-MM-DD, so text order is date order).
CREATE TABLE account_entries (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id     TEXT NOT NULL,
    seq             INTEGER NOT NULL,
    entry_date      TEXT NOT NULL,
    entry           TEXT NOT NULL,
    PRIMARY KEY (organisation_id, customer_id, seq)
);
CREATE INDEX account_entries_date ON account_entries (organisation_id, customer_id, entry_date);

-- Invoices whose every instalment is settled, set aside from the position with the allocations that
-- settled them: read back only for an event that names the invoice again (a void, a credit note, a
-- payment naming it, a dispute).
CREATE TABLE settled_invoices (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id     TEXT NOT NULL,
    invoice_id      TEXT NOT NULL,
    invoice         TEXT NOT NULL,
    PRIMARY KEY (organisation_id, customer_id, invoice_id)
);
