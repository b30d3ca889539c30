//! Drives core's sync engine (`remit_core::sync::ClientSync`) against the server.
//!
//! Core decides what to push, what a reply means and how a pull is rebased; this module decides only
//! *when* to talk to the server: at startup, after every local change, when the browser comes back
//! online, every ten seconds while idle, and after a growing pause when the server failed. A 401 stops
//! sync (the outbox stays) until the same account signs in again. After each pass it keeps a lease of
//! numbers for issuing offline ([`lease`]).

mod backoff;
mod cycle;
mod lease;

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, UnboundedSender, unbounded};
use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use remit_core::sync::PullProgress;

use crate::api::{self, ApiError};
use crate::state::AppState;
use crate::store::Store;
use crate::store::records::{ConflictRecord, RejectedRecord};
use backoff::Backoff;
use cycle::SyncError;

/// The pause between passes while nothing fails.
const IDLE_MS: u32 = 10_000;

/// What the status indicator says (`data-testid="sync-status"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStatus {
    Online,
    Offline,
    Syncing,
    SignedOut,
}

impl SyncStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncStatus::Online => "online",
            SyncStatus::Offline => "offline",
            SyncStatus::Syncing => "syncing",
            SyncStatus::SignedOut => "signed-out",
        }
    }
}

/// Sync's state as the screens see it. Copy: every field is a reactive handle.
#[derive(Clone, Copy)]
pub struct SyncHandle {
    /// `navigator.onLine`, kept current by the `online`/`offline` events.
    pub online: RwSignal<bool>,
    /// Whether the server answered the last request (false after a network failure).
    pub reachable: RwSignal<bool>,
    pub pushing: RwSignal<bool>,
    /// The server refused the session (401): sync waits for the user to sign in again.
    pub expired: RwSignal<bool>,
    /// Outbox size in IndexedDB: changes waiting to sync.
    pub pending: RwSignal<u32>,
    pub conflicts: RwSignal<Vec<ConflictRecord>>,
    pub rejected: RwSignal<Vec<RejectedRecord>>,
    /// The last failure that retrying alone may not fix, worded for the user.
    pub problem: RwSignal<Option<String>>,
    /// How far a pull of more than one page has come, while it runs (a first sync of big books).
    pub progress: RwSignal<Option<PullProgress>>,
    kicks: StoredValue<UnboundedSender<()>, LocalStorage>,
}

impl SyncHandle {
    /// A handle and the receiving end of its kicks, which [`start`] consumes.
    pub fn new() -> (Self, UnboundedReceiver<()>) {
        let (sender, receiver) = unbounded();
        let online = window().navigator().on_line();
        let handle = Self {
            online: RwSignal::new(online),
            reachable: RwSignal::new(true),
            pushing: RwSignal::new(false),
            expired: RwSignal::new(false),
            pending: RwSignal::new(0),
            conflicts: RwSignal::new(Vec::new()),
            rejected: RwSignal::new(Vec::new()),
            problem: RwSignal::new(None),
            progress: RwSignal::new(None),
            kicks: StoredValue::new_local(sender),
        };
        (handle, receiver)
    }

    /// Asks for a sync pass now (it runs as soon as the current one, if any, ends).
    pub fn kick(&self) {
        self.kicks.with_value(|k| {
            // Fails only once the sync task is gone (database closed for an upgrade): nothing to wake.
            let _ = k.unbounded_send(());
        });
    }

    /// The state of sync for the signed-in account ([`crate::state::AppState::sync_status`] adds the
    /// signed-out case).
    pub fn status(&self) -> SyncStatus {
        if self.expired.get() {
            SyncStatus::SignedOut
        } else if !self.online.get() || !self.reachable.get() {
            SyncStatus::Offline
        } else if self.pushing.get() {
            SyncStatus::Syncing
        } else {
            SyncStatus::Online
        }
    }

    /// Whether the server answers now: what a screen that needs it (issuing under the server's
    /// number, the numbering report) asks.
    pub fn reaches_server(&self) -> bool {
        matches!(self.status(), SyncStatus::Online | SyncStatus::Syncing)
    }

    /// [`Self::reaches_server`] asked once, from an event handler or a task: nothing re-runs on it.
    pub fn reaches_server_untracked(&self) -> bool {
        untrack(|| self.reaches_server())
    }

    /// Re-reads the outbox size, conflicts and rejections from IndexedDB.
    pub async fn refresh_counts(&self, store: Store) {
        match store.outbox_len().await {
            Ok(n) => self.pending.set(n),
            Err(e) => self.problem.set(Some(e.to_string())),
        }
        if let Ok(conflicts) = store.conflicts().await {
            self.conflicts.set(conflicts);
        }
        if let Ok(rejected) = store.rejected().await {
            self.rejected.set(rejected);
        }
    }
}

/// Starts sync for the app's lifetime.
pub fn start(app: AppState, mut kicks: UnboundedReceiver<()>) {
    let sync = app.sync;
    // The listeners live as long as the page; their handles are never removed.
    drop(window_event_listener_untyped("online", move |_| {
        sync.online.set(true);
        sync.kick();
    }));
    drop(window_event_listener_untyped("offline", move |_| {
        sync.online.set(false);
    }));

    spawn_local(async move {
        sync.refresh_counts(app.store()).await;
        verify_session(app).await;
        let mut backoff = Backoff::default();
        loop {
            if app.outdated.get_untracked() {
                return;
            }
            if can_sync(app) {
                match cycle::run(app).await {
                    Ok(()) => {
                        backoff.succeed();
                        sync.reachable.set(true);
                        sync.problem.set(None);
                        if let Err(e) = lease::keep_leased(app).await {
                            sync.problem
                                .set(Some(format!("Leasing numbers failed: {e}")));
                        }
                    }
                    Err(e) => on_failure(app, &mut backoff, e),
                }
            }
            wait_for_kick(&mut kicks, backoff.delay_ms().unwrap_or(IDLE_MS)).await;
        }
    });
}

/// Checks the stored session against the server in the background; the app is already open.
async fn verify_session(app: AppState) {
    let Some(local) = app.session.get_untracked() else {
        return;
    };
    if !app.sync.online.get_untracked() {
        return;
    }
    match api::session().await {
        Ok(server) if server.same_account(&local) => {
            if app.store().refresh_session(&server).await.is_ok() {
                app.session.set(Some(server));
            }
        }
        // Another account's cookie, or none: this device's account must sign in again.
        Ok(_) | Err(ApiError::Unauthorized(_)) => app.sync.expired.set(true),
        Err(_) => {}
    }
}

fn can_sync(app: AppState) -> bool {
    app.session.get_untracked().is_some()
        && !app.sync.expired.get_untracked()
        && app.sync.online.get_untracked()
}

fn on_failure(app: AppState, backoff: &mut Backoff, error: SyncError) {
    let sync = app.sync;
    sync.pushing.set(false);
    match error {
        SyncError::Api(ApiError::Unauthorized(_)) => sync.expired.set(true),
        SyncError::Api(ApiError::Network(_)) => {
            sync.reachable.set(false);
            backoff.fail();
        }
        SyncError::Api(e) => {
            sync.reachable.set(true);
            sync.problem.set(Some(format!("Sync failed: {e}")));
            backoff.fail();
        }
        SyncError::Store(e) => {
            sync.problem.set(Some(format!("Sync failed: {e}")));
            backoff.fail();
        }
        SyncError::NoProgress => {
            sync.problem.set(Some(
                "Sync failed: the server processed none of the pending changes".into(),
            ));
            backoff.fail();
        }
    }
}

/// Waits for a kick or `ms`, whichever comes first; kicks that piled up meanwhile count as one.
async fn wait_for_kick(kicks: &mut UnboundedReceiver<()>, ms: u32) {
    futures::future::select(kicks.next(), TimeoutFuture::new(ms)).await;
    while kicks.try_recv().is_ok() {}
}
