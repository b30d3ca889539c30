//! The generic `records` table: synced records that need no columns of their own beyond their
//! organisation (settings, catalogue items, payments, refunds, disputes, exception items, mails), each stored as
//! its JSON body with its version facts, and which organisation uses a record id in any table.

use remit_core::decide::Stored;
use remit_core::decide::catalogue::current_settings;
use remit_core::ids::{ClientId, CustomerId, OrganisationId};
use remit_core::settings::Settings;
use remit_core::sync::{DraftHead, EntityKind, PatchOp, Record};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::changes::{entity_name, insert_change};
use super::{StoreError, StoreResult, accounts, body, owner, to_i64, to_u64, version_head};

/// A record kept in the generic `records` table: its organisation and version facts.
pub async fn record_head(
    conn: &mut AnyConnection,
    kind: EntityKind,
    id: Uuid,
) -> StoreResult<Option<(OrganisationId, DraftHead)>> {
    let row = sqlx::query(
        "SELECT organisation_id, version, last_client_id FROM records WHERE entity = $1 AND id = $2",
    )
    .bind(entity_name(kind))
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(version_head).transpose()
}

/// A record of the `records` table, read back as `T` with its version, when the organisation has it.
pub async fn find_record<T: serde::de::DeserializeOwned>(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    kind: EntityKind,
    id: Uuid,
) -> StoreResult<Option<Stored<T>>> {
    let row = sqlx::query(
        "SELECT body, version FROM records WHERE entity = $1 AND id = $2 AND organisation_id = $3",
    )
    .bind(entity_name(kind))
    .bind(id.to_string())
    .bind(organisation.to_string())
    .fetch_optional(conn)
    .await?;
    row.map(|r| {
        Ok(Stored {
            version: to_u64("version", r.try_get("version")?)?,
            record: body::read(&r, "record")?,
        })
    })
    .transpose()
}

/// The organisation's records of one kind (of one customer when given), oldest change first.
pub async fn list_records<T: serde::de::DeserializeOwned>(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    kind: EntityKind,
    customer: Option<CustomerId>,
) -> StoreResult<Vec<T>> {
    let rows = sqlx::query(
        "SELECT body FROM records WHERE organisation_id = $1 AND entity = $2 \
           AND ($3 IS NULL OR customer_id = $3) ORDER BY change_no",
    )
    .bind(organisation.to_string())
    .bind(entity_name(kind))
    .bind(customer.map(|c| c.to_string()))
    .fetch_all(conn)
    .await?;
    rows.iter().map(|r| body::read(r, "record")).collect()
}

/// Where a record of the `records` table is written from.
pub struct RecordWrite<'a> {
    pub record: &'a Record,
    pub customer: Option<CustomerId>,
    pub version: u64,
    pub client: ClientId,
    pub change_no: u64,
    pub now_ms: i64,
}

/// Stores a record in the `records` table (replacing its earlier state) and appends its change.
pub async fn put_record(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    write: RecordWrite<'_>,
) -> StoreResult<()> {
    let value = match write.record {
        Record::Settings(s) => body::encode(s, "record"),
        Record::Item(i) => body::encode(i, "record"),
        Record::Payment(p) => body::encode(p, "record"),
        Record::Refund(r) => body::encode(r, "record"),
        Record::Dispute(d) => body::encode(d, "record"),
        Record::Exception(e) => body::encode(e, "record"),
        Record::Mail(m) => body::encode(m, "record"),
        Record::Thread(t) => body::encode(t, "record"),
        Record::ThreadMessage(m) => body::encode(m, "record"),
        other => Err(StoreError::corrupt(
            "record",
            format!("{:?} has its own table", other.kind()),
        )),
    }?;
    sqlx::query(
        "INSERT INTO records \
           (entity, id, organisation_id, customer_id, body, version, last_client_id, change_no, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (entity, id) DO UPDATE SET \
           customer_id = excluded.customer_id, body = excluded.body, version = excluded.version, \
           last_client_id = excluded.last_client_id, change_no = excluded.change_no, \
           updated_at_ms = excluded.updated_at_ms \
         WHERE records.organisation_id = excluded.organisation_id",
    )
    .bind(entity_name(write.record.kind()))
    .bind(write.record.id().to_string())
    .bind(organisation.to_string())
    .bind(write.customer.map(|c| c.to_string()))
    .bind(value)
    .bind(to_i64("record version", write.version)?)
    .bind(write.client.to_string())
    .bind(to_i64("change number", write.change_no)?)
    .bind(write.now_ms)
    .execute(&mut *conn)
    .await?;
    insert_change(
        conn,
        organisation,
        &PatchOp::Put {
            change: write.change_no,
            record: write.record.clone(),
        },
    )
    .await
}

/// The organisation that uses `id` for a record of `kind` in any table, if one does.
pub async fn record_owner(
    conn: &mut AnyConnection,
    kind: EntityKind,
    id: Uuid,
) -> StoreResult<Option<OrganisationId>> {
    let sql = match kind {
        EntityKind::Customer => "SELECT organisation_id FROM customers WHERE id = $1",
        EntityKind::InvoiceDraft => "SELECT organisation_id FROM invoice_drafts WHERE id = $1",
        EntityKind::Invoice => "SELECT organisation_id FROM invoices WHERE id = $1",
        EntityKind::CreditNote => "SELECT organisation_id FROM credit_notes WHERE id = $1",
        EntityKind::NumberLease => "SELECT organisation_id FROM number_leases WHERE id = $1",
        _ => {
            let row =
                sqlx::query("SELECT organisation_id FROM records WHERE entity = $1 AND id = $2")
                    .bind(entity_name(kind))
                    .bind(id.to_string())
                    .fetch_optional(conn)
                    .await?;
            return row.as_ref().map(super::row_organisation).transpose();
        }
    };
    owner(conn, sql, id).await
}

/// The organisation's settings as core says they are (saved, or a new organisation's).
pub async fn settings(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<Settings> {
    let saved = find_record(
        conn,
        organisation,
        EntityKind::Settings,
        organisation.as_uuid(),
    )
    .await?
    .map(|stored| stored.record);
    let name = accounts::organisation(conn, organisation)
        .await?
        .map(|o| o.name)
        .ok_or_else(|| {
            StoreError::corrupt("organisation", "a signed-in organisation is missing")
        })?;
    Ok(current_settings(saved, organisation, &name))
}
