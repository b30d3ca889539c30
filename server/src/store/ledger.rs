//! Customers' accounts as their recorded events, in order. The server appends; core replays
//! ([`remit_core::receivables::events::replay`]) to know balances, open items and credit.

use remit_core::ids::{CustomerId, OrganisationId};
use remit_core::receivables::events::AccountEvent;
use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, body, to_i64};

/// The customer's events, oldest first.
pub async fn events(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<Vec<AccountEvent>> {
    let rows = sqlx::query(
        "SELECT event FROM account_events WHERE organisation_id = $1 AND customer_id = $2 ORDER BY seq",
    )
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| body::decode(&r.try_get::<String, _>("event")?, "account event"))
        .collect()
}

/// Appends an event to the customer's account.
pub async fn append(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
    event: &AccountEvent,
    change_no: u64,
) -> StoreResult<()> {
    let event = body::encode(event, "account event")?;
    sqlx::query(
        "INSERT INTO account_events (organisation_id, customer_id, seq, event, change_no) \
         SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4 FROM account_events \
         WHERE organisation_id = $1 AND customer_id = $2",
    )
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .bind(event)
    .bind(to_i64("change number", change_no)?)
    .execute(conn)
    .await?;
    Ok(())
}

/// The customers with events, for checks over the whole organisation.
pub async fn customers(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<Vec<CustomerId>> {
    let rows = sqlx::query(
        "SELECT DISTINCT customer_id FROM account_events WHERE organisation_id = $1 ORDER BY customer_id",
    )
    .bind(organisation.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            CustomerId::parse(&r.try_get::<String, _>("customer_id")?)
                .map_err(|e| StoreError::corrupt("customer id", e))
        })
        .collect()
}
