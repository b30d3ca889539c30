//! Issued invoices and credit notes, the sequences they are numbered in, and the number leases of
//! devices. Each document is stored as core's JSON beside the columns that queries and uniqueness need:
//! the database itself refuses a second document at the same place in a sequence.

use chrono::NaiveDate;
use remit_core::decide::issuing::SeriesHead;
use remit_core::document::issued::{CreditNote, Invoice};
use remit_core::ids::{ClientId, InvoiceId, LeaseId, OrganisationId};
use remit_core::numbering::NumberUse;
use remit_core::numbering::lease::NumberLease;
use remit_core::sync::PatchOp;
use remit_core::sync::Record;
use sqlx::{AnyConnection, Row};

use super::records::insert_change;
use super::{StoreError, StoreResult, to_i64, to_u64};

fn json<T: serde::Serialize>(value: &T, what: &'static str) -> StoreResult<String> {
    serde_json::to_string(value).map_err(|e| StoreError::corrupt(what, e))
}

fn parse<T: serde::de::DeserializeOwned>(text: &str, what: &'static str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(what, e))
}

/// The body of the row of `table` with this id, in the organisation, read back as `T`.
async fn find<T: serde::de::DeserializeOwned>(
    conn: &mut AnyConnection,
    table: &'static str,
    organisation: OrganisationId,
    id: impl ToString,
) -> StoreResult<Option<T>> {
    let row = sqlx::query(&format!(
        "SELECT body FROM {table} WHERE id = $1 AND organisation_id = $2"
    ))
    .bind(id.to_string())
    .bind(organisation.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|r| parse(&r.try_get::<String, _>("body")?, table))
        .transpose()
}

fn date(text: &str) -> StoreResult<NaiveDate> {
    text.parse()
        .map_err(|e| StoreError::corrupt("sequence date", e))
}

/// The last document of a sequence, if it has one.
pub async fn sequence_head(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    sequence: &str,
) -> StoreResult<Option<SeriesHead>> {
    let row = sqlx::query(
        "SELECT last_position, last_issue_date FROM number_sequences \
         WHERE organisation_id = $1 AND sequence = $2",
    )
    .bind(organisation.to_string())
    .bind(sequence)
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(SeriesHead {
            position: to_u64("sequence position", r.try_get("last_position")?)?,
            issue_date: date(&r.try_get::<String, _>("last_issue_date")?)?,
        })
    })
    .transpose()
}

/// Records that a sequence's document at `position`, dated `issue_date`, was issued. The head only
/// moves forward: a leased number issued late does not pull it back.
async fn advance_sequence(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    sequence: &str,
    position: u64,
    issue_date: NaiveDate,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO number_sequences (organisation_id, sequence, last_position, last_issue_date) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (organisation_id, sequence) DO UPDATE SET \
           last_position = CASE WHEN excluded.last_position > number_sequences.last_position \
             THEN excluded.last_position ELSE number_sequences.last_position END, \
           last_issue_date = CASE WHEN excluded.last_issue_date > number_sequences.last_issue_date \
             THEN excluded.last_issue_date ELSE number_sequences.last_issue_date END",
    )
    .bind(organisation.to_string())
    .bind(sequence)
    .bind(to_i64("sequence position", position)?)
    .bind(issue_date.to_string())
    .execute(conn)
    .await?;
    Ok(())
}

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
    .bind(json(invoice, "invoice")?)
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
    put(
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
    .bind(json(invoice, "invoice")?)
    .bind(to_i64("change number", change_no)?)
    .bind(invoice.id.to_string())
    .bind(invoice.organisation_id.to_string())
    .execute(&mut *conn)
    .await?;
    put(
        conn,
        invoice.organisation_id,
        change_no,
        Record::Invoice(Box::new(invoice.clone())),
    )
    .await
}

async fn put(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    change: u64,
    record: Record,
) -> StoreResult<()> {
    insert_change(conn, organisation, &PatchOp::Put { change, record }).await
}

pub async fn find_invoice(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: InvoiceId,
) -> StoreResult<Option<Invoice>> {
    find(conn, "invoices", organisation, id).await
}

/// The organisation's invoices, oldest first (of one customer when given).
pub async fn list_invoices(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    customer: Option<remit_core::ids::CustomerId>,
) -> StoreResult<Vec<Invoice>> {
    let rows = sqlx::query(
        "SELECT body FROM invoices WHERE organisation_id = $1 AND ($2 = '' OR customer_id = $2) \
         ORDER BY issue_date, number",
    )
    .bind(organisation.to_string())
    .bind(customer.map(|c| c.to_string()).unwrap_or_default())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| parse(&r.try_get::<String, _>("body")?, "invoice"))
        .collect()
}

/// Numbers already issued from a draft (one, unless two devices issued it).
pub async fn numbers_issued_from_draft(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    draft: InvoiceId,
) -> StoreResult<Vec<remit_core::numbering::InvoiceNumber>> {
    let rows = sqlx::query(
        "SELECT number FROM invoices WHERE organisation_id = $1 AND draft_id = $2 ORDER BY number",
    )
    .bind(organisation.to_string())
    .bind(draft.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let n: String = r.try_get("number")?;
            remit_core::numbering::InvoiceNumber::parse(&n)
                .map_err(|e| StoreError::corrupt("invoice number", e))
        })
        .collect()
}

/// Whether a number is already on an invoice of the organisation.
pub async fn number_taken(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    number: &str,
) -> StoreResult<bool> {
    let row =
        sqlx::query("SELECT 1 AS one FROM invoices WHERE organisation_id = $1 AND number = $2")
            .bind(organisation.to_string())
            .bind(number)
            .fetch_optional(conn)
            .await?;
    Ok(row.is_some())
}

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
    .bind(json(note, "credit note")?)
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
    put(
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
    rows.iter()
        .map(|r| parse(&r.try_get::<String, _>("body")?, "credit note"))
        .collect()
}

pub async fn find_credit_note(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: remit_core::ids::CreditNoteId,
) -> StoreResult<Option<CreditNote>> {
    find(conn, "credit_notes", organisation, id).await
}

pub async fn find_lease(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: LeaseId,
) -> StoreResult<Option<NumberLease>> {
    find(conn, "number_leases", organisation, id).await
}

/// The code of a device's series: the one it leased under before, else `None`; and how many codes the
/// organisation has handed out.
pub async fn device_code(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    client: ClientId,
) -> StoreResult<(Option<String>, usize)> {
    let mine = sqlx::query("SELECT device_code FROM number_leases WHERE client_id = $1 LIMIT 1")
        .bind(client.to_string())
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| r.try_get::<String, _>("device_code"))
        .transpose()?;
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(DISTINCT device_code) FROM number_leases WHERE organisation_id = $1",
    )
    .bind(organisation.to_string())
    .fetch_one(conn)
    .await?;
    Ok((mine, usize::try_from(count).unwrap_or(0)))
}

/// The highest number leased so far in a device's sequence (0 when none).
pub async fn highest_leased(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    sequence: &str,
) -> StoreResult<u64> {
    let highest: Option<i64> = sqlx::query_scalar(
        "SELECT MAX(last_position) FROM number_leases WHERE organisation_id = $1 AND sequence = $2",
    )
    .bind(organisation.to_string())
    .bind(sequence)
    .fetch_one(conn)
    .await?;
    to_u64("lease position", highest.unwrap_or(0))
}

/// Stores a lease (new or handed back) and appends its change.
pub async fn save_lease(
    conn: &mut AnyConnection,
    lease: &NumberLease,
    device_code: &str,
    change_no: u64,
) -> StoreResult<()> {
    let sequence = lease.series.sequence_key(NaiveDate::MIN);
    sqlx::query(
        "INSERT INTO number_leases (id, organisation_id, client_id, device_code, sequence, \
           first_position, last_position, returned_from, body, change_no) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (id) DO UPDATE SET returned_from = excluded.returned_from, \
           body = excluded.body, change_no = excluded.change_no",
    )
    .bind(lease.id.to_string())
    .bind(lease.organisation_id.to_string())
    .bind(lease.client_id.to_string())
    .bind(device_code)
    .bind(sequence)
    .bind(to_i64("lease position", lease.first)?)
    .bind(to_i64("lease position", lease.last)?)
    .bind(
        lease
            .returned_from
            .map(|r| to_i64("lease position", r))
            .transpose()?,
    )
    .bind(json(lease, "number lease")?)
    .bind(to_i64("change number", change_no)?)
    .execute(&mut *conn)
    .await?;
    put(
        conn,
        lease.organisation_id,
        change_no,
        Record::NumberLease(lease.clone()),
    )
    .await
}

/// The highest position a lease's numbers were issued at (0 when none).
pub async fn highest_used_in_lease(conn: &mut AnyConnection, lease: LeaseId) -> StoreResult<u64> {
    let highest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(position) FROM invoices WHERE lease_id = $1")
            .bind(lease.to_string())
            .fetch_one(conn)
            .await?;
    to_u64("invoice position", highest.unwrap_or(0))
}

/// Every number the organisation has handed out, by sequence, with its use: issued or voided
/// documents, and leased numbers not (yet) on a document.
pub async fn number_uses(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<Vec<(String, u64, NumberUse)>> {
    let mut uses = Vec::new();
    for table in ["invoices", "credit_notes"] {
        let voided = if table == "invoices" {
            "voided"
        } else {
            "CAST(0 AS BIGINT) AS voided"
        };
        let rows = sqlx::query(&format!(
            "SELECT sequence, position, {voided} FROM {table} WHERE organisation_id = $1"
        ))
        .bind(organisation.to_string())
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            let use_ = if r.try_get::<i64, _>("voided")? == 1 {
                NumberUse::Voided
            } else {
                NumberUse::Issued
            };
            uses.push((
                r.try_get::<String, _>("sequence")?,
                to_u64("position", r.try_get("position")?)?,
                use_,
            ));
        }
    }
    let rows = sqlx::query("SELECT body FROM number_leases WHERE organisation_id = $1")
        .bind(organisation.to_string())
        .fetch_all(&mut *conn)
        .await?;
    let issued: std::collections::HashSet<(String, u64)> =
        uses.iter().map(|(s, n, _)| (s.clone(), *n)).collect();
    for r in rows {
        let lease: NumberLease = parse(&r.try_get::<String, _>("body")?, "number lease")?;
        let sequence = lease.series.sequence_key(NaiveDate::MIN);
        for n in lease.first..=lease.last {
            if issued.contains(&(sequence.clone(), n)) {
                continue;
            }
            let use_ = match lease.returned_from {
                Some(from) if n >= from => NumberUse::ReturnedUnused,
                _ => NumberUse::Leased,
            };
            uses.push((sequence.clone(), n, use_));
        }
    }
    Ok(uses)
}
