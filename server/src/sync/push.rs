//! Push: a client's mutations, processed in order, each in its own database transaction.
//!
//! For every mutation the transaction reads the client's progress. A mutation already processed is
//! answered from its recorded result; one that leaves a gap stops the push; the next one is decoded,
//! checked and decided by core, applied, numbered, and recorded together with its result, an audit row
//! and the client's new progress. A refused mutation changes nothing but is recorded the same way, so a
//! replayed push always gets the same answer and never applies anything twice.

use remit_core::customer::Customer;
use remit_core::document::{InvoiceDraft, compute};
use remit_core::ids::{ClientId, OrganisationId};
use remit_core::sync::mutation::DraftRef;
use remit_core::sync::{
    ACCEPTED_PROTOCOL_VERSIONS, Command, EntityKind, Mutation, MutationError, MutationResult,
    MutationStatus, PatchOp, PushRequest, PushResponse, Record, decide_draft_delete,
    decide_draft_save,
};
use remit_core::validation::{Rule, ValidationError};
use serde_json::json;
use sqlx::{AnyConnection, Connection};

use super::{Caller, SyncError};
use crate::clock::now_ms;
use crate::store::records::{self, entity_name};
use crate::store::sync_log::{self, AuditEntry};
use crate::store::{Store, StoreError};

/// The longest mutation name kept in the audit log (names come from clients).
const MAX_AUDITED_NAME: usize = 100;

pub async fn push(
    store: &Store,
    caller: &Caller,
    request: &PushRequest,
) -> Result<PushResponse, SyncError> {
    if !ACCEPTED_PROTOCOL_VERSIONS.contains(&request.protocol_version) {
        return Err(SyncError::UnsupportedProtocolVersion(
            request.protocol_version,
        ));
    }
    let mut last_mutation_id = register(store, caller, request.client_id).await?;
    let mut results = Vec::with_capacity(request.mutations.len());
    for mutation in &request.mutations {
        let (result, last) = process(store, caller, request.client_id, mutation).await?;
        tracing::info!(
            client_id = %request.client_id,
            mutation_id = mutation.id,
            name = audited_name(&mutation.name),
            status = sync_log::status_name(result.status),
            "mutation processed"
        );
        last_mutation_id = last;
        let stop = result.status == MutationStatus::OutOfOrder;
        results.push(result);
        if stop {
            break;
        }
    }
    Ok(PushResponse {
        last_mutation_id,
        results,
    })
}

/// Ties a new client to the caller (user and organisation); refuses a client registered by anyone else.
/// Returns the client's progress.
async fn register(store: &Store, caller: &Caller, client: ClientId) -> Result<u64, SyncError> {
    let mut tx = store.write().await?;
    sync_log::register_client(
        &mut tx,
        client,
        caller.organisation_id,
        caller.user_id,
        now_ms(),
    )
    .await?;
    let state = sync_log::find_client(&mut tx, client)
        .await?
        .ok_or_else(|| StoreError::corrupt("client", "registration cannot be read back"))?;
    if !caller.owns(&state) {
        return Err(SyncError::ForeignClient);
    }
    tx.commit().await?;
    Ok(state.last_mutation_id)
}

/// Processes one mutation in one transaction; returns its result and the client's progress after it.
async fn process(
    store: &Store,
    caller: &Caller,
    client: ClientId,
    mutation: &Mutation,
) -> Result<(MutationResult, u64), SyncError> {
    let mut tx = store.write().await?;
    let last = sync_log::claim_client(&mut tx, client)
        .await?
        .ok_or_else(|| StoreError::corrupt("client", "registered client is missing"))?;
    if mutation.id <= last {
        let result = sync_log::recorded_result(&mut tx, client, mutation.id)
            .await?
            .ok_or_else(|| StoreError::corrupt("mutation result", "processed but not recorded"))?;
        tx.rollback().await?;
        return Ok((result, last));
    }
    if mutation.id != last + 1 {
        tx.rollback().await?;
        let error = MutationError::out_of_order(mutation.id, last + 1);
        let result = MutationResult {
            id: mutation.id,
            status: error.status(),
            error: Some(error),
        };
        return Ok((result, last));
    }

    let now = now_ms();
    // The mutation's effects go into a savepoint, so a refusal found halfway leaves nothing behind while
    // its result is still recorded in the enclosing transaction.
    let outcome = {
        let mut effects = tx.begin().await?;
        let outcome = apply(&mut effects, caller, client, mutation, now).await?;
        if outcome.is_ok() {
            effects.commit().await?;
        } else {
            effects.rollback().await?;
        }
        outcome
    };
    let (status, error, change_no, summary) = match outcome {
        Ok(applied) => (
            MutationStatus::Applied,
            None,
            applied.change_no,
            applied.summary,
        ),
        Err(error) => {
            let status = error.status();
            let summary = json!({ "error": error });
            (status, Some(error), None, summary)
        }
    };
    let result = MutationResult {
        id: mutation.id,
        status,
        error,
    };
    sync_log::record_result(
        &mut tx,
        client,
        caller.organisation_id,
        caller.user_id,
        &result,
        now,
    )
    .await?;
    sync_log::append_audit(
        &mut tx,
        &AuditEntry {
            organisation_id: caller.organisation_id,
            change_no,
            user_id: caller.user_id,
            client_id: client,
            mutation_id: mutation.id,
            mutation_name: audited_name(&mutation.name),
            status,
            at_ms: now,
            summary,
        },
    )
    .await?;
    tx.commit().await?;
    Ok((result, mutation.id))
}

/// What an applied mutation did.
struct Applied {
    /// `None` when it changed nothing (deleting a draft that is already gone).
    change_no: Option<u64>,
    summary: serde_json::Value,
}

/// Decodes, checks and decides the mutation through core, then stores its effect. The outer error is a
/// failure of the database; the inner one the mutation's refusal.
async fn apply(
    conn: &mut AnyConnection,
    caller: &Caller,
    client: ClientId,
    mutation: &Mutation,
    now: i64,
) -> Result<Result<Applied, MutationError>, StoreError> {
    let command = match Command::decode(mutation)
        .and_then(|c| c.check(caller.organisation_id, caller.role).map(|()| c))
    {
        Ok(command) => command,
        Err(e) => return Ok(Err(e)),
    };
    match command {
        Command::UpsertCustomer(customer) => upsert_customer(conn, customer, now).await,
        Command::SaveDraft(draft) => save_draft(conn, draft, client, now).await,
        Command::DeleteDraft(target) => delete_draft(conn, target, client).await,
    }
}

async fn upsert_customer(
    conn: &mut AnyConnection,
    customer: Customer,
    now: i64,
) -> Result<Result<Applied, MutationError>, StoreError> {
    if let Some(e) = foreign(
        records::customer_owner(conn, customer.id).await?,
        &customer.organisation_id,
    ) {
        return Ok(Err(e));
    }
    let change = records::next_change_no(conn, customer.organisation_id).await?;
    records::upsert_customer(conn, &customer, change, now).await?;
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

async fn save_draft(
    conn: &mut AnyConnection,
    mut draft: InvoiceDraft,
    client: ClientId,
    now: i64,
) -> Result<Result<Applied, MutationError>, StoreError> {
    let organisation = draft.organisation_id;
    let stored = records::draft_head(conn, draft.id).await?;
    if let Some(e) = foreign(stored.map(|(o, _)| o), &organisation) {
        return Ok(Err(e));
    }
    if records::customer_owner(conn, draft.customer_id).await? != Some(organisation) {
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
    let change = records::next_change_no(conn, organisation).await?;
    records::save_draft(conn, &draft, &totals, client, change, now).await?;
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

async fn delete_draft(
    conn: &mut AnyConnection,
    target: DraftRef,
    client: ClientId,
) -> Result<Result<Applied, MutationError>, StoreError> {
    let stored = records::draft_head(conn, target.id).await?;
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
    let change = records::next_change_no(conn, target.organisation_id).await?;
    records::delete_draft(conn, target.organisation_id, target.id).await?;
    records::insert_change(
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
    records::insert_change(conn, organisation, &PatchOp::Put { change, record }).await
}

/// Refuses to touch an id that another organisation already uses. Ids come from clients; a client must
/// not be able to overwrite (or learn more than the existence of) another tenant's record.
fn foreign(owner: Option<OrganisationId>, caller: &OrganisationId) -> Option<MutationError> {
    match owner {
        Some(owner) if owner != *caller => Some(MutationError::forbidden(
            "id",
            "id is already used by a record the signed-in user cannot change",
        )),
        _ => None,
    }
}

fn audited_name(name: &str) -> &str {
    match name.char_indices().nth(MAX_AUDITED_NAME) {
        Some((end, _)) => &name[..end],
        None => name,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_mutation_name_is_cut_for_the_audit_log() {
        assert_eq!(audited_name("customer.upsert"), "customer.upsert");
        let long = "é".repeat(150);
        assert_eq!(audited_name(&long).chars().count(), MAX_AUDITED_NAME);
    }

    #[test]
    fn only_another_organisations_id_is_foreign() {
        let mine = OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap();
        let theirs = OrganisationId::parse("019a4d5e-0000-7000-8000-000000000002").unwrap();
        assert!(foreign(None, &mine).is_none());
        assert!(foreign(Some(mine), &mine).is_none());
        assert_eq!(
            foreign(Some(theirs), &mine).unwrap().kind,
            remit_core::sync::MutationErrorKind::Forbidden
        );
    }
}
