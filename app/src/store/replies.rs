//! Applying the server's replies, as core interprets them, each in one transaction.
//!
//! The sync state is read inside the transaction that applies a reply, and core's `on_push` / `on_pull`
//! run on that fresh copy: a local change committed while the request was on the network (which advanced
//! `next_mutation_id` and added to the outbox) is never overwritten by a stale copy of the state.

use remit_core::sync::{
    ClientSync, Command, PullPlan, PullResponse, PushOutcome, PushRequest, PushResponse, Record,
};

use super::listing::{refresh_invoices, touched_invoices};
use super::meta::{self, SYNC};
use super::outbox::{change_stores, outbox_key, read_outbox};
use super::records::{ConflictRecord, RejectedRecord, delete_record, put_record};
use super::schema::{CONFLICTS, META, OUTBOX, REJECTED};
use super::{Store, StoreError, StoreResult, to_js};

impl Store {
    /// Takes in the reply to `sent`: processed mutations leave the outbox, rejected ones are kept in
    /// `rejected`, each conflicting draft's local copy is kept in `conflicts`, and an invoice issued
    /// offline whose issue was refused is removed (the server never had it).
    pub async fn apply_push(
        &self,
        sent: &PushRequest,
        reply: &PushResponse,
    ) -> StoreResult<PushOutcome> {
        let mut stores = change_stores();
        stores.extend([CONFLICTS, REJECTED]);
        let tx = self.write(&stores)?;
        let meta = tx.object_store(META)?;
        let mut sync = current_sync(&meta).await?;
        let outcome = sync.on_push(sent, reply);
        let sent_mutation = |id: u64| sent.mutations.iter().find(|m| m.id == id);

        let rejected = tx.object_store(REJECTED)?;
        for result in &outcome.rejected {
            if let Some(mutation) = sent_mutation(result.id) {
                let record = RejectedRecord {
                    id: result.id,
                    mutation: mutation.clone(),
                    error: result.error.clone(),
                };
                rejected.put(to_js(&record)?).await?;
            }
        }
        let conflicts = tx.object_store(CONFLICTS)?;
        for result in &outcome.conflicts {
            let Some(mutation) = sent_mutation(result.id) else {
                continue;
            };
            let Ok(command) = Command::decode(mutation) else {
                continue;
            };
            let draft = match &command {
                Command::SaveDraft(draft) => Some(draft.clone()),
                _ => None,
            };
            let record = ConflictRecord {
                id: command.target().1,
                mutation: mutation.clone(),
                error: result.error.clone(),
                draft,
            };
            conflicts.put(to_js(&record)?).await?;
        }
        for (kind, id) in &outcome.discard {
            delete_record(&tx, *kind, *id).await?;
        }
        let outbox = tx.object_store(OUTBOX)?;
        for id in &outcome.done {
            outbox.delete(outbox_key(*id)).await?;
        }
        meta::put(&meta, SYNC, &sync).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Takes in one page of a pull: core rebases it under the pending outbox, and its plan (records to
    /// store or delete, outbox entries now done, the new cookie) is applied at once.
    pub async fn apply_pull(&self, reply: PullResponse) -> StoreResult<PullPlan> {
        let tx = self.write(&change_stores())?;
        let meta = tx.object_store(META)?;
        let mut sync = current_sync(&meta).await?;
        let pending = read_outbox(&tx).await?;
        let plan = sync.on_pull(reply, &pending);

        for record in &plan.put {
            put_record(&tx, record).await?;
        }
        let written = plan
            .put
            .iter()
            .filter_map(|record| match record {
                Record::Invoice(invoice) => Some(invoice.id),
                _ => None,
            })
            .collect();
        refresh_invoices(&tx, &touched_invoices(&plan.put), &written).await?;
        for (kind, id) in &plan.delete {
            delete_record(&tx, *kind, *id).await?;
        }
        let outbox = tx.object_store(OUTBOX)?;
        for id in &plan.done {
            outbox.delete(outbox_key(*id)).await?;
        }
        meta::put(&meta, SYNC, &sync).await?;
        tx.commit().await?;
        Ok(plan)
    }
}

async fn current_sync(
    meta: &indexed_db_futures::object_store::ObjectStore<'_>,
) -> StoreResult<ClientSync> {
    meta::get(meta, SYNC)
        .await?
        .ok_or_else(|| StoreError::SignedOut)
}
