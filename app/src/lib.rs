//! Remit in the browser: Leptos CSR over IndexedDB, synced with the server when the network allows.
//!
//! Core decides, this crate acts: every total, validation and sync decision comes from `remit-core`; the
//! app loads, stores, sends and renders.
//!
//! - [`store`]: IndexedDB, written first; [`sync`]: drives core's sync engine; [`api`]: the server.
//! - [`app`], [`routes`], [`components`]: the screens.

pub mod api;
pub mod app;
pub mod calendar;
pub mod catalogue;
pub mod components;
pub mod marks;
pub mod routes;
pub mod state;
pub mod store;
pub mod sync;

use any_spawner::Executor;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::app::App;
use crate::state::AppState;
use crate::store::{DB_NAME, Store};
use crate::sync::SyncHandle;

/// Opens the local database, then mounts the app for the account signed in on this device — all
/// before and without any network request, so the app starts offline exactly as it does online.
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    register_service_worker();
    // Mounting would set up Leptos' executor too, but the store opens before anything is mounted.
    if let Err(e) = Executor::init_wasm_bindgen() {
        web_sys::console::error_1(&e.to_string().into());
    }
    spawn_local(async {
        let store = match Store::open(DB_NAME).await {
            Ok(store) => store,
            Err(e) => {
                let message = e.to_string();
                leptos::mount::mount_to_body(move || view! { <Unavailable message /> });
                return;
            }
        };
        let session = store.signed_in_session().await.ok().flatten();
        let (sync, kicks) = SyncHandle::new();
        let state = AppState {
            store: StoredValue::new_local(store),
            session: RwSignal::new(session),
            revision: RwSignal::new(0),
            outdated: RwSignal::new(false),
            sync,
        };
        watch_for_upgrades(state);
        sync::start(state, kicks);
        leptos::mount::mount_to_body(move || view! { <App state /> });
    });
}

/// Another tab opening a newer schema asks every open connection to close; this one does, and asks the
/// user to reload (an old build must not write into a newer schema).
fn watch_for_upgrades(state: AppState) {
    let Ok(mut changes) = state.store().database().version_changes() else {
        return;
    };
    spawn_local(async move {
        if changes.recv().await.is_some() {
            state.store().close();
            state.outdated.set(true);
        }
    });
}

/// The service worker keeps the app shell in the cache, so the app starts without the network.
fn register_service_worker() {
    let container = window().navigator().service_worker();
    // Registration fails only where service workers are unavailable (private modes, http origins other
    // than localhost); the app works online there, without the offline start.
    let _ = container.register("/sw.js");
}

#[component]
fn Unavailable(message: String) -> impl IntoView {
    view! {
        <main class="page">
            <section class="card narrow problem">
                <h1>"Remit cannot open its local database"</h1>
                <p>{message}</p>
                <p class="muted">
                    "Remit keeps your work in this browser's storage. Private windows and some privacy settings block it."
                </p>
            </section>
        </main>
    }
}
