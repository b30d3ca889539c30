//! Customers' accounts as their recorded events, in order, and beside them what core makes of the
//! events: each customer's position (`account_snapshots`), the settled invoices set aside from it
//! (`settled_invoices`), and the account's entries (`account_entries`). The server appends; core
//! replays ([`remit_core::receivables::events::replay`]) and applies ([`AccountEvent::apply`]).
//!
//! The events are the source of truth. The position is what decisions read, bounded by what is open
//! (see [`remit_core::receivables::position`]), so a change reads and writes one row whose size does not
//! grow with the customer's history, plus the settled invoices its event names and the entries it adds;
//! statements read the entries of their period. All of it is updated by core's [`AccountEvent::apply`]
//! in the same transaction as each appended event. A customer without a snapshot (its events are older
//! than the snapshots) is replayed, and gets its snapshot, settled invoices and entries with its next
//! event. [`check_snapshot`] replays the events and compares.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use remit_core::ids::{CustomerId, InvoiceId, OrganisationId};
use remit_core::receivables::account::{Account, Entry};
use remit_core::receivables::events::{self, AccountEvent};
use remit_core::receivables::position::{Position, SettledInvoice};
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

/// The customer's position: its snapshot, or, without one, its events replayed by core.
pub async fn position(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<Position> {
    let mut read = current(conn, organisation, customer, &[]).await?;
    read.position.settle_out();
    Ok(read.position)
}

/// A customer's position as read in a transaction: what [`append`] applies the next event to.
#[derive(Debug, Clone)]
pub struct Read {
    /// The `seq` of the last event the position has taken in (0 for none).
    seq: u64,
    position: Position,
    /// Invoices already looked for among the settled ones (and restored when found).
    looked_up: Vec<InvoiceId>,
    /// For a customer replayed because it has no snapshot yet: every entry, to store with its next
    /// event. Its position then still holds its settled invoices.
    unstored: Option<Vec<Entry>>,
}

impl Read {
    /// The account at the position read, for a decision to take.
    pub fn account(&self) -> Account {
        Account::open(self.position.clone())
    }
}

/// The customer's position and the `seq` of the last event it has taken in, with the settled
/// `invoices` restored into it: what an event naming them is decided on and applied to.
pub async fn current(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
    invoices: &[InvoiceId],
) -> StoreResult<Read> {
    let mut read = match snapshot(conn, organisation, customer).await? {
        Some((seq, position)) => Read {
            seq,
            position,
            looked_up: Vec::new(),
            unstored: None,
        },
        None => {
            let (seq, account) = replayed(conn, organisation, customer).await?;
            let (position, entries) = account.into_parts();
            Read {
                seq,
                position,
                looked_up: Vec::new(),
                unstored: Some(entries),
            }
        }
    };
    restore(conn, organisation, customer, &mut read, invoices).await?;
    Ok(read)
}

/// Restores the settled invoices among `invoices` that the position does not hold.
async fn restore(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
    read: &mut Read,
    invoices: &[InvoiceId],
) -> StoreResult<()> {
    if read.unstored.is_some() {
        return Ok(());
    }
    for &invoice in invoices {
        if read.position.holds(invoice) || read.looked_up.contains(&invoice) {
            continue;
        }
        read.looked_up.push(invoice);
        let row = sqlx::query(
            "SELECT invoice FROM settled_invoices \
             WHERE organisation_id = $1 AND customer_id = $2 AND invoice_id = $3",
        )
        .bind(organisation.to_string())
        .bind(customer.to_string())
        .bind(invoice.to_string())
        .fetch_optional(&mut *conn)
        .await?;
        if let Some(row) = row {
            let settled = body::decode(&row.try_get::<String, _>("invoice")?, "settled invoice")?;
            read.position.restore(settled);
        }
    }
    Ok(())
}

/// The stored snapshot, if the customer has one.
async fn snapshot(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<Option<(u64, Position)>> {
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
            // Borrowed from the row: a long position is decoded from where it lies, not from a copy.
            body::decode(r.try_get::<&str, _>("account")?, "account snapshot")?,
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

/// Appends an event to the customer's account, with what core's [`AccountEvent::apply`] makes of it:
/// the new position, the invoices it settles and its entries. Call it within the transaction that
/// records what the event is about. `read` is the position as [`current`] read it earlier in this
/// transaction, when the caller has it: the snapshot is then not read and decoded a second time.
pub async fn append(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
    event: &AccountEvent,
    change_no: u64,
    read: Option<Read>,
) -> StoreResult<()> {
    let named = event.invoices();
    let mut read = match read {
        Some(read) => read,
        None => current(conn, organisation, customer, &named).await?,
    };
    restore(conn, organisation, customer, &mut read, &named).await?;
    let mut account = Account::open(read.position);
    event
        .apply(&mut account)
        .map_err(|e| StoreError::corrupt("account", e))?;
    let (mut position, entries) = account.into_parts();
    let seq = to_i64("account event seq", read.seq + 1)?;
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
    for entry in read.unstored.iter().flatten().chain(&entries) {
        insert_entry(conn, organisation, customer, entry).await?;
    }
    for settled in position.settle_out() {
        save_settled(conn, organisation, customer, &settled).await?;
    }
    sqlx::query(
        "INSERT INTO account_snapshots (organisation_id, customer_id, seq, account) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (organisation_id, customer_id) DO UPDATE SET \
           seq = excluded.seq, account = excluded.account",
    )
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .bind(seq)
    .bind(body::encode(&position, "account snapshot")?)
    .execute(conn)
    .await?;
    Ok(())
}

async fn insert_entry(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
    entry: &Entry,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO account_entries (organisation_id, customer_id, seq, entry_date, entry) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .bind(to_i64("account entry seq", entry.seq)?)
    .bind(entry.date.to_string())
    .bind(body::encode(entry, "account entry")?)
    .execute(conn)
    .await?;
    Ok(())
}

async fn save_settled(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
    settled: &SettledInvoice,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO settled_invoices (organisation_id, customer_id, invoice_id, invoice) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (organisation_id, customer_id, invoice_id) DO UPDATE SET \
           invoice = excluded.invoice",
    )
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .bind(settled.invoice_id.to_string())
    .bind(body::encode(settled, "settled invoice")?)
    .execute(conn)
    .await?;
    Ok(())
}

/// The stored entries of the customer's account dated `from` or later (all of them without `from`),
/// in the order they were recorded.
async fn stored_entries(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
    from: Option<NaiveDate>,
) -> StoreResult<Vec<Entry>> {
    let rows = sqlx::query(
        "SELECT entry FROM account_entries \
         WHERE organisation_id = $1 AND customer_id = $2 AND entry_date >= $3 ORDER BY seq",
    )
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .bind(from.map_or_else(String::new, |d| d.to_string()))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| body::decode(&r.try_get::<String, _>("entry")?, "account entry"))
        .collect()
}

/// What a statement from `from` reads: the customer's position and its entries dated `from` or later.
pub async fn statement(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
    from: NaiveDate,
) -> StoreResult<(Position, Vec<Entry>)> {
    match snapshot(conn, organisation, customer).await? {
        Some((_, position)) => {
            let entries = stored_entries(conn, organisation, customer, Some(from)).await?;
            Ok((position, entries))
        }
        None => {
            let (mut position, entries) =
                replayed(conn, organisation, customer).await?.1.into_parts();
            position.settle_out();
            Ok((position, entries))
        }
    }
}

/// The settled invoices stored for the customer, by invoice.
async fn stored_settled(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<BTreeMap<InvoiceId, SettledInvoice>> {
    let rows = sqlx::query(
        "SELECT invoice FROM settled_invoices WHERE organisation_id = $1 AND customer_id = $2",
    )
    .bind(organisation.to_string())
    .bind(customer.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let settled: SettledInvoice =
                body::decode(&r.try_get::<String, _>("invoice")?, "settled invoice")?;
            Ok((settled.invoice_id, settled))
        })
        .collect()
}

/// How a customer's snapshot compares with its events replayed by core.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SnapshotCheck {
    /// The snapshot, the settled invoices and the entries are what the events give, up to the last
    /// event.
    Agrees,
    /// No snapshot yet: the events are older than the snapshots (the next event writes one).
    Missing,
    /// The snapshot is not what the events give: it was changed behind Remit's back, or written wrong.
    Disagrees { snapshot_seq: u64, events: u64 },
}

/// Replays the customer's events and compares the position, the settled invoices and the entries with
/// the stored ones.
pub async fn check_snapshot(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: CustomerId,
) -> StoreResult<SnapshotCheck> {
    let Some((snapshot_seq, stored)) = snapshot(conn, organisation, customer).await? else {
        return Ok(SnapshotCheck::Missing);
    };
    let (events, replayed) = replayed(conn, organisation, customer).await?;
    let (mut position, entries) = replayed.into_parts();
    let settled: BTreeMap<_, _> = position
        .settle_out()
        .into_iter()
        .map(|s| (s.invoice_id, s))
        .collect();
    let agrees = snapshot_seq == events
        && stored == position
        && stored_entries(conn, organisation, customer, None).await? == entries
        && stored_settled(conn, organisation, customer).await? == settled;
    Ok(if agrees {
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
