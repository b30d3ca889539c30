-- The change log also carries the customer's questions and disputes (`thread`, `thread_message`).
ALTER TABLE changes DROP CONSTRAINT changes_entity_check;
ALTER TABLE changes ADD CONSTRAINT changes_entity_check CHECK (entity IN ('customer', 'invoice_draft',
    'item', 'settings', 'invoice', 'credit_note', 'payment', 'refund', 'dispute', 'exception',
    'number_lease', 'mail', 'thread', 'thread_message'));
