//! Number leases: blocks of a device's series handed to it for issuing offline, each stored as core's
//! JSON beside the columns that find a device's code and a series' highest leased number.

use chrono::NaiveDate;
use remit_core::ids::{ClientId, LeaseId, OrganisationId};
use remit_core::numbering::lease::NumberLease;
use remit_core::sync::Record;
use sqlx::{AnyConnection, Row};

use super::changes::insert_put;
use super::{StoreResult, body, to_i64, to_u64};

pub async fn find_lease(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: LeaseId,
) -> StoreResult<Option<NumberLease>> {
    let row = sqlx::query("SELECT body FROM number_leases WHERE id = $1 AND organisation_id = $2")
        .bind(id.to_string())
        .bind(organisation.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| body::read(&r, "number lease")).transpose()
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
    .bind(body::encode(lease, "number lease")?)
    .bind(to_i64("change number", change_no)?)
    .execute(&mut *conn)
    .await?;
    insert_put(
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
