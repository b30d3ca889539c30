//! The records sync carries (customers, invoice drafts) and the organisation's ordered log of changes.
//!
//! Each record is stored as its JSON body (exactly what core serializes) beside the columns queries need;
//! a draft also keeps the totals the server computed for it, as canonical text.

use remit_core::customer::Customer;
use remit_core::decide::Stored;
use remit_core::document::{DocumentTotals, InvoiceDraft};
use remit_core::ids::{ClientId, CustomerId, InvoiceId, OrganisationId};
use remit_core::sync::{DraftHead, EntityKind, PatchOp, Record};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{StoreError, StoreResult, to_i64, to_u64};

/// Takes the organisation's next change number. On PostgreSQL the update locks the organisation's clock
/// row until the transaction ends, so change numbers become visible to readers in the order they were
/// taken: a pull never sees change 7 before change 6 is committed.
pub async fn next_change_no(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<u64> {
    let row = sqlx::query("UPDATE org_clock SET v = v + 1 WHERE organisation_id = $1 RETURNING v")
        .bind(organisation.to_string())
        .fetch_one(conn)
        .await?;
    to_u64("change number", row.try_get("v")?)
}

/// Waits for the organisation's other writes to commit and holds them off until this transaction ends
/// (the clock row's lock on PostgreSQL; SQLite's single writer already holds the database).
pub async fn lock_organisation(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<()> {
    sqlx::query("UPDATE org_clock SET v = v WHERE organisation_id = $1")
        .bind(organisation.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// The organisation a customer id belongs to, if the id is in use.
pub async fn customer_owner(
    conn: &mut AnyConnection,
    id: CustomerId,
) -> StoreResult<Option<OrganisationId>> {
    owner(
        conn,
        "SELECT organisation_id FROM customers WHERE id = $1",
        id.as_uuid(),
    )
    .await
}

async fn owner(
    conn: &mut AnyConnection,
    sql: &'static str,
    id: Uuid,
) -> StoreResult<Option<OrganisationId>> {
    let row = sqlx::query(sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| organisation_id(&r.try_get::<String, _>("organisation_id")?))
        .transpose()
}

pub async fn upsert_customer(
    conn: &mut AnyConnection,
    customer: &Customer,
    change_no: u64,
    now_ms: i64,
) -> StoreResult<()> {
    let body = serde_json::to_string(customer).map_err(|e| StoreError::corrupt("customer", e))?;
    sqlx::query(
        "INSERT INTO customers \
           (id, organisation_id, name, email, currency, payment_terms_days, body, change_no, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
         ON CONFLICT (id) DO UPDATE SET \
           name = excluded.name, email = excluded.email, currency = excluded.currency, \
           payment_terms_days = excluded.payment_terms_days, body = excluded.body, \
           change_no = excluded.change_no, updated_at_ms = excluded.updated_at_ms \
         WHERE customers.organisation_id = excluded.organisation_id",
    )
    .bind(customer.id.to_string())
    .bind(customer.organisation_id.to_string())
    .bind(&customer.name)
    .bind(&customer.email)
    .bind(customer.currency.code())
    .bind(i64::from(customer.payment_terms_days))
    .bind(body)
    .bind(to_i64("change number", change_no)?)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

/// A stored draft's organisation and the version facts the conflict decision needs.
pub async fn draft_head(
    conn: &mut AnyConnection,
    id: InvoiceId,
) -> StoreResult<Option<(OrganisationId, DraftHead)>> {
    let row = sqlx::query(
        "SELECT organisation_id, version, last_client_id FROM invoice_drafts WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(head).transpose()
}

/// Reads the organisation and version facts of a versioned row (a draft, or settings).
fn head(row: &sqlx::any::AnyRow) -> StoreResult<(OrganisationId, DraftHead)> {
    let last_client: String = row.try_get("last_client_id")?;
    Ok((
        organisation_id(&row.try_get::<String, _>("organisation_id")?)?,
        DraftHead {
            version: to_u64("version", row.try_get("version")?)?,
            last_client: ClientId::parse(&last_client)
                .map_err(|e| StoreError::corrupt("last client", e))?,
        },
    ))
}

/// Stores a draft (its `version` already the new one) with the totals the server computed for it.
pub async fn save_draft(
    conn: &mut AnyConnection,
    draft: &InvoiceDraft,
    totals: &DocumentTotals,
    client: ClientId,
    change_no: u64,
    now_ms: i64,
) -> StoreResult<()> {
    let body = serde_json::to_string(draft).map_err(|e| StoreError::corrupt("draft", e))?;
    sqlx::query(
        "INSERT INTO invoice_drafts \
           (id, organisation_id, customer_id, currency, issue_date, due_date, body, version, \
            last_client_id, line_net_total, tax_total, amount_due, change_no, updated_at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
         ON CONFLICT (id) DO UPDATE SET \
           customer_id = excluded.customer_id, currency = excluded.currency, \
           issue_date = excluded.issue_date, due_date = excluded.due_date, body = excluded.body, \
           version = excluded.version, last_client_id = excluded.last_client_id, \
           line_net_total = excluded.line_net_total, tax_total = excluded.tax_total, \
           amount_due = excluded.amount_due, change_no = excluded.change_no, \
           updated_at_ms = excluded.updated_at_ms \
         WHERE invoice_drafts.organisation_id = excluded.organisation_id",
    )
    .bind(draft.id.to_string())
    .bind(draft.organisation_id.to_string())
    .bind(draft.customer_id.to_string())
    .bind(draft.currency.code())
    .bind(draft.issue_date.to_string())
    .bind(draft.due_date.to_string())
    .bind(body)
    .bind(to_i64("draft version", draft.version)?)
    .bind(client.to_string())
    .bind(totals.line_net_total.amount().to_string())
    .bind(totals.tax_total.amount().to_string())
    .bind(totals.amount_due.amount().to_string())
    .bind(to_i64("change number", change_no)?)
    .bind(now_ms)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn delete_draft(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: InvoiceId,
) -> StoreResult<()> {
    sqlx::query("DELETE FROM invoice_drafts WHERE id = $1 AND organisation_id = $2")
        .bind(id.to_string())
        .bind(organisation.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// A customer of the organisation, as stored.
pub async fn find_customer(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: CustomerId,
) -> StoreResult<Option<Customer>> {
    let row = sqlx::query("SELECT body FROM customers WHERE id = $1 AND organisation_id = $2")
        .bind(id.to_string())
        .bind(organisation.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| body(&r.try_get::<String, _>("body")?, "customer"))
        .transpose()
}

/// A draft of the organisation, as stored.
pub async fn find_draft(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    id: InvoiceId,
) -> StoreResult<Option<InvoiceDraft>> {
    let row = sqlx::query("SELECT body FROM invoice_drafts WHERE id = $1 AND organisation_id = $2")
        .bind(id.to_string())
        .bind(organisation.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| body(&r.try_get::<String, _>("body")?, "draft"))
        .transpose()
}

/// The organisation's customers, by name.
pub async fn list_customers(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
) -> StoreResult<Vec<Customer>> {
    let rows =
        sqlx::query("SELECT body FROM customers WHERE organisation_id = $1 ORDER BY name, id")
            .bind(organisation.to_string())
            .fetch_all(conn)
            .await?;
    rows.iter()
        .map(|r| body(&r.try_get::<String, _>("body")?, "customer"))
        .collect()
}

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
    row.as_ref().map(head).transpose()
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
            record: body(&r.try_get::<String, _>("body")?, "record")?,
        })
    })
    .transpose()
}

/// The organisation's records of one kind (optionally of one customer), oldest change first.
pub async fn list_records<T: serde::de::DeserializeOwned>(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    kind: EntityKind,
    customer: Option<CustomerId>,
) -> StoreResult<Vec<T>> {
    let rows = sqlx::query(
        "SELECT body FROM records WHERE organisation_id = $1 AND entity = $2 \
           AND ($3 = '' OR customer_id = $3) ORDER BY change_no",
    )
    .bind(organisation.to_string())
    .bind(entity_name(kind))
    .bind(customer.map(|c| c.to_string()).unwrap_or_default())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| body(&r.try_get::<String, _>("body")?, "record"))
        .collect()
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
        Record::Settings(s) => serde_json::to_string(s),
        Record::Item(i) => serde_json::to_string(i),
        Record::Payment(p) => serde_json::to_string(p),
        Record::Refund(r) => serde_json::to_string(r),
        Record::Dispute(d) => serde_json::to_string(d),
        Record::Exception(e) => serde_json::to_string(e),
        other => {
            return Err(StoreError::corrupt(
                "record",
                format!("{:?} has its own table", other.kind()),
            ));
        }
    }
    .map_err(|e| StoreError::corrupt("record", e))?;
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
            return row
                .map(|r| organisation_id(&r.try_get::<String, _>("organisation_id")?))
                .transpose();
        }
    };
    owner(conn, sql, id).await
}

/// Appends a change to the organisation's log.
pub async fn insert_change(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    op: &PatchOp,
) -> StoreResult<()> {
    let ((entity, id), body) = match op {
        PatchOp::Put { record, .. } => (
            (record.kind(), record.id()),
            Some(serde_json::to_string(record).map_err(|e| StoreError::corrupt("record", e))?),
        ),
        PatchOp::Del { entity, id, .. } => ((*entity, *id), None),
    };
    let kind = match op {
        PatchOp::Put { .. } => "put",
        PatchOp::Del { .. } => "del",
    };
    sqlx::query(
        "INSERT INTO changes (organisation_id, change_no, entity, entity_id, op, body) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(organisation.to_string())
    .bind(to_i64("change number", op.change())?)
    .bind(entity_name(entity))
    .bind(id.to_string())
    .bind(kind)
    .bind(body)
    .execute(conn)
    .await?;
    Ok(())
}

/// Up to `limit` changes of the organisation after change number `after`, oldest first, each record
/// only at its latest change: a record changed again later is served there instead. A client that
/// pulls from the start therefore never holds a record's older state between two pages (a lease as it
/// was before it was handed back, a draft before it was issued), and a first sync carries each record
/// once. The order stays total: what a pull skips it will meet at its later change number.
pub async fn changes_after(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    after: u64,
    limit: u32,
) -> StoreResult<Vec<PatchOp>> {
    let rows = sqlx::query(
        "SELECT change_no, entity, entity_id, op, body FROM changes c \
         WHERE organisation_id = $1 AND change_no > $2 \
           AND NOT EXISTS (SELECT 1 FROM changes later \
             WHERE later.organisation_id = c.organisation_id AND later.entity = c.entity \
               AND later.entity_id = c.entity_id AND later.change_no > c.change_no) \
         ORDER BY change_no LIMIT $3",
    )
    .bind(organisation.to_string())
    .bind(to_i64("cookie", after)?)
    .bind(i64::from(limit))
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let change = to_u64("change number", r.try_get("change_no")?)?;
            let op: String = r.try_get("op")?;
            match op.as_str() {
                "put" => {
                    let text: Option<String> = r.try_get("body")?;
                    let text =
                        text.ok_or_else(|| StoreError::corrupt("change", "put without body"))?;
                    Ok(PatchOp::Put {
                        change,
                        record: body::<Record>(&text, "change")?,
                    })
                }
                "del" => {
                    let entity: String = r.try_get("entity")?;
                    let id: String = r.try_get("entity_id")?;
                    Ok(PatchOp::Del {
                        change,
                        entity: entity_kind(&entity)
                            .ok_or_else(|| StoreError::corrupt("change entity", entity))?,
                        id: Uuid::parse_str(&id)
                            .map_err(|e| StoreError::corrupt("change id", e))?,
                    })
                }
                _ => Err(StoreError::corrupt("change op", op)),
            }
        })
        .collect()
}

/// The stored name of an entity kind: the same word the wire uses.
pub fn entity_name(kind: EntityKind) -> &'static str {
    kind.name()
}

fn entity_kind(name: &str) -> Option<EntityKind> {
    EntityKind::parse(name)
}

fn organisation_id(text: &str) -> StoreResult<OrganisationId> {
    OrganisationId::parse(text).map_err(|e| StoreError::corrupt("organisation id", e))
}

fn body<T: serde::de::DeserializeOwned>(text: &str, what: &'static str) -> StoreResult<T> {
    serde_json::from_str(text).map_err(|e| StoreError::corrupt(what, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_names_are_the_wire_names() {
        for kind in EntityKind::ALL {
            assert_eq!(
                serde_json::to_value(kind).unwrap(),
                serde_json::Value::String(entity_name(kind).into())
            );
            assert_eq!(entity_kind(entity_name(kind)), Some(kind));
        }
        assert_eq!(entity_kind("invoices"), None);
    }
}
