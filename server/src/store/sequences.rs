//! Numbering: each sequence's last issued place, and every number the organisation has handed out with
//! its use (issued, voided, leased, returned unused), read across invoices, credit notes and leases.

use std::collections::HashSet;

use chrono::NaiveDate;
use remit_core::decide::issuing::SeriesHead;
use remit_core::ids::OrganisationId;
use remit_core::numbering::NumberUse;
use remit_core::numbering::lease::NumberLease;
use sqlx::{AnyConnection, Row};

use super::{StoreError, StoreResult, body, to_i64, to_u64};

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

fn date(text: &str) -> StoreResult<NaiveDate> {
    text.parse()
        .map_err(|e| StoreError::corrupt("sequence date", e))
}

/// Records that a sequence's document at `position`, dated `issue_date`, was issued. The head only
/// moves forward: a leased number issued late does not pull it back.
pub(super) async fn advance_sequence(
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

/// The places documents of the organisation take, with whether each is voided: invoices, then credit
/// notes (which are never voided).
const DOCUMENT_PLACES: [&str; 2] = [
    "SELECT sequence, position, voided FROM invoices WHERE organisation_id = $1",
    "SELECT sequence, position, CAST(0 AS BIGINT) AS voided FROM credit_notes \
     WHERE organisation_id = $1",
];

/// Every number the organisation has handed out, by sequence, with its use: issued or voided
/// documents, and leased numbers not (yet) on a document.
pub async fn number_uses(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<Vec<(String, u64, NumberUse)>> {
    let mut uses = Vec::new();
    for sql in DOCUMENT_PLACES {
        let rows = sqlx::query(sql)
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
    let issued: HashSet<(String, u64)> = uses.iter().map(|(s, n, _)| (s.clone(), *n)).collect();
    for r in rows {
        let lease: NumberLease = body::read(&r, "number lease")?;
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
