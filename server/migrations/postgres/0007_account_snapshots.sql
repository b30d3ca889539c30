-- Each customer's account as core's replay of its events leaves it (balance, open items, credit), kept
-- beside the events and updated in the same transaction as each new one (store::ledger::append), so a
-- change reads one row instead of replaying the customer's whole history. The events stay the source of
-- truth: `seq` is the last event the snapshot has taken in, and a customer with events but no snapshot
-- (one from before this migration) gets one rebuilt from its events the next time an event is appended.
CREATE TABLE account_snapshots (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    customer_id     TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    account         TEXT NOT NULL,
    PRIMARY KEY (organisation_id, customer_id)
);

-- Handing a lease back reads the highest number issued under it (store::leases::highest_used_in_lease),
-- which without this index read every invoice of every organisation.
CREATE INDEX invoices_lease ON invoices (lease_id);
