//! Paying online, server-only: each organisation's gateway and its secrets, customers' checkouts, and
//! the queue of refunds to send to gateways. Nothing here is synced, logged or audited; a
//! [`GatewayAccount`]'s secrets never leave this module except to sign or call the gateway.

use std::fmt;

use remit_core::gateway::{Checkout, CheckoutState, GatewayCharge, OutboundRefund, Provider};
use remit_core::ids::{CheckoutId, OrganisationId, PaymentId, PortalLinkId, RefundId};
use remit_core::money::{Currency, Money};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::{Backend, Store, StoreError, StoreResult, body};

/// An organisation's gateway and its secrets, as stored.
#[derive(Clone, PartialEq, Eq)]
pub struct GatewayAccount {
    pub provider: Provider,
    /// The gateway's secret API key (empty for the sandbox).
    pub secret_key: String,
    /// The webhook signing secrets: during a rotation, the old and the new.
    pub webhook_secrets: Vec<String>,
}

impl GatewayAccount {
    /// What may be shown of the key: its last four characters.
    pub fn key_hint(&self) -> String {
        let chars: Vec<char> = self.secret_key.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    }
}

/// Never prints a secret, whatever logs it.
impl fmt::Debug for GatewayAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GatewayAccount")
            .field("provider", &self.provider)
            .field("secret_key", &"[redacted]")
            .field("webhook_secrets", &self.webhook_secrets.len())
            .finish()
    }
}

fn provider(text: &str) -> StoreResult<Provider> {
    Provider::parse(text).map_err(|e| StoreError::corrupt("gateway provider", e))
}

/// Sets the organisation's gateway, replacing any before.
pub async fn put_account(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    account: &GatewayAccount,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO gateway_accounts \
           (organisation_id, provider, secret_key, webhook_secrets, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (organisation_id) DO UPDATE SET provider = excluded.provider, \
           secret_key = excluded.secret_key, webhook_secrets = excluded.webhook_secrets, \
           updated_at_ms = excluded.updated_at_ms",
    )
    .bind(organisation.to_string())
    .bind(account.provider.name())
    .bind(&account.secret_key)
    .bind(account.webhook_secrets.join("\n"))
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// The organisation's gateway, when it set one.
pub async fn account(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<Option<GatewayAccount>> {
    let row = sqlx::query(
        "SELECT provider, secret_key, webhook_secrets FROM gateway_accounts \
         WHERE organisation_id = $1",
    )
    .bind(organisation.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        let secrets: String = row.try_get("webhook_secrets")?;
        Ok(GatewayAccount {
            provider: provider(&row.try_get::<String, _>("provider")?)?,
            secret_key: row.try_get("secret_key")?,
            webhook_secrets: secrets
                .lines()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect(),
        })
    })
    .transpose()
}

/// Stores a new checkout, started from `client_address`.
pub async fn insert_checkout(
    conn: &mut AnyConnection,
    checkout: &Checkout,
    client_address: &str,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO checkouts (organisation_id, id, link_id, customer_id, provider, state, body, \
           client_address, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(checkout.organisation_id.to_string())
    .bind(checkout.id.to_string())
    .bind(checkout.link_id.to_string())
    .bind(checkout.customer_id.to_string())
    .bind(checkout.provider.name())
    .bind(checkout.state.name())
    .bind(body::encode(checkout, "checkout")?)
    .bind(client_address)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records the id of the gateway's hosted page for the checkout.
pub async fn set_session(
    conn: &mut AnyConnection,
    checkout: CheckoutId,
    session: &str,
) -> StoreResult<()> {
    sqlx::query("UPDATE checkouts SET gateway_session = $1 WHERE id = $2")
        .bind(session)
        .bind(checkout.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// A checkout as stored, with the id of the gateway's page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCheckout {
    pub checkout: Checkout,
    pub gateway_session: Option<String>,
    pub created_at_ms: i64,
}

fn stored_checkout(row: &AnyRow) -> StoreResult<StoredCheckout> {
    Ok(StoredCheckout {
        checkout: body::read(row, "checkout")?,
        gateway_session: row.try_get("gateway_session")?,
        created_at_ms: row.try_get("created_at_ms")?,
    })
}

const CHECKOUT_COLUMNS: &str = "body, gateway_session, created_at_ms";

/// The checkout `id`, whichever organisation's (the return pages know its id only).
pub async fn find_checkout(
    conn: &mut AnyConnection,
    id: CheckoutId,
) -> StoreResult<Option<StoredCheckout>> {
    let row = sqlx::query(&format!(
        "SELECT {CHECKOUT_COLUMNS} FROM checkouts WHERE id = $1"
    ))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(stored_checkout).transpose()
}

/// The checkout whose hosted page at `provider` is `session`.
pub async fn find_by_session(
    conn: &mut AnyConnection,
    provider: Provider,
    session: &str,
) -> StoreResult<Option<StoredCheckout>> {
    let row = sqlx::query(&format!(
        "SELECT {CHECKOUT_COLUMNS} FROM checkouts WHERE provider = $1 AND gateway_session = $2"
    ))
    .bind(provider.name())
    .bind(session)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(stored_checkout).transpose()
}

/// Stores the checkout's new state.
pub async fn save_state(
    conn: &mut AnyConnection,
    checkout: &Checkout,
    state: &CheckoutState,
) -> StoreResult<()> {
    let next = Checkout {
        state: state.clone(),
        ..checkout.clone()
    };
    let (gateway_payment, payment_id) = match state {
        CheckoutState::Paid {
            gateway_payment,
            payment_id,
            ..
        } => (Some(gateway_payment.clone()), Some(payment_id.to_string())),
        _ => (None, None),
    };
    sqlx::query(
        "UPDATE checkouts SET state = $1, body = $2, gateway_payment = $3, payment_id = $4 \
         WHERE organisation_id = $5 AND id = $6",
    )
    .bind(state.name())
    .bind(body::encode(&next, "checkout")?)
    .bind(gateway_payment)
    .bind(payment_id)
    .bind(checkout.organisation_id.to_string())
    .bind(checkout.id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

/// When checkouts were started through `link`, and from `client_address`, since `since_ms`: what the
/// throttle counts.
pub async fn recent_checkouts(
    conn: &mut AnyConnection,
    link: PortalLinkId,
    client_address: &str,
    since_ms: i64,
) -> StoreResult<(Vec<i64>, Vec<i64>)> {
    let by_link = sqlx::query_scalar::<_, i64>(
        "SELECT created_at_ms FROM checkouts WHERE link_id = $1 AND created_at_ms > $2",
    )
    .bind(link.to_string())
    .bind(since_ms)
    .fetch_all(&mut *conn)
    .await?;
    let by_address = sqlx::query_scalar::<_, i64>(
        "SELECT created_at_ms FROM checkouts WHERE client_address = $1 AND created_at_ms > $2",
    )
    .bind(client_address)
    .bind(since_ms)
    .fetch_all(&mut *conn)
    .await?;
    Ok((by_link, by_address))
}

/// The gateway's payment recorded as the payment `payment`, when a gateway took it.
pub async fn charge_of(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    payment: PaymentId,
) -> StoreResult<Option<GatewayCharge>> {
    let row = sqlx::query(
        "SELECT provider, gateway_payment FROM checkouts \
         WHERE organisation_id = $1 AND payment_id = $2",
    )
    .bind(organisation.to_string())
    .bind(payment.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|row| {
        Ok(GatewayCharge {
            provider: provider(&row.try_get::<String, _>("provider")?)?,
            gateway_payment: row.try_get("gateway_payment")?,
        })
    })
    .transpose()
}

/// Queues a refund to send, due at once; a refund queued before is left as it is.
pub async fn queue_refund(
    conn: &mut AnyConnection,
    refund: &OutboundRefund,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO gateway_refunds (organisation_id, refund_id, provider, gateway_payment, \
           amount, currency, status, attempts, next_attempt_at_ms, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, 'queued', 0, $7, $7) \
         ON CONFLICT (organisation_id, refund_id) DO NOTHING",
    )
    .bind(refund.organisation_id.to_string())
    .bind(refund.refund_id.to_string())
    .bind(refund.provider.name())
    .bind(&refund.gateway_payment)
    .bind(refund.amount.amount().to_string())
    .bind(refund.amount.currency().code())
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// A queued refund a worker claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedRefund {
    pub refund: OutboundRefund,
    /// Attempts so far, this one included.
    pub attempts: u32,
}

fn uuid_of<T>(
    row: &AnyRow,
    column: &str,
    what: &'static str,
    parse: fn(&str) -> Result<T, remit_core::validation::ValidationError>,
) -> StoreResult<T> {
    parse(&row.try_get::<String, _>(column)?).map_err(|e| StoreError::corrupt(what, e))
}

/// Takes the refund due longest at `now_ms`, counts the attempt and moves it out of reach of other
/// workers until `claimed_until_ms` (the webhook queue's way: `SKIP LOCKED` on PostgreSQL).
pub async fn claim_due_refund(
    store: &Store,
    now_ms: i64,
    claimed_until_ms: i64,
) -> StoreResult<Option<ClaimedRefund>> {
    let lock = match store.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let claim = format!(
        "UPDATE gateway_refunds SET attempts = attempts + 1, next_attempt_at_ms = $2 \
         WHERE (organisation_id, refund_id) = (SELECT organisation_id, refund_id \
           FROM gateway_refunds WHERE next_attempt_at_ms <= $1 \
           ORDER BY next_attempt_at_ms, refund_id LIMIT 1{lock}) \
         RETURNING organisation_id, refund_id, provider, gateway_payment, amount, currency, attempts"
    );
    let mut tx = store.write().await?;
    let row = sqlx::query(&claim)
        .bind(now_ms)
        .bind(claimed_until_ms)
        .fetch_optional(&mut *tx)
        .await?;
    tx.commit().await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let currency = Currency::parse(&row.try_get::<String, _>("currency")?)
        .map_err(|e| StoreError::corrupt("gateway refund currency", e))?;
    let amount = Money::parse(&row.try_get::<String, _>("amount")?, currency)
        .map_err(|e| StoreError::corrupt("gateway refund amount", e))?;
    Ok(Some(ClaimedRefund {
        refund: OutboundRefund {
            refund_id: uuid_of(&row, "refund_id", "gateway refund id", RefundId::parse)?,
            organisation_id: uuid_of(
                &row,
                "organisation_id",
                "gateway refund organisation",
                OrganisationId::parse,
            )?,
            provider: provider(&row.try_get::<String, _>("provider")?)?,
            gateway_payment: row.try_get("gateway_payment")?,
            amount,
        },
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?)
            .map_err(|e| StoreError::corrupt("gateway refund attempts", e))?,
    }))
}

/// How a refund attempt ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundAttempt {
    /// The gateway made the refund under its id.
    Sent { gateway_refund: String },
    /// The gateway refused it for good.
    Refused { reason: String },
    /// It did not answer, or answered that it cannot now: due again at `retry_at_ms`.
    Failed { error: String, retry_at_ms: i64 },
}

/// Records how an attempt to send `refund` ended.
pub async fn settle_refund(
    store: &Store,
    refund: &OutboundRefund,
    attempt: &RefundAttempt,
) -> StoreResult<()> {
    let (status, gateway_refund, error, next): (&str, Option<&str>, Option<&str>, Option<i64>) =
        match attempt {
            RefundAttempt::Sent { gateway_refund } => {
                ("sent", Some(gateway_refund.as_str()), None, None)
            }
            RefundAttempt::Refused { reason } => ("refused", None, Some(reason.as_str()), None),
            RefundAttempt::Failed { error, retry_at_ms } => {
                ("queued", None, Some(error.as_str()), Some(*retry_at_ms))
            }
        };
    sqlx::query(
        "UPDATE gateway_refunds SET status = $1, gateway_refund = $2, last_error = $3, \
           next_attempt_at_ms = $4 \
         WHERE organisation_id = $5 AND refund_id = $6",
    )
    .bind(status)
    .bind(gateway_refund)
    .bind(error)
    .bind(next)
    .bind(refund.organisation_id.to_string())
    .bind(refund.refund_id.to_string())
    .execute(store.pool())
    .await?;
    Ok(())
}

/// What was refunded through Remit of the gateway's payment so far (the sandbox's own bookkeeping).
pub async fn refunded_of(
    conn: &mut AnyConnection,
    provider: Provider,
    gateway_payment: &str,
) -> StoreResult<Vec<Money>> {
    let rows = sqlx::query(
        "SELECT amount, currency FROM gateway_refunds \
         WHERE provider = $1 AND gateway_payment = $2 AND status = 'sent'",
    )
    .bind(provider.name())
    .bind(gateway_payment)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            let currency = Currency::parse(&row.try_get::<String, _>("currency")?)
                .map_err(|e| StoreError::corrupt("gateway refund currency", e))?;
            Money::parse(&row.try_get::<String, _>("amount")?, currency)
                .map_err(|e| StoreError::corrupt("gateway refund amount", e))
        })
        .collect()
}
