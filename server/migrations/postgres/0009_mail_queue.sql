-- The change log also carries mail records.
ALTER TABLE changes DROP CONSTRAINT changes_entity_check;
ALTER TABLE changes ADD CONSTRAINT changes_entity_check CHECK (entity IN ('customer', 'invoice_draft',
    'item', 'settings', 'invoice', 'credit_note', 'payment', 'refund', 'dispute', 'exception',
    'number_lease', 'mail'));

-- Outgoing mail (PostgreSQL): one row per `mail.send` applied, written in the transaction of that mutation
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
    attempts           BIGINT NOT NULL DEFAULT 0,
    -- When it is next due; NULL once sent or given up on. A sender that claims it moves it into the
    -- future first, so no other process sends it meanwhile.
    next_attempt_at_ms BIGINT,
    sent_at_ms         BIGINT,
    last_error         TEXT,
    created_at_ms      BIGINT NOT NULL
);
CREATE INDEX mail_queue_due ON mail_queue (next_attempt_at_ms)
    WHERE next_attempt_at_ms IS NOT NULL;
CREATE INDEX mail_queue_document ON mail_queue (organisation_id, document_kind, document_id);
