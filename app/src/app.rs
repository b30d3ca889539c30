//! The router and the shell around every screen: header with sync status, and the banners that must be
//! seen wherever the user is (another tab upgraded the database, the session expired, conflicts).

use leptos::prelude::*;
use leptos_router::components::{ProtectedRoute, Route, Router, Routes};
use leptos_router::hooks::use_navigate;
use leptos_router::{NavigateOptions, path};

use crate::api;
use crate::routes::conflict::ConflictResolve;
use crate::routes::credit_note_view::CreditNoteScreen;
use crate::routes::customer_edit::CustomerEdit;
use crate::routes::home::Home;
use crate::routes::inbox::{Inbox, InboxLink};
use crate::routes::invoice_edit::InvoiceEdit;
use crate::routes::item_edit::ItemEdit;
use crate::routes::items::ItemList;
use crate::routes::numbering::NumberingReport;
use crate::routes::settings::OrganisationSettings;
use crate::routes::sign_in::SignIn;
use crate::routes::thread_view::ThreadScreen;
use crate::state::{AppState, use_app};

#[component]
pub fn App(state: AppState) -> impl IntoView {
    provide_context(state);
    // Every screen but sign-in needs an account on this device. An expired session still counts: the
    // local data stays usable offline until the user signs in again. A memo, so a refreshed session
    // (same account) re-renders nothing.
    let signed_in = Memo::new(move |_| state.session.with(Option::is_some));
    let signed_in = move || Some(signed_in.get());
    let to_sign_in = || "/sign-in";
    view! {
        <Router>
            <Header />
            <Banners />
            <main class="page">
                <Routes fallback=|| view! { <p class="error">"There is no such page."</p> }>
                    <Route path=path!("/sign-in") view=SignIn />
                    <ProtectedRoute
                        path=path!("/")
                        view=Home
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                    <ProtectedRoute
                        path=path!("/customers/:id")
                        view=CustomerEdit
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                    <ProtectedRoute
                        path=path!("/invoices/:id")
                        view=InvoiceEdit
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                    <ProtectedRoute
                        path=path!("/credit-notes/:id")
                        view=CreditNoteScreen
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                    <ProtectedRoute
                        path=path!("/inbox")
                        view=Inbox
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                    <ProtectedRoute
                        path=path!("/inbox/:id")
                        view=ThreadScreen
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                    <ProtectedRoute
                        path=path!("/items")
                        view=ItemList
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                    <ProtectedRoute
                        path=path!("/items/:id")
                        view=ItemEdit
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                    <ProtectedRoute
                        path=path!("/conflicts/:id")
                        view=ConflictResolve
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                    <ProtectedRoute
                        path=path!("/settings")
                        view=OrganisationSettings
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                    <ProtectedRoute
                        path=path!("/numbering")
                        view=NumberingReport
                        condition=signed_in
                        redirect_path=to_sign_in
                    />
                </Routes>
            </main>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let status = move || app.sync_status().as_str();
    let sign_out = Action::new_local(move |()| {
        let navigate = navigate.clone();
        async move {
            // Offline the server session cannot be ended now; this device forgets it either way, and
            // the local data and outbox stay for this account's next sign-in.
            let _ = api::sign_out().await;
            if let Err(e) = app.store().end_session().await {
                app.sync.problem.set(Some(e.to_string()));
                return;
            }
            app.session.set(None);
            app.sync.expired.set(false);
            navigate("/sign-in", NavigateOptions::default());
        }
    });
    view! {
        <header class="topbar">
            <a class="brand" href="/">
                <img src="/icon.svg" alt="" width="24" height="24" />
                "Remit"
            </a>
            <span class="organisation">
                {move || app.session.with(|s| s.as_ref().map(|s| s.organisation.name.clone()))}
            </span>
            <nav class="links">
                <InboxLink />
                <a href="/items" data-testid="nav-items">
                    "Items"
                </a>
                <a href="/numbering" data-testid="nav-numbering">
                    "Numbering"
                </a>
                <a href="/settings" data-testid="nav-settings">
                    "Settings"
                </a>
            </nav>
            <div class="sync">
                <span class="pending" title="Changes saved on this device that wait to reach the server">
                    <span data-testid="pending-count">{move || app.sync.pending.get()}</span>
                    " waiting to sync"
                </span>
                <span class=move || format!("status {}", status()) data-testid="sync-status">
                    {status}
                </span>
                <SyncProgress />
            </div>
            {move || {
                app.session
                    .get()
                    .map(|s| {
                        view! {
                            <span class="user">{s.user.name}</span>
                            <button
                                type="button"
                                class="link"
                                data-testid="sign-out"
                                disabled=move || sign_out.pending().get()
                                on:click=move |_| {
                                    sign_out.dispatch_local(());
                                }
                            >
                                "Sign out"
                            </button>
                        }
                    })
            }}
        </header>
    }
}

#[component]
fn Banners() -> impl IntoView {
    let app = use_app();
    let reload = |_| {
        // Nothing to do if the page cannot be reloaded; the banner stays.
        let _ = window().location().reload();
    };
    view! {
        <div class="banners">
            {move || {
                app.outdated
                    .get()
                    .then(|| {
                        view! {
                            <div class="banner danger" role="alert">
                                "Remit was updated in another tab. Reload this tab to keep working. "
                                <button type="button" on:click=reload>
                                    "Reload"
                                </button>
                            </div>
                        }
                    })
            }}
            {move || {
                (app.sync.expired.get() && app.session.with(Option::is_some))
                    .then(|| {
                        view! {
                            <a
                                class="banner warning"
                                href="/sign-in"
                                role="alert"
                                data-testid="session-expired"
                            >
                                "Session expired — sign in again"
                            </a>
                        }
                    })
            }}
            {move || {
                let (n, first) = app
                    .sync
                    .conflicts
                    .with(|c| (c.len(), c.first().map(|c| format!("/conflicts/{}", c.id))));
                first
                    .map(|href| {
                        let text = if n == 1 {
                            "1 draft changed elsewhere — your version is kept on this device".to_owned()
                        } else {
                            format!(
                                "{n} drafts changed elsewhere — your versions are kept on this device",
                            )
                        };
                        view! {
                            <div class="banner warning" role="status" data-testid="conflicts">
                                {text}
                                " "
                                <a href=href data-testid="open-conflict">
                                    {if n == 1 { "Resolve" } else { "Resolve the first" }}
                                </a>
                            </div>
                        }
                    })
            }}
            {move || {
                app.sync
                    .problem
                    .get()
                    .map(|message| {
                        view! {
                            <div class="banner muted" role="status">
                                {message}
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// How far a long pull has come: "Syncing 1,500 of about 21,000 changes", while it runs.
#[component]
fn SyncProgress() -> impl IntoView {
    let app = use_app();
    move || {
        app.sync.progress.get().map(|p| {
            let text = format!(
                "Syncing {} of about {} changes",
                thousands(p.so_far),
                thousands(p.about)
            );
            view! {
                <span class="progress" role="status" data-testid="sync-progress">
                    <progress
                        aria-label="Sync progress"
                        max=p.about.to_string()
                        value=p.so_far.to_string()
                    ></progress>
                    {text}
                </span>
            }
        })
    }
}

/// `n` with a comma between thousands, as the progress shows counts.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}
