//! Issued invoices: each stored as core's JSON beside the columns that queries and uniqueness need; the
//! database itself refuses a second invoice at the same place in a sequence or with the same number.
//! Storing one advances its sequence ([`super::sequences`]) and appends its change.

use remit_core::document::issued::Invoice;
use remit_core::ids::{CustomerId, InvoiceId, OrganisationId};
use remit_core::numbering::InvoiceNumber;
use remit_core::sync::Record;
use sqlx::{AnyConnection, Row};

use super::changes::insert_put;
use super::sequences::advance_sequence;
use super::{StoreError, StoreResult, body, to_i64};

/// Stores a newly issued invoice, advances its sequence and appends its change.
pub async fn insert_invoice(
    conn: &mut AnyConnection,
    invoice: &Invoice,
    change_no: u64,
    now_ms: i64,
) -> StoreResult<()> {
    let snapshot = &invoice.snapshot;
    sqlx::query(
        "INSERT INTO invoices (id, organisation_id, customer_id, draft_id, number, sequence, position, \
           issue_date, currency, amount_due, lease_id, voided, body, change_no, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(invoice.id.to_string())
    .bind(invoice.organisation_id.to_string())
    .bind(invoice.customer_id.to_string())
    .bind(invoice.draft_id.to_string())
    .bind(snapshot.number.as_str())
    .bind(&invoice.place.sequence)
    .bind(to_i64("sequence position", invoice.place.position)?)
    .bind(snapshot.issue_date.to_string())
    .bind(snapshot.totals.amount_due.currency().code())
    .bind(snapshot.totals.amount_due.amount().to_string())
    .bind(invoice.lease_id.map(|l| l.to_string()))
    .bind(i64::from(invoice.voided.is_some()))
    .bind(body::encode(invoice, "invoice")?)
    .bind(to_i64("change number", change_no)?)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    advance_sequence(
        conn,
        invoice.organisation_id,
        &invoice.place.sequence,
        invoice.place.position,
        snapshot.issue_date,
    )
    .await?;
    insert_put(
        conn,
        invoice.organisation_id,
        change_no,
        Record::Invoice(Box::new(invoice.clone())),
    )
    .await
}

/// Replaces a stored invoice with its voided form and appends its change.
pub async fn mark_voided(
    conn: &mut AnyConnection,
    invoice: &Invoice,
    change_no: u64,
) -> StoreResult<()> {
    sqlx::query(
        "UPDATE invoices SET voided = 1, body = $1, change_no = $2 \
         WHERE id = $3 AND organisation_id = $4",
    )
    .bind(body::encode(invoice, "invoice")?)
    .bind(to_i64("change number", change_no)?)
    .bind(invoice.id.to_string())
    .bind(invoice.organisation_id.to_string())
    .execute(&mut *conn)
    .await?;
    insert_put(
        conn,
        invoice.organisation_id,
        change_no,
        Record::Invoice(Box::new(invoice.clone())),
    )
    .await
}

pub async fn find_invoice(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: InvoiceId,
) -> StoreResult<Option<Invoice>> {
    let row = sqlx::query("SELECT body FROM invoices WHERE id = $1 AND organisation_id = $2")
        .bind(id.to_string())
        .bind(organisation.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| body::read(&r, "invoice")).transpose()
}

/// The organisation's invoices, oldest first (of one customer when given).
pub async fn list_invoices(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: Option<CustomerId>,
) -> StoreResult<Vec<Invoice>> {
    let rows = sqlx::query(
        "SELECT body FROM invoices WHERE organisation_id = $1 AND ($2 IS NULL OR customer_id = $2) \
         ORDER BY issue_date, number",
    )
    .bind(organisation.to_string())
    .bind(customer.map(|c| c.to_string()))
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| body::read(r, "invoice")).collect()
}

/// Numbers already issued from a draft (one, unless two devices issued it), in order.
///
/// Sorted here, not by the query: with `ORDER BY number`, SQLite walks the organisation's
/// `(organisation_id, number)` index to skip the sort, reading every invoice of the organisation,
/// instead of the `invoices_draft` index that finds the one or two rows.
pub async fn numbers_issued_from_draft(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    draft: InvoiceId,
) -> StoreResult<Vec<InvoiceNumber>> {
    let rows =
        sqlx::query("SELECT number FROM invoices WHERE organisation_id = $1 AND draft_id = $2")
            .bind(organisation.to_string())
            .bind(draft.to_string())
            .fetch_all(conn)
            .await?;
    let mut numbers: Vec<String> = rows
        .iter()
        .map(|r| r.try_get("number"))
        .collect::<Result<_, _>>()?;
    numbers.sort();
    numbers
        .iter()
        .map(|n| InvoiceNumber::parse(n).map_err(|e| StoreError::corrupt("invoice number", e)))
        .collect()
}
