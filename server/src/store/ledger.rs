//! Customers' accounts as their recorded events, in order, and a snapshot of each account beside them.
//! The server appends; core replays ([`remit_core::receivables::events::replay`]) and applies
//! ([`AccountEvent::apply`]) to know balances, open items and credit.
//!
//! The events are the source of truth. The snapshot (`account_snapshots`) is the account they add up
//! to, updated by core's [`AccountEvent::apply`] in the same transaction as each appended event, so a
//! change reads one row instead of replaying the customer's history. A customer without a snapshot (its
//! events are older than the snapshots) is replayed, and gets its snapshot with its next event.
//! [`check_snapshot`] replays the events and compares them with the snapshot.

use remit_core::ids::{CustomerId, OrganisationId};
use remit_core::receivables::account::Account;
use remit_core::receivables::events::{self, AccountEvent};
use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, body, to_i64, to_u64};

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

/// The customer's account: its snapshot, or, without one, its events replayed by core.
pub async fn account(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<Account> {
    Ok(current(conn, organisation, customer).await?.1)
}

/// A customer's account as read in a transaction, with the `seq` of the last event it has taken in (0
/// for none): what [`append`] applies the next event to.
pub type Position = (u64, Account);

/// The account and the `seq` of the last event it has taken in (0 for none).
pub async fn current(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<(u64, Account)> {
    match snapshot(conn, organisation, customer).await? {
        Some(snapshot) => Ok(snapshot),
        None => replayed(conn, organisation, customer).await,
    }
}

/// The stored snapshot, if the customer has one.
async fn snapshot(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<Option<(u64, Account)>> {
    let row = sqlx::query(
        "SELECT seq, account FROM account_snapshots WHERE organisation_id = $1 AND customer_id = $2",
    )
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok((
            to_u64("account snapshot seq", r.try_get("seq")?)?,
            body::decode(&r.try_get::<String, _>("account")?, "account snapshot")?,
        ))
    })
    .transpose()
}

/// The account core's replay of the customer's events gives, and how many events there are.
async fn replayed(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<(u64, Account)> {
    let stored = events(conn, organisation, customer).await?;
    let account = events::replay(&stored).map_err(|e| StoreError::corrupt("account", e))?;
    Ok((stored.len() as u64, account))
}

/// Appends an event to the customer's account, and the account core's [`AccountEvent::apply`] makes
/// of it to the snapshot. Call it within the transaction that records what the event is about. `read`
/// is the account as [`current`] read it earlier in this transaction, when the caller has it: the
/// snapshot is then not read and decoded a second time.
pub async fn append(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
    event: &AccountEvent,
    change_no: u64,
    read: Option<Position>,
) -> StoreResult<()> {
    let (last, mut account) = match read {
        Some(position) => position,
        None => current(conn, organisation, customer).await?,
    };
    event
        .apply(&mut account)
        .map_err(|e| StoreError::corrupt("account", e))?;
    let seq = to_i64("account event seq", last + 1)?;
    sqlx::query(
        "INSERT INTO account_events (organisation_id, customer_id, seq, event, change_no) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .bind(seq)
    .bind(body::encode(event, "account event")?)
    .bind(to_i64("change number", change_no)?)
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "INSERT INTO account_snapshots (organisation_id, customer_id, seq, account) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (organisation_id, customer_id) DO UPDATE SET \
           seq = excluded.seq, account = excluded.account",
    )
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .bind(seq)
    .bind(body::encode(&account, "account snapshot")?)
    .execute(conn)
    .await?;
    Ok(())
}

/// How a customer's snapshot compares with its events replayed by core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotCheck {
    /// The snapshot is the account the events give, up to the last event.
    Agrees,
    /// No snapshot yet: the events are older than the snapshots (the next event writes one).
    Missing,
    /// The snapshot is not what the events give: it was changed behind Remit's back, or written wrong.
    Disagrees { snapshot_seq: u64, events: u64 },
}

/// Replays the customer's events and compares the account with the stored snapshot.
pub async fn check_snapshot(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<SnapshotCheck> {
    let Some((snapshot_seq, stored)) = snapshot(conn, organisation, customer).await? else {
        return Ok(SnapshotCheck::Missing);
    };
    let (events, replayed) = replayed(conn, organisation, customer).await?;
    Ok(if snapshot_seq == events && stored == replayed {
        SnapshotCheck::Agrees
    } else {
        SnapshotCheck::Disagrees {
            snapshot_seq,
            events,
        }
    })
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
