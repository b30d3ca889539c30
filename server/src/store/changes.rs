//! The organisation's change clock and its ordered log of changes: every stored change of a record takes
//! the next change number and appends a `put` or `del` here, and a pull reads the log back in order.
//! Taking a change number also serialises the organisation's writers (see [`lock_organisation`]).

use remit_core::ids::OrganisationId;
use remit_core::sync::{EntityKind, PatchOp, Record};
use sqlx::{AnyConnection, Row};
use uuid::Uuid;

use super::{StoreError, StoreResult, body, to_i64, to_u64};

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

/// Appends a change to the organisation's log.
pub async fn insert_change(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    op: &PatchOp,
) -> StoreResult<()> {
    let ((entity, id), body) = match op {
        PatchOp::Put { record, .. } => (
            (record.kind(), record.id()),
            Some(body::encode(record, "record")?),
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

/// Appends the change that puts `record` at change number `change`.
pub async fn insert_put(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    change: u64,
    record: Record,
) -> StoreResult<()> {
    insert_change(conn, organisation, &PatchOp::Put { change, record }).await
}

/// The organisation's newest change number (0 before its first change): how far a pull has to go.
pub async fn head(conn: &mut AnyConnection, organisation: OrganisationId) -> StoreResult<u64> {
    let newest: Option<i64> =
        sqlx::query_scalar("SELECT MAX(change_no) FROM changes WHERE organisation_id = $1")
            .bind(organisation.to_string())
            .fetch_one(conn)
            .await?;
    to_u64("change number", newest.unwrap_or(0))
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
                        record: body::decode::<Record>(&text, "change")?,
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
