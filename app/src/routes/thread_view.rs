//! `/inbox/:id`: one customer's question or dispute — what was asked (kind, reason, the invoice and the
//! lines picked), the messages oldest first, a reply form, and the form that resolves it. Everything
//! is read from this device and written to the outbox, so it works offline: a reply or a resolution
//! waits to sync, marked as such, and is sent once.
//!
//! Resolving by a credit note issues it with the invoice's credit-note form ([`super::credit_note_issue`]):
//! core checks the `credit_note.issue` against the invoice and its earlier credit notes here, and it is
//! queued together with the `thread.resolve` that names it, in that order, in one transaction.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use remit_core::decide::issuing::credit_note;
use remit_core::document::issued::Invoice;
use remit_core::ids::{ThreadId, ThreadMessageId};
use remit_core::receivables::thread::{
    Author, ReplyToThread, ResolveThread, Thread, ThreadKind, ThreadOutcome,
};
use remit_core::sync::Command;
use remit_core::validation::{Rule, ValidationError};
use uuid::Uuid;

use crate::components::boundary::Loading;
use crate::components::date::DateText;
use crate::components::field::{Field, in_words};
use crate::components::field_error::FieldError;
use crate::routes::credit_note_issue::{
    CreditForm, CreditLines, Credits, ScopeChoice, load_credits, refusal_in_words,
};
use crate::routes::inbox::{kind_words, outcome_words, reason_words, state_words, today};
use crate::state::{AppState, use_app};
use crate::store::issuing::IssuedInvoice;
use crate::store::threads::{Message, ThreadWithMessages};
use crate::store::{Store, StoreError, StoreResult};

/// The thread, its customer's name, and the invoice asked about with its credit notes when the
/// invoice is on this device with its number.
#[derive(Clone)]
struct Loaded {
    shown: ThreadWithMessages,
    customer: String,
    invoice: Option<(Invoice, Credits)>,
}

async fn load(store: Store, app: AppState, id: ThreadId) -> StoreResult<Option<Loaded>> {
    let Some(shown) = store.thread(id).await? else {
        return Ok(None);
    };
    let customer = store
        .customer(shown.thread.customer_id)
        .await?
        .map(|c| c.name)
        .unwrap_or_default();
    let invoice = match shown.thread.invoice_id {
        Some(invoice) => match store.issued_invoice(invoice).await? {
            Some(IssuedInvoice::Numbered { invoice, .. }) => {
                let organisation = app.session.get_untracked().map(|s| s.organisation);
                let credits = load_credits(&store, organisation, &invoice).await?;
                Some((*invoice, credits))
            }
            _ => None,
        },
        None => None,
    };
    Ok(Some(Loaded {
        shown,
        customer,
        invoice,
    }))
}

#[component]
pub fn ThreadScreen() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").and_then(|id| ThreadId::parse(&id).ok()));
    let loaded = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        let id = id();
        async move {
            match id {
                Some(id) => load(store, app, id).await,
                None => Ok(None),
            }
        }
    });
    let shown = move || {
        Suspend::new(async move {
            Ok::<_, StoreError>(match loaded.await? {
                None => {
                    view! { <p class="error">"This thread is not on this device."</p> }.into_any()
                }
                Some(loaded) => view! { <ThreadPage loaded /> }.into_any(),
            })
        })
    };
    view! { <Loading>{shown}</Loading> }
}

#[component]
fn ThreadPage(loaded: Loaded) -> impl IntoView {
    let Loaded {
        shown,
        customer,
        invoice,
    } = loaded;
    let thread = shown.thread;
    let open = !thread.is_resolved() && shown.pending_resolution.is_none();
    let resolution = (!open).then(|| {
        view! { <Resolution thread=thread.clone() pending=shown.pending_resolution.clone() /> }
    });
    let resolve =
        open.then(|| view! { <ResolveForm thread=thread.clone() invoice=invoice.clone() /> });
    view! {
        <Asked thread=thread.clone() customer invoice=invoice.map(|(i, _)| i) />
        {resolution}
        <Messages messages=shown.messages />
        <ReplyForm thread=thread.id />
        {resolve}
    }
}

/// What the customer asked: kind, reason, invoice and the lines they picked.
#[component]
fn Asked(thread: Thread, customer: String, invoice: Option<Invoice>) -> impl IntoView {
    let invoice_link = thread.invoice_id.map(|id| {
        let number = thread.invoice_number.clone().unwrap_or_default();
        view! {
            <p>
                <strong>"Invoice "</strong>
                <a href=format!("/invoices/{id}") data-testid="thread-invoice">
                    {number}
                </a>
            </p>
        }
    });
    let lines = thread
        .lines
        .iter()
        .map(|&n| {
            let description = invoice
                .as_ref()
                .zip((n as usize).checked_sub(1))
                .and_then(|(i, index)| i.snapshot.document.lines.get(index))
                .map(|l| l.name.clone())
                .unwrap_or_default();
            view! { <li data-testid="thread-line">{format!("Line {n}: {description}")}</li> }
        })
        .collect_view();
    let picked = (!thread.lines.is_empty()).then(|| {
        view! {
            <p>
                <strong>"Lines in question"</strong>
            </p>
            <ul>{lines}</ul>
        }
    });
    view! {
        <section class="card">
            <div class="toolbar">
                <h1>
                    <span data-testid="thread-kind">{kind_words(thread.kind)}</span>
                    ": "
                    <span data-testid="thread-reason">{reason_words(thread.reason)}</span>
                </h1>
                <span class="flag" data-testid="thread-state">
                    {state_words(thread.state)}
                </span>
            </div>
            <div class="row">
                <p>
                    <strong>"Customer "</strong>
                    <a href=format!("/customers/{}", thread.customer_id) data-testid="thread-customer">
                        {customer}
                    </a>
                </p>
                {invoice_link}
                <p>
                    <strong>"Opened "</strong>
                    <DateText date=thread.opened_on />
                </p>
            </div>
            {picked}
        </section>
    }
}

/// How the thread ended, or the resolution sent from here that waits to sync.
#[component]
fn Resolution(thread: Thread, pending: Option<ResolveThread>) -> impl IntoView {
    let (outcome, note, credit, waiting) = match (&thread.resolution, pending) {
        (Some(r), _) => (
            r.outcome,
            r.note.clone(),
            r.credit_note_id
                .map(|id| (id, r.credit_note_number.clone())),
            false,
        ),
        (None, Some(p)) => (
            p.outcome,
            p.note,
            p.credit_note_id.map(|id| (id, None)),
            true,
        ),
        (None, None) => return ().into_any(),
    };
    let credit = credit.map(|(id, number)| {
        view! {
            <a href=format!("/credit-notes/{id}") data-testid="resolution-credit-note">
                {number.unwrap_or_else(|| "Credit note (number pending)".to_owned())}
            </a>
        }
    });
    view! {
        <section class="card" aria-labelledby="resolution-heading">
            <h2 id="resolution-heading">"Resolution"</h2>
            <p>
                <span data-testid="resolution-outcome">{outcome_words(outcome)}</span>
                " "
                {credit}
                {waiting
                    .then(|| {
                        view! {
                            <span class="flag" data-testid="resolution-pending">
                                "Waits to sync"
                            </span>
                        }
                    })}
            </p>
            {(!note.is_empty()).then(|| view! { <p class="note">{note}</p> })}
        </section>
    }
    .into_any()
}

/// The messages, oldest first: the customer's, the billing team's (by name), and replies written
/// here that wait to sync.
#[component]
fn Messages(messages: Vec<Message>) -> impl IntoView {
    let app = use_app();
    let me = app
        .session
        .with_untracked(|s| s.as_ref().map(|s| s.user.name.clone()))
        .unwrap_or_default();
    let items = messages
        .into_iter()
        .map(|message| {
            let (who, body, pending) = match message {
                Message::Recorded(m) => (
                    match m.author {
                        Author::Customer => "Customer".to_owned(),
                        Author::User { name, .. } => name,
                    },
                    m.body,
                    false,
                ),
                Message::Pending(r) => (me.clone(), r.body, true),
            };
            view! {
                <li class="message" data-testid="thread-message">
                    <p>
                        <strong data-testid="message-author">{who}</strong>
                        {pending
                            .then(|| {
                                view! {
                                    <span class="flag" data-testid="message-pending">
                                        "Waits to sync"
                                    </span>
                                }
                            })}
                    </p>
                    <p class="note" data-testid="message-body">
                        {body}
                    </p>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="messages-heading">
            <h2 id="messages-heading">"Messages"</h2>
            <ol class="messages">{items}</ol>
        </section>
    }
}

/// The signed-in organisation, or the error that says to sign in.
fn organisation_id(app: AppState) -> Result<remit_core::ids::OrganisationId, StoreError> {
    app.session
        .with_untracked(|s| s.as_ref().map(|s| s.organisation.id))
        .ok_or(StoreError::SignedOut)
}

#[component]
fn ReplyForm(thread: ThreadId) -> impl IntoView {
    let app = use_app();
    let body = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<ValidationError>);
    let send = Action::new_local(move |reply: &ReplyToThread| {
        let reply = reply.clone();
        async move {
            app.record(Command::ReplyToThread(reply)).await?;
            body.set(String::new());
            Ok::<(), StoreError>(())
        }
    });
    let failed = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let organisation_id = match organisation_id(app) {
            Ok(id) => id,
            Err(e) => return failed.set(Some(e.to_string())),
        };
        let reply = ThreadMessageId::try_from(Uuid::now_v7()).map(|id| ReplyToThread {
            id,
            organisation_id,
            thread_id: thread,
            body: body.get_untracked(),
            written_at_ms: js_sys::Date::now() as i64,
        });
        match reply.and_then(|r| r.validate().map(|()| r)) {
            Ok(reply) => {
                invalid.set(None);
                failed.set(None);
                send.dispatch_local(reply);
            }
            Err(e) => invalid.set(Some(e)),
        }
    };
    let error = Signal::derive(move || match send.value().get() {
        Some(Err(e)) => Some(e.to_string()),
        _ => failed.get(),
    });
    view! {
        <section class="card" aria-label="Reply">
            <form on:submit=submit data-testid="reply-form">
                <Field label="Reply to the customer" field="body" error=invalid>
                    <textarea name="reply.body" rows="4" data-testid="reply-body" bind:value=body></textarea>
                </Field>
                <FieldError error />
                <div class="actions">
                    <button type="submit" data-testid="send-reply" disabled=move || send.pending().get()>
                        "Send reply"
                    </button>
                </div>
            </form>
        </section>
    }
}

/// The outcomes core allows a thread of `kind`; a credit note only when the invoice is on this device
/// (the form needs its lines).
fn outcomes_for(kind: ThreadKind, can_credit: bool) -> Vec<ThreadOutcome> {
    kind.outcomes()
        .iter()
        .copied()
        .filter(|o| can_credit || *o != ThreadOutcome::Credited)
        .collect()
}

/// What the resolve form queues: the resolution, after the credit note it names.
fn resolution_commands(
    thread: &Thread,
    outcome: ThreadOutcome,
    note: String,
    credit: Option<remit_core::document::issued::IssueCreditNote>,
    resolved_on: chrono::NaiveDate,
) -> Result<Vec<Command>, ValidationError> {
    let resolve = ResolveThread {
        id: thread.id,
        organisation_id: thread.organisation_id,
        resolved_on,
        outcome,
        credit_note_id: credit.as_ref().map(|c| c.credit_note_id),
        note,
    };
    resolve.validate()?;
    Ok(credit
        .map(Command::IssueCreditNote)
        .into_iter()
        .chain([Command::ResolveThread(resolve)])
        .collect())
}

#[component]
fn ResolveForm(thread: Thread, invoice: Option<(Invoice, Credits)>) -> impl IntoView {
    let app = use_app();
    let today = today(app);
    let outcomes = outcomes_for(thread.kind, invoice.is_some());
    let left = invoice
        .as_ref()
        .map(|(i, c)| c.creditable(i))
        .unwrap_or_default();
    let form = CreditForm::new(&left, today).picking(&thread.lines);
    let outcome = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let invalid = RwSignal::new(None::<ValidationError>);
    let refused = RwSignal::new(None::<String>);
    let invoice = StoredValue::new(invoice);
    let thread = StoredValue::new(thread);
    let resolve = Action::new_local(move |commands: &Vec<Command>| {
        let commands = commands.clone();
        async move { app.record_all(&commands).await }
    });
    let read = move || -> Result<Result<Vec<Command>, String>, ValidationError> {
        let chosen = outcome.get_untracked();
        let Some(outcome) = ThreadOutcome::ALL.into_iter().find(|o| o.name() == chosen) else {
            return Err(ValidationError::new("outcome", Rule::Required));
        };
        let credit = if outcome == ThreadOutcome::Credited {
            let Some(decided) = invoice.with_value(|i| {
                i.as_ref().map(|(invoice, credits)| {
                    let issue = form.read(invoice)?;
                    let settings = credits.settings.as_ref();
                    Ok(settings.map(|s| {
                        credit_note(&issue, invoice, &credits.here, s, None)
                            .map(|_| issue.clone())
                            .map_err(|e| refusal_in_words(&e, &issue.scope))
                    }))
                })
            }) else {
                return Err(ValidationError::new("credit_note_id", Rule::Required));
            };
            match decided? {
                Some(Ok(issue)) => Some(issue),
                Some(Err(refusal)) => return Ok(Err(refusal)),
                None => return Ok(Err(StoreError::SignedOut.to_string())),
            }
        } else {
            None
        };
        thread
            .with_value(|t| resolution_commands(t, outcome, note.get_untracked(), credit, today))
            .map(Ok)
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match read() {
            Ok(Ok(commands)) => {
                invalid.set(None);
                refused.set(None);
                resolve.dispatch_local(commands);
            }
            Ok(Err(refusal)) => {
                invalid.set(None);
                refused.set(Some(refusal));
            }
            Err(e) => {
                refused.set(None);
                invalid.set(Some(e));
            }
        }
    };
    let error = Signal::derive(move || {
        let local = invalid.with(|e| {
            e.as_ref()
                .filter(|e| !matches!(e.field.as_str(), "outcome" | "note"))
                .map(in_words)
        });
        let failed = match resolve.value().get() {
            Some(Err(e)) => Some(e.to_string()),
            _ => None,
        };
        local.or_else(|| refused.get()).or(failed)
    });
    let crediting = move || outcome.get() == ThreadOutcome::Credited.name();
    let choices = outcomes
        .into_iter()
        .map(|o| {
            view! {
                <label class="check">
                    <input
                        type="radio"
                        name="resolve.outcome"
                        value=o.name()
                        data-testid=format!("outcome-{}", o.name())
                        prop:checked=move || outcome.get() == o.name()
                        on:change=move |_| {
                            outcome.set(o.name().to_owned());
                            invalid.set(None);
                            refused.set(None);
                        }
                    />
                    {outcome_words(o)}
                </label>
            }
        })
        .collect_view();
    let credit_form = move || {
        let stored = invoice.with_value(|i| i.as_ref().map(|(invoice, _)| invoice.clone()));
        crediting().then(|| {
            stored.map(|i| {
                let invoice = StoredValue::new(i);
                view! {
                    <ScopeChoice form />
                    <CreditLines invoice form />
                }
            })
        })
    };
    view! {
        <section class="card" aria-labelledby="resolve-heading">
            <h2 id="resolve-heading">"Resolve"</h2>
            <form on:submit=submit data-testid="resolve-form">
                <fieldset class="choice">
                    <legend>"Outcome"</legend>
                    {choices}
                    {move || {
                        invalid
                            .with(|e| e.as_ref().filter(|e| e.field == "outcome").map(in_words))
                            .map(|m| {
                                view! {
                                    <span class="field-error" role="alert" data-testid="field-error">
                                        {m}
                                    </span>
                                }
                            })
                    }}
                </fieldset>
                {credit_form}
                <Field
                    label="Note to the customer (required when rejected: say why the invoice stands)"
                    field="note"
                    error=invalid
                >
                    <textarea name="resolve.note" rows="3" data-testid="resolve-note" bind:value=note></textarea>
                </Field>
                <FieldError error />
                <div class="actions">
                    <button type="submit" data-testid="resolve" disabled=move || resolve.pending().get()>
                        "Resolve"
                    </button>
                </div>
            </form>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn a_dispute_is_never_just_answered_and_a_credit_note_needs_the_invoice() {
        use ThreadOutcome::*;
        assert_eq!(
            outcomes_for(ThreadKind::Dispute, true),
            vec![Credited, Rejected, Withdrawn]
        );
        assert_eq!(
            outcomes_for(ThreadKind::Inquiry, true),
            vec![Answered, Credited, Rejected, Withdrawn]
        );
        assert_eq!(
            outcomes_for(ThreadKind::Inquiry, false),
            vec![Answered, Rejected, Withdrawn]
        );
    }
}
