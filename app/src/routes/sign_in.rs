//! Signing in, and the first-run setup form that creates the organisation and its owner.
//!
//! Which form shows is the server's answer to `GET /api/setup`. After either succeeds the session is
//! stored in IndexedDB, so the next start opens the app for this account without the network.

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::Redirect;
use leptos_router::hooks::use_navigate;

use remit_core::money::Currency;
use remit_core::organisation::{SetupRequest, TimeZoneName};

use crate::api::{self, ApiError};
use crate::calendar;
use crate::components::field_error::FieldError;
use crate::state::{AppState, use_app};
use remit_core::organisation::SessionInfo;

#[component]
pub fn SignIn() -> impl IntoView {
    let app = use_app();
    // Offline, the question cannot be asked: the sign-in form shows, and says why signing in fails.
    let setup_needed = LocalResource::new(|| async { api::setup_needed().await.unwrap_or(false) });
    move || {
        if app.session.with(Option::is_some) && !app.sync.expired.get() {
            return view! { <Redirect path="/" /> }.into_any();
        }
        match setup_needed.get() {
            None => view! { <p class="muted">"Connecting…"</p> }.into_any(),
            Some(true) => view! { <SetupForm /> }.into_any(),
            Some(false) => view! { <SignInForm /> }.into_any(),
        }
    }
}

#[component]
fn SignInForm() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let known_email = app
        .session
        .get_untracked()
        .map(|s| s.user.email)
        .unwrap_or_default();
    let email = RwSignal::new(known_email);
    let password = RwSignal::new(String::new());
    let start = session_action(app, navigate);
    let error = Signal::derive(move || start.value().get().and_then(Result::err));
    let busy = start.pending();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        start.dispatch_local(Start::SignIn {
            email: email.get_untracked(),
            password: password.get_untracked(),
        });
    };

    view! {
        <section class="card narrow">
            <h1>"Sign in"</h1>
            {move || {
                app.sync
                    .expired
                    .get()
                    .then(|| {
                        view! {
                            <p class="notice">
                                "Your session expired. Changes made meanwhile are kept and sync after you sign in."
                            </p>
                        }
                    })
            }}
            <form on:submit=submit>
                <label>
                    "E-mail"
                    <input name="email" type="email" autocomplete="username" required bind:value=email />
                </label>
                <label>
                    "Password"
                    <input
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        required
                        bind:value=password
                    />
                </label>
                <FieldError error=error />
                <button type="submit" data-testid="sign-in" disabled=busy>
                    "Sign in"
                </button>
            </form>
        </section>
    }
}

#[component]
fn SetupForm() -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let organisation_name = RwSignal::new(String::new());
    let time_zone = RwSignal::new(calendar::browser_time_zone());
    let currency = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<String>);
    let start = session_action(app, navigate);
    let error = Signal::derive(move || {
        invalid
            .get()
            .or_else(|| start.value().get().and_then(Result::err))
    });
    let busy = start.pending();

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        // Core's own checks first, so an obvious slip is named without a round trip; the server checks
        // everything again.
        if let Err(e) = TimeZoneName::parse(&time_zone.get_untracked())
            .and_then(|_| Currency::parse(&currency.get_untracked()))
        {
            invalid.set(Some(e.to_string()));
            return;
        }
        invalid.set(None);
        let form = SetupRequest {
            organisation_name: organisation_name.get_untracked(),
            time_zone: time_zone.get_untracked(),
            currency: currency.get_untracked(),
            name: name.get_untracked(),
            email: email.get_untracked(),
            password: password.get_untracked(),
        };
        start.dispatch_local(Start::SetUp(form));
    };

    view! {
        <section class="card narrow">
            <h1>"Set up Remit"</h1>
            <p class="muted">"Create your organisation and its owner account. This runs once."</p>
            <form on:submit=submit>
                <fieldset>
                    <legend>"Organisation"</legend>
                    <label>
                        "Name"
                        <input name="organisation_name" required bind:value=organisation_name />
                    </label>
                    <label>
                        "Time zone"
                        <input name="time_zone" placeholder="Europe/Oslo" required bind:value=time_zone />
                    </label>
                    <label>
                        "Currency"
                        <input
                            name="currency"
                            placeholder="EUR"
                            maxlength="3"
                            class="code"
                            required
                            bind:value=currency
                        />
                    </label>
                </fieldset>
                <fieldset>
                    <legend>"Owner"</legend>
                    <label>
                        "Your name"
                        <input name="name" autocomplete="name" required bind:value=name />
                    </label>
                    <label>
                        "E-mail"
                        <input name="email" type="email" autocomplete="username" required bind:value=email />
                    </label>
                    <label>
                        "Password (at least 10 characters)"
                        <input
                            name="password"
                            type="password"
                            autocomplete="new-password"
                            required
                            bind:value=password
                        />
                    </label>
                </fieldset>
                <FieldError error=error />
                <button type="submit" data-testid="set-up" disabled=busy>
                    "Set up"
                </button>
            </form>
        </section>
    }
}

/// Takes in a successful sign-in: stores the session (keeping this account's local data and outbox)
/// and restarts sync. Refused when another account's changes still wait to sync on this device.
/// Ends a sign-in or a setup: with the server's session, starts it on this device and opens the app;
/// otherwise says why not.
/// How a session starts: signing in, or setting up the organisation on first run.
#[derive(Clone)]
enum Start {
    SignIn { email: String, password: String },
    SetUp(SetupRequest),
}

/// Starting a session: asks the server, keeps the session on this device and opens the app; resolves
/// to the message to show when that failed.
fn session_action(
    app: AppState,
    navigate: impl Fn(&str, NavigateOptions) + Clone + 'static,
) -> Action<Start, Result<(), String>> {
    Action::new_local(move |start: &Start| {
        let (navigate, start) = (navigate.clone(), start.clone());
        async move {
            let answer: Result<SessionInfo, ApiError> = match start {
                Start::SignIn { email, password } => api::sign_in(&email, &password).await,
                Start::SetUp(form) => api::set_up(&form).await,
            };
            match answer {
                Ok(info) => begin(app, info).await?,
                Err(e) => return Err(describe(&e)),
            }
            navigate("/", NavigateOptions::default());
            Ok(())
        }
    })
}

async fn begin(app: AppState, info: SessionInfo) -> Result<(), String> {
    let store = app.store();
    match store.begin_session(&info).await {
        Ok(Ok(())) => {
            app.session.set(Some(info));
            app.sync.expired.set(false);
            app.sync.refresh_counts(store).await;
            app.changed();
            app.sync.kick();
            Ok(())
        }
        Ok(Err(waiting)) => {
            // The server session of the other account must not outlive this refusal; if the network
            // drops now, the next sign-in replaces it anyway.
            let _ = api::sign_out().await;
            Err(format!(
                "{} changes made by {} have not reached the server yet. Sign in as {} to sync them first.",
                waiting.pending, waiting.email, waiting.email
            ))
        }
        Err(e) => Err(e.to_string()),
    }
}

/// The server's message, naming the field it blames.
fn describe(error: &ApiError) -> String {
    let message = error.to_string();
    match error.field() {
        Some(field) if !message.contains(field) => format!("{field}: {message}"),
        _ => message,
    }
}
