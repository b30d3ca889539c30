-- The change log also carries mail records; SQLite cannot alter a CHECK, so the table is rebuilt (with
-- its index).
CREATE TABLE changes_v3 (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    change_no       INTEGER NOT NULL,
    entity          TEXT NOT NULL CHECK (entity IN ('customer', 'invoice_draft', 'item', 'settings',
                        'invoice', 'credit_note', 'payment', 'refund', 'dispute', 'exception',
                        'number_lease', 'mail')),
    entity_id       TEXT NOT NULL,
    op              TEXT NOT NULL CHECK (op IN ('put', 'del')),
    body            TEXT,
    PRIMARY KEY (organisation_id, change_no)
);
INSERT INTO changes_v3 SELECT * FROM changes;
DROP TABLE changes;
ALTER TABLE changes_v3 RENAME TO changes;
CREATE INDEX changes_record ON changes (organisation_id, entity, entity_id, change_no);

-- Outgoing mail (SQLite): one row per `mail.send` applied, written in the transaction of that mutation
-- (the webhook deliveries' shape). The row names the document (kind and id), not a copy of it: the
-- sender asks for its attachments when it sends. Its Message-ID is made from its id, so every attempt
-- sends the same one. The synced record of the mail (its status) is in
-- `records` (entity 'mail'); this is the sender's work list.
CREATE TABLE mail_queue (
    id                 TEXT PRIMARY KEY NOT NULL,
    organisation_id    TEXT NOT NULL REFERENCES organisations (id),
    document_kind      TEXT NOT NULL,
    document_id        TEXT NOT NULL,
    to_address         TEXT NOT NULL,
    reply_to           TEXT,
    subject            TEXT NOT NULL,
    body_text          TEXT NOT NULL,
    -- 'queued', 'sent' or 'failed'.
    status             TEXT NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 0,
    -- When it is next due; NULL once sent or given up on. A sender that claims it moves it into the
    -- future first, so no other process sends it meanwhile.
    next_attempt_at_ms INTEGER,
    sent_at_ms         INTEGER,
    last_error         TEXT,
    created_at_ms      INTEGER NOT NULL
);
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at_ms)
    WHERE next_attempt_at_ms IS NOT NULL;
CREATE INDEX mail_queue_document ON mail_queue (organisation_id, document_kind, document_id);
