-- The change log also carries the customer's questions and disputes (`thread`, `thread_message`);
-- SQLite cannot alter a CHECK, so the table is rebuilt (with its index), as 0009 did.
CREATE TABLE changes_v4 (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    change_no       INTEGER NOT NULL,
    entity          TEXT NOT NULL CHECK (entity IN ('customer', 'invoice_draft', 'item', 'settings',
                        'invoice', 'credit_note', 'payment', 'refund', 'dispute', 'exception',
                        'number_lease', 'mail', 'thread', 'thread_message')),
    entity_id       TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('put', 'del')),
    body            TEXT,
    PRIMARY KEY (organisation_id, change_no)
);
INSERT INTO changes_v4 SELECT * FROM changes;
DROP TABLE changes;
ALTER TABLE changes_v4 RENAME TO changes;
CREATE INDEX changes_record ON changes (organisation_id, entity, entity_id, change_no);
