-- Paying online (PostgreSQL). Nothing here is synced: no row is ever sent to a device, written to a log or
-- to the audit log.

-- An organisation's payment gateway: which one, and its secrets. An owner writes it; the API answers
-- with the provider and the last four characters of the key only.
CREATE TABLE gateway_accounts (
    organisation_id TEXT PRIMARY KEY NOT NULL REFERENCES organisations (id),
    provider        TEXT NOT NULL CHECK (provider IN ('sandbox', 'stripe')),
    -- The gateway's secret API key ('' for the sandbox).
    secret_key      TEXT NOT NULL,
    -- The webhook signing secrets, one per line: during a rotation, the old and the new.
    webhook_secrets TEXT NOT NULL,
    updated_at_ms   BIGINT NOT NULL
);

-- One attempt of a customer to pay online: core's `Checkout` (body), with what is looked up by.
CREATE TABLE checkouts (
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    id              TEXT NOT NULL,
    link_id         TEXT NOT NULL,
    customer_id     TEXT NOT NULL,
    provider        TEXT NOT NULL,
    -- The gateway's id of its hosted page (Stripe's Checkout Session id), once made.
    gateway_session TEXT,
    -- 'open', 'pending', 'paid' or 'failed' (core's `CheckoutState`).
    state           TEXT NOT NULL,
    -- The gateway's payment, and the payment it is recorded as, once paid.
    gateway_payment TEXT,
    payment_id      TEXT,
    body            TEXT NOT NULL,
    -- The address that started it, for the throttle against card testing.
    client_address  TEXT NOT NULL,
    created_at_ms   BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, id)
);
-- The return pages name a checkout by its id alone (never the portal token).
CREATE UNIQUE INDEX checkouts_id ON checkouts (id);
CREATE UNIQUE INDEX checkouts_session ON checkouts (provider, gateway_session);
CREATE INDEX checkouts_link ON checkouts (link_id, created_at_ms);
CREATE INDEX checkouts_address ON checkouts (client_address, created_at_ms);
CREATE INDEX checkouts_payment ON checkouts (organisation_id, payment_id);

-- Refunds to send to the gateway that took the payment; the refund's id is the idempotency key. Written
-- in the transaction of the `payment.refund` that asks for it (the mail queue's shape).
CREATE TABLE gateway_refunds (
    organisation_id    TEXT NOT NULL REFERENCES organisations (id),
    refund_id          TEXT NOT NULL,
    provider           TEXT NOT NULL,
    gateway_payment    TEXT NOT NULL,
    amount             TEXT NOT NULL,
    currency           TEXT NOT NULL,
    -- 'queued', 'sent' or 'refused'.
    status             TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'refused')),
    -- The gateway's id of the refund, once sent.
    gateway_refund     TEXT,
    attempts           BIGINT NOT NULL DEFAULT 0,
    -- When it is next due; NULL once sent or refused. A worker that claims it moves it into the future.
    next_attempt_at_ms BIGINT,
    last_error         TEXT,
    created_at_ms      BIGINT NOT NULL,
    PRIMARY KEY (organisation_id, refund_id)
);
CREATE INDEX gateway_refunds_due ON gateway_refunds (next_attempt_at_ms)
    WHERE next_attempt_at_ms IS NOT NULL;
CREATE INDEX gateway_refunds_payment ON gateway_refunds (provider, gateway_payment);
