//! Issued credit notes: each stored as core's JSON beside the columns that queries and uniqueness need,
//! numbered in their own sequences like invoices. Storing one advances its sequence
//! ([`super::sequences`]) and appends its change.

use remit_core::document::issued::CreditNote;
use remit_core::ids::{CreditNoteId, InvoiceId, OrganisationId};
use remit_core::sync::Record;
use sqlx::AnyConnection;

use super::changes::insert_put;
use super::sequences::advance_sequence;
use super::{StoreResult, body, to_i64};

pub async fn insert_credit_note(
    conn: &mut AnyConnection,
    note: &CreditNote,
    change_no: u64,
    now_ms: i64,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO credit_notes (id, organisation_id, customer_id, invoice_id, number, sequence, \
           position, issue_date, body, change_no, created_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(note.id.to_string())
    .bind(note.organisation_id.to_string())
    .bind(note.customer_id.to_string())
    .bind(note.invoice_id.to_string())
    .bind(note.snapshot.number.as_str())
    .bind(&note.place.sequence)
    .bind(to_i64("sequence position", note.place.position)?)
    .bind(note.snapshot.issue_date.to_string())
    .bind(body::encode(note, "credit note")?)
    .bind(to_i64("change number", change_no)?)
    .bind(now_ms)
    .execute(&mut *conn)
    .await?;
    advance_sequence(
        conn,
        note.organisation_id,
        &note.place.sequence,
        note.place.position,
        note.snapshot.issue_date,
    )
    .await?;
    insert_put(
        conn,
        note.organisation_id,
        change_no,
        Record::CreditNote(Box::new(note.clone())),
    )
    .await
}

/// The credit notes issued against an invoice, oldest first.
pub async fn credit_notes_of(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    invoice: InvoiceId,
) -> StoreResult<Vec<CreditNote>> {
    let rows = sqlx::query(
        "SELECT body FROM credit_notes WHERE organisation_id = $1 AND invoice_id = $2 ORDER BY position",
    )
    .bind(organisation.to_string())
    .bind(invoice.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| body::read(r, "credit note")).collect()
}

pub async fn find_credit_note(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: CreditNoteId,
) -> StoreResult<Option<CreditNote>> {
    let row = sqlx::query("SELECT body FROM credit_notes WHERE id = $1 AND organisation_id = $2")
        .bind(id.to_string())
        .bind(organisation.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| body::read(&r, "credit note")).transpose()
}
