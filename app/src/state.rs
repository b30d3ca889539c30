//! The app's shared state, provided as context to every screen: the open store, who is signed in, and a
//! revision counter that tells list screens to read IndexedDB again.
//!
//! Screens change data only through [`AppState::record`], [`AppState::record_all`], [`AppState::issue_offline`] and
//! [`AppState::settle_conflict`], which write IndexedDB first and then tell sync; they never call the
//! network for data (the numbering report, a server report, is the one read they make online).

use leptos::prelude::*;
use remit_core::document::InvoiceDraft;
use remit_core::ids::InvoiceId;
use remit_core::sync::{Command, MutationError};
use uuid::Uuid;

use crate::store::{Store, StoreError};
use crate::sync::{SyncHandle, SyncStatus};
use remit_core::organisation::SessionInfo;

#[derive(Clone, Copy)]
pub struct AppState {
    /// The IndexedDB connection (a JS handle, so kept in local, non-`Send` storage).
    pub store: StoredValue<Store, LocalStorage>,
    /// The signed-in account, read from IndexedDB at startup; `None` when signed out.
    pub session: RwSignal<Option<SessionInfo>>,
    /// Bumped whenever stored records change (a local save, a pull): list screens reload on it.
    pub revision: RwSignal<u64>,
    /// Another tab opened a newer schema: this tab closed its connection and must be reloaded.
    pub outdated: RwSignal<bool>,
    pub sync: SyncHandle,
}

impl AppState {
    pub fn store(&self) -> Store {
        self.store.get_value()
    }

    /// Stores a local change (record, outbox mutation and sync state in one transaction), then lets the
    /// screens and sync know.
    pub async fn record(&self, command: Command) -> Result<(), StoreError> {
        self.store().record(&command).await?;
        self.after_change().await;
        Ok(())
    }

    /// Stores several local changes in one transaction, in order (see [`Store::record_all`]), then lets
    /// the screens and sync know.
    pub async fn record_all(&self, commands: &[Command]) -> Result<(), StoreError> {
        self.store().record_all(commands).await?;
        self.after_change().await;
        Ok(())
    }

    /// Issues `draft` offline under this device's next leased number, as core decides, in one
    /// transaction (see [`Store::issue_offline`]); then lets the screens and sync know. The inner
    /// error is core's refusal, worded for the user.
    pub async fn issue_offline(
        &self,
        invoice_id: InvoiceId,
        draft: InvoiceDraft,
    ) -> Result<Result<(), MutationError>, StoreError> {
        let Some(session) = self.session.get_untracked() else {
            return Err(StoreError::SignedOut);
        };
        let issued = self
            .store()
            .issue_offline(invoice_id, draft, &session.organisation)
            .await?;
        if issued.is_ok() {
            self.after_change().await;
        }
        Ok(issued.map(|_| ()))
    }

    /// Settles the conflict of draft `id` with `change` (core's decision; `None` when the server's state
    /// stands), then lets the screens and sync know, as [`Self::record`] does.
    pub async fn settle_conflict(
        &self,
        id: Uuid,
        change: Option<Command>,
    ) -> Result<(), StoreError> {
        self.store().settle_conflict(id, change.as_ref()).await?;
        self.after_change().await;
        Ok(())
    }

    /// A local change was committed: screens read again, the pending count follows, sync runs.
    async fn after_change(&self) {
        self.changed();
        self.sync.refresh_counts(self.store()).await;
        self.sync.kick();
    }

    /// What the header's sync indicator says: signed out, or the state of sync.
    pub fn sync_status(&self) -> SyncStatus {
        if self.session.with(Option::is_some) {
            self.sync.status()
        } else {
            SyncStatus::SignedOut
        }
    }

    /// Records changed in IndexedDB: screens that list them read again.
    pub fn changed(&self) {
        self.revision.update(|r| *r += 1);
    }
}

pub fn use_app() -> AppState {
    expect_context::<AppState>()
}
