//! Push: a client's mutations, processed in order within one database transaction, each mutation's
//! effects in a savepoint of its own.
//!
//! For every mutation the client's progress is read. A mutation already processed is answered from its
//! recorded result; one that leaves a gap stops the push; the next one is decoded, checked and decided
//! by core, applied, numbered, and recorded together with its result, an audit row and the client's new
//! progress. A refused mutation's effects are rolled back to its savepoint but it is recorded the same
//! way, so a replayed push always gets the same answer and never applies anything twice.
//!
//! The reply leaves only after the one commit: every result in it is durable. A push that fails halfway
//! (the database goes away) commits nothing and is simply sent again. One commit per push rather than
//! per mutation is what makes a queue of 1,000 mutations fast: a commit waits for the disk.

use remit_core::decide::Cause;
use remit_core::ids::ClientId;
use remit_core::sync::{
    ACCEPTED_PROTOCOL_VERSIONS, Mutation, MutationError, MutationResult, MutationStatus,
    PushRequest, PushResponse, Turn,
};
use serde_json::json;
use sqlx::Connection;

use remit_core::decide::threads::AnswerMail;
use remit_core::ids::MailId;

use super::apply::{ApplyError, Ctx, apply};
use super::{Caller, SyncError};
use crate::clock::Clock;
use crate::mail::link::LinkMailError;
use crate::portal::links::{self, LinkError};
use crate::store::sync_log::{self, AuditEntry};
use crate::store::{Store, StoreError, WriteTx};

/// The longest mutation name kept in the audit log (names come from clients).
const MAX_AUDITED_NAME: usize = 100;

pub async fn push(
    store: &Store,
    clock: &Clock,
    caller: &Caller,
    request: &PushRequest,
) -> Result<PushResponse, SyncError> {
    push_at(store, clock, caller, request, None).await
}

/// [`push`], from a browser at `origin` (`https://remit.example`): the portal's address in the mails a
/// mutation sends with a fresh portal link (an answer to a customer's question).
pub async fn push_at(
    store: &Store,
    clock: &Clock,
    caller: &Caller,
    request: &PushRequest,
    origin: Option<&str>,
) -> Result<PushResponse, SyncError> {
    if !ACCEPTED_PROTOCOL_VERSIONS.contains(&request.protocol_version) {
        return Err(SyncError::UnsupportedProtocolVersion(
            request.protocol_version,
        ));
    }
    let mut last_mutation_id = register(store, clock, caller, request.client_id).await?;
    let mut results = Vec::with_capacity(request.mutations.len());
    let mut tx = store.write().await?;
    for mutation in &request.mutations {
        let (result, last) = process(
            &mut tx,
            (clock, origin),
            caller,
            request.client_id,
            mutation,
        )
        .await?;
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
    tx.commit().await?;
    Ok(PushResponse {
        last_mutation_id,
        results,
    })
}

/// Ties a new client to the caller (user and organisation); refuses a client registered by anyone else.
/// Returns the client's progress.
async fn register(
    store: &Store,
    clock: &Clock,
    caller: &Caller,
    client: ClientId,
) -> Result<u64, SyncError> {
    let mut tx = store.write().await?;
    sync_log::register_client(
        &mut tx,
        client,
        caller.organisation_id,
        caller.user_id,
        clock.now_ms(),
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

/// Processes one mutation within the push's transaction; returns its result and the client's progress
/// after it.
pub(super) async fn process(
    tx: &mut WriteTx,
    (clock, origin): (&Clock, Option<&str>),
    caller: &Caller,
    client: ClientId,
    mutation: &Mutation,
) -> Result<(MutationResult, u64), SyncError> {
    let last = sync_log::claim_client(&mut *tx, client)
        .await?
        .ok_or_else(|| StoreError::corrupt("client", "registered client is missing"))?;
    match Turn::of(mutation.id, last) {
        Turn::Processed => {
            let result = sync_log::recorded_result(&mut *tx, client, mutation.id)
                .await?
                .ok_or_else(|| {
                    StoreError::corrupt("mutation result", "processed but not recorded")
                })?;
            Ok((result, last))
        }
        Turn::Gap(error) => Ok((refused(mutation, error), last)),
        Turn::Next => {
            let ctx = Ctx {
                cause: Cause {
                    organisation: caller.organisation_id,
                    user: caller.user_id,
                    client,
                    mutation_id: mutation.id,
                },
                now: clock.now_ms(),
            };
            let result = apply_next(tx, (caller, clock, origin), ctx, mutation).await?;
            Ok((result, mutation.id))
        }
    }
}

fn refused(mutation: &Mutation, error: MutationError) -> MutationResult {
    MutationResult {
        id: mutation.id,
        status: error.status(),
        error: Some(error),
    }
}

/// Applies the client's next mutation and records its result and audit row. Its effects go into a
/// savepoint, so a refusal found halfway leaves nothing behind while its result is still recorded in
/// the enclosing transaction.
async fn apply_next(
    tx: &mut WriteTx,
    (caller, clock, origin): (&Caller, &Clock, Option<&str>),
    ctx: Ctx,
    mutation: &Mutation,
) -> Result<MutationResult, SyncError> {
    let mut effects = tx.begin().await?;
    let outcome = apply(&mut effects, caller, ctx, mutation).await;
    let (result, change_no, summary) = match outcome {
        Ok(mut applied) => {
            let mails =
                tell_customers(&mut effects, (caller, clock, origin), &applied.answers).await?;
            if !mails.is_empty() {
                applied.audit["mails"] = json!(mails);
            }
            effects.commit().await?;
            let result = MutationResult {
                id: mutation.id,
                status: MutationStatus::Applied,
                error: None,
            };
            (result, applied.change_no, applied.audit)
        }
        Err(ApplyError::Refused(error)) => {
            effects.rollback().await?;
            let summary = json!({ "error": error });
            (refused(mutation, error), None, summary)
        }
        Err(ApplyError::Store(e)) => return Err(e.into()),
    };
    record(tx, caller, ctx, mutation, &result, change_no, summary).await?;
    Ok(result)
}

/// Hands each customer whose question a mutation answered a fresh portal link by mail, in the
/// mutation's transaction; the mails' ids. A mail that cannot be made (no origin to give the address
/// from, wording that cannot be written) leaves the answer recorded and readable through the
/// customer's earlier links, and is logged; a database failure fails the push, to be sent again.
async fn tell_customers(
    effects: &mut sqlx::Transaction<'_, sqlx::Any>,
    (caller, clock, origin): (&Caller, &Clock, Option<&str>),
    answers: &[AnswerMail],
) -> Result<Vec<MailId>, SyncError> {
    let mut mails = Vec::with_capacity(answers.len());
    for answer in answers {
        let Some(origin) = origin else {
            tracing::error!(thread = %answer.thread_id, "no origin to give the answer's portal link from: not mailed");
            continue;
        };
        let mut one = effects.begin().await?;
        match links::mail_answer(&mut one, clock, answer, caller, origin).await {
            Ok(mail) => {
                one.commit().await?;
                mails.push(mail);
            }
            Err(LinkError::Store(e) | LinkError::Mail(LinkMailError::Store(e))) => {
                return Err(e.into());
            }
            Err(e) => {
                one.rollback().await?;
                tracing::error!(thread = %answer.thread_id, error = %e, "the answer's portal link was not mailed");
            }
        }
    }
    Ok(mails)
}

/// Records a processed mutation's result and its audit row.
async fn record(
    tx: &mut WriteTx,
    caller: &Caller,
    ctx: Ctx,
    mutation: &Mutation,
    result: &MutationResult,
    change_no: Option<u64>,
    summary: serde_json::Value,
) -> Result<(), SyncError> {
    let client = ctx.cause.client;
    sync_log::record_result(
        &mut *tx,
        client,
        caller.organisation_id,
        caller.user_id,
        result,
        ctx.now,
    )
    .await?;
    sync_log::append_audit(
        &mut *tx,
        &AuditEntry {
            organisation_id: caller.organisation_id,
            change_no,
            user_id: caller.user_id,
            client_id: client,
            mutation_id: mutation.id,
            mutation_name: audited_name(&mutation.name),
            status: result.status,
            at_ms: ctx.now,
            summary,
        },
    )
    .await?;
    Ok(())
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
}
