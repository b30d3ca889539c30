//! Customers and invoice drafts: records anyone with write access may change, drafts guarded by their
//! version so that two devices' edits never silently overwrite each other.

use remit_core::customer::Customer;
use remit_core::document::{InvoiceDraft, compute};
use remit_core::ids::{ClientId, OrganisationId};
use remit_core::sync::mutation::DraftRef;
use remit_core::sync::{
    EntityKind, MutationError, PatchOp, Record, decide_draft_delete, decide_draft_save,
};
use remit_core::validation::{Rule, ValidationError};
use serde_json::json;
use sqlx::AnyConnection;

use super::{Applied, Outcome, foreign};
use crate::store::StoreError;
use crate::store::changes::{self, entity_name};
use crate::store::{customers, drafts};

pub(super) async fn upsert_customer(
    conn: &mut AnyConnection,
    customer: Customer,
    now: i64,
) -> Outcome {
    if let Some(e) = foreign(
        customers::customer_owner(conn, customer.id).await?,
        &customer.organisation_id,
    ) {
        return Ok(Err(e));
    }
    let change = changes::next_change_no(conn, customer.organisation_id).await?;
    customers::upsert_customer(conn, &customer, change, now).await?;
    let summary = json!({
        "op": "put",
        "entity": entity_name(EntityKind::Customer),
        "id": customer.id,
        "name": customer.name,
    });
    put(
        conn,
        customer.organisation_id,
        change,
        Record::Customer(customer),
    )
    .await?;
    Ok(Ok(Applied {
        change_no: Some(change),
        summary,
    }))
}

pub(super) async fn save_draft(
    conn: &mut AnyConnection,
    mut draft: InvoiceDraft,
    client: ClientId,
    now: i64,
) -> Outcome {
    let organisation = draft.organisation_id;
    let stored = drafts::draft_head(conn, draft.id).await?;
    if let Some(e) = foreign(stored.map(|(o, _)| o), &organisation) {
        return Ok(Err(e));
    }
    if customers::customer_owner(conn, draft.customer_id).await? != Some(organisation) {
        return Ok(Err(MutationError::invalid(ValidationError::new(
            "customer_id",
            Rule::Matches {
                expected: "a customer of the organisation".into(),
            },
        ))));
    }
    let head = stored.map(|(_, head)| head);
    let version = match decide_draft_save(head.as_ref(), draft.version, client) {
        Ok(version) => version,
        Err(e) => return Ok(Err(e)),
    };
    // The server's totals, never the client's: recomputed by core from the lines.
    let totals = match compute(&draft) {
        Ok(totals) => totals,
        Err(e) => return Ok(Err(MutationError::invalid(e))),
    };
    draft.version = version;
    let change = changes::next_change_no(conn, organisation).await?;
    drafts::save_draft(conn, &draft, &totals, client, change, now).await?;
    let summary = json!({
        "op": "put",
        "entity": entity_name(EntityKind::InvoiceDraft),
        "id": draft.id,
        "version": version,
        "customer_id": draft.customer_id,
        "currency": draft.currency,
        "amount_due": totals.amount_due.amount().to_string(),
    });
    put(conn, organisation, change, Record::InvoiceDraft(draft)).await?;
    Ok(Ok(Applied {
        change_no: Some(change),
        summary,
    }))
}

pub(super) async fn delete_draft(
    conn: &mut AnyConnection,
    target: DraftRef,
    client: ClientId,
) -> Outcome {
    let stored = drafts::draft_head(conn, target.id).await?;
    if let Some(e) = foreign(stored.map(|(o, _)| o), &target.organisation_id) {
        return Ok(Err(e));
    }
    let head = stored.map(|(_, head)| head);
    let delete = match decide_draft_delete(head.as_ref(), target.version, client) {
        Ok(delete) => delete,
        Err(e) => return Ok(Err(e)),
    };
    let entity = entity_name(EntityKind::InvoiceDraft);
    if !delete {
        return Ok(Ok(Applied {
            change_no: None,
            summary: json!({ "op": "none", "entity": entity, "id": target.id, "reason": "already deleted" }),
        }));
    }
    let change = changes::next_change_no(conn, target.organisation_id).await?;
    drafts::delete_draft(conn, target.organisation_id, target.id).await?;
    changes::insert_change(
        conn,
        target.organisation_id,
        &PatchOp::Del {
            change,
            entity: EntityKind::InvoiceDraft,
            id: target.id.as_uuid(),
        },
    )
    .await?;
    Ok(Ok(Applied {
        change_no: Some(change),
        summary: json!({ "op": "del", "entity": entity, "id": target.id, "version": head.map(|h| h.version) }),
    }))
}

async fn put(
    conn: &mut AnyConnection,
    organisation: OrganisationId,
    change: u64,
    record: Record,
) -> Result<(), StoreError> {
    changes::insert_change(conn, organisation, &PatchOp::Put { change, record }).await
}
