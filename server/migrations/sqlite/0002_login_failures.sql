-- Failed sign-ins, for the login throttle (remit_core::access). Kept in the database so that every server
-- process sharing it counts the same failures. `account_key` is the SHA-256 of the normalised e-mail
-- address tried: it bounds the key's size and keeps mistyped addresses out of the database.

CREATE TABLE login_failures (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_key  TEXT NOT NULL,
    failed_at_ms INTEGER NOT NULL
);
CREATE INDEX login_failures_account ON login_failures (account_key, failed_at_ms);
