//! One sync pass: push the outbox until it is empty, then pull pages until the server has no more.
//!
//! Pushing first means the pull that follows already reflects this device's changes, so core's rebase
//! (`ClientSync::on_pull`) has the least to keep local. Each reply is applied in one IndexedDB
//! transaction as soon as it arrives; no IndexedDB transaction is held open across a network request.

use leptos::prelude::Set;
use remit_core::sync::{ClientSync, Cookie, MAX_PUSH};

use crate::api::{self, ApiError};
use crate::marks::mark;
use crate::state::AppState;
use crate::store::{Store, StoreError};

#[derive(Debug)]
pub enum SyncError {
    Api(ApiError),
    Store(StoreError),
    /// The server answered a push without processing anything: retry later rather than loop.
    NoProgress,
}

impl From<ApiError> for SyncError {
    fn from(e: ApiError) -> Self {
        SyncError::Api(e)
    }
}

impl From<StoreError> for SyncError {
    fn from(e: StoreError) -> Self {
        SyncError::Store(e)
    }
}

/// Runs one pass. Screens are told after every reply that changed stored records.
pub async fn run(app: AppState) -> Result<(), SyncError> {
    let store = app.store();
    push_all(app, &store).await?;
    pull_all(app, &store).await
}

async fn push_all(app: AppState, store: &Store) -> Result<(), SyncError> {
    loop {
        let outbox = store.outbox().await?;
        let Some(request) = sync_state(store).await?.push_request(&outbox, MAX_PUSH) else {
            return Ok(());
        };
        app.sync.pushing.set(true);
        let reply = api::push(&request).await;
        app.sync.pushing.set(false);
        let outcome = store.apply_push(&request, &reply?).await?;
        app.sync.refresh_counts(store.clone()).await;
        if outcome.done.is_empty() {
            return Err(SyncError::NoProgress);
        }
    }
}

/// Pulls until the server has no more. A pull of more than one page shows its progress (core's
/// [`PullResponse::progress`](remit_core::sync::PullResponse::progress)) until it ends, however it ends.
async fn pull_all(app: AppState, store: &Store) -> Result<(), SyncError> {
    let started_after = sync_state(store).await?.pull_request().cookie;
    let pulled = pull_pages(app, store, started_after).await;
    app.sync.progress.set(None);
    pulled
}

async fn pull_pages(
    app: AppState,
    store: &Store,
    started_after: Option<Cookie>,
) -> Result<(), SyncError> {
    loop {
        let request = sync_state(store).await?.pull_request();
        let reply = api::pull(&request).await?;
        let progress = reply.progress(started_after);
        let plan = store.apply_pull(reply).await?;
        mark("remit:pull-page");
        if plan.more {
            app.sync.progress.set(progress);
        }
        if !plan.put.is_empty() || !plan.delete.is_empty() {
            app.changed();
        }
        if !plan.done.is_empty() {
            app.sync.refresh_counts(store.clone()).await;
        }
        if !plan.more {
            mark("remit:pull-done");
            return Ok(());
        }
    }
}

async fn sync_state(store: &Store) -> Result<ClientSync, SyncError> {
    store
        .sync_state()
        .await?
        .ok_or_else(|| SyncError::Store(StoreError::SignedOut))
}
