//! Drafts whose save or delete lost a race with another device, and settling them.
//!
//! What a resolution changes is core's decision (`remit_core::sync::merge::DraftConflict::settle`); this
//! module stores it: the change with its outbox mutation, and the conflict's removal, in one transaction,
//! so a resolution is never queued for the server while the conflict still shows (or the reverse).

use indexed_db_futures::prelude::*;
use remit_core::sync::{Command, Mutation};
use uuid::Uuid;
use wasm_bindgen::JsValue;

use super::outbox::{change_stores, stage};
use super::records::{ConflictRecord, DraftRecord, DraftRow, decode};
use super::schema::{CONFLICTS, INVOICE_DRAFTS};
use super::{Store, StoreError, StoreResult};

/// A conflict as this device holds it: its own copy, kept in `conflicts`, and the draft's row in
/// `invoice_drafts` (the server's copy once the pull after the conflict has stored it).
#[derive(Debug, Clone, PartialEq)]
pub struct HeldConflict {
    pub conflict: ConflictRecord,
    pub stored: Option<DraftRecord>,
}

impl Store {
    /// The conflict of draft `id`, read in one transaction with the draft's stored row; `None` when
    /// there is none (already resolved, here or in another tab).
    pub async fn conflict(&self, id: Uuid) -> StoreResult<Option<HeldConflict>> {
        let tx = self.read(&[CONFLICTS, INVOICE_DRAFTS])?;
        let key = id.to_string();
        let conflict: Option<JsValue> = tx.object_store(CONFLICTS)?.get(key.as_str()).await?;
        let Some(conflict) = conflict else {
            return Ok(None);
        };
        let drafts = tx.object_store(INVOICE_DRAFTS)?;
        let stored: Option<JsValue> = drafts.get(key).await?;
        Ok(Some(HeldConflict {
            conflict: decode(&tx.object_store(CONFLICTS)?, &conflict)?,
            // A draft kept unreadable from version 1 is no copy to compare with; a corrupt row fails.
            stored: match stored {
                Some(row) => DraftRow::decode(&drafts, &row)?.readable(),
                None => None,
            },
        }))
    }

    /// Settles the conflict of draft `id`: stages `change` (the draft, its outbox mutation and the sync
    /// state, as any local change) and removes the conflict, in one transaction. `None` leaves the
    /// server's state as it is and only removes the conflict.
    pub async fn settle_conflict(
        &self,
        id: Uuid,
        change: Option<&Command>,
    ) -> StoreResult<Option<Mutation>> {
        let mut stores = change_stores();
        stores.push(CONFLICTS);
        let tx = self.write(&stores)?;
        let conflicts = tx.object_store(CONFLICTS)?;
        let key = id.to_string();
        let held: Option<JsValue> = conflicts.get(key.as_str()).await?;
        if held.is_none() {
            // Resolved meanwhile (another tab): queueing the change again would replay it on the server.
            tx.abort().await?;
            return Err(StoreError::AlreadyResolved);
        }
        let mutation = match change {
            Some(change) => Some(stage(&tx, change).await?),
            None => None,
        };
        conflicts.delete(key).await?;
        tx.commit().await?;
        Ok(mutation)
    }
}
