//! `/inbox`: customers' questions and disputes that wait for the billing team, read from this device
//! (it works offline). Filtered by state, customer and age, and ordered, as core decides
//! ([`InboxFilter`], `inbox_order`); each row opens the thread ([`super::thread_view`]). Also the
//! header's "Inbox" link with the number of threads waiting for an answer.

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use remit_core::ids::CustomerId;
use remit_core::receivables::thread::{
    InboxFilter, ThreadKind, ThreadOutcome, ThreadReason, ThreadState,
};
use remit_core::validation::{Rule, ValidationError};

use crate::calendar;
use crate::components::boundary::Loading;
use crate::components::data_table::{Column, DataTable, SortKey};
use crate::components::empty::EmptyState;
use crate::components::field::Field;
use crate::state::{AppState, use_app};
use crate::store::StoreError;
use crate::store::threads::InboxEntry;

/// A thread's kind as the screens say it.
pub fn kind_words(kind: ThreadKind) -> &'static str {
    match kind {
        ThreadKind::Inquiry => "Question",
        ThreadKind::Dispute => "Dispute",
    }
}

/// Why the customer wrote, as the screens say it.
pub fn reason_words(reason: ThreadReason) -> &'static str {
    match reason {
        ThreadReason::WrongAmount => "Wrong amount",
        ThreadReason::NotReceived => "Not received",
        ThreadReason::AlreadyPaid => "Already paid",
        ThreadReason::Duplicate => "Duplicate invoice",
        ThreadReason::WrongDetails => "Wrong details",
        ThreadReason::Other => "Other",
    }
}

pub fn state_words(state: ThreadState) -> &'static str {
    match state {
        ThreadState::Waiting => "Waiting for an answer",
        ThreadState::Answered => "Answered",
        ThreadState::Resolved => "Resolved",
    }
}

pub fn outcome_words(outcome: ThreadOutcome) -> &'static str {
    match outcome {
        ThreadOutcome::Answered => "Answered",
        ThreadOutcome::Credited => "Credit note",
        ThreadOutcome::Rejected => "Rejected",
        ThreadOutcome::Withdrawn => "Withdrawn",
    }
}

/// Today in the organisation's time zone.
pub fn today(app: AppState) -> NaiveDate {
    let zone = app.session.with_untracked(|s| {
        s.as_ref()
            .map(|s| s.organisation.time_zone.as_str().to_owned())
    });
    calendar::today_in(&zone.unwrap_or_default())
}

/// The filters as typed; the query string (`?customer=…&state=…&older=…`) sets where they start.
#[derive(Clone, Copy)]
struct Filters {
    state: RwSignal<String>,
    customer: RwSignal<String>,
    older: RwSignal<String>,
}

impl Filters {
    fn from_query() -> Self {
        let query = use_query_map();
        let get = |name: &str| query.with_untracked(|q| q.get(name).unwrap_or_default());
        Self {
            state: RwSignal::new(get("state")),
            customer: RwSignal::new(get("customer")),
            older: RwSignal::new(get("older")),
        }
    }

    /// Core's filter, or which field cannot be read.
    fn read(&self) -> Result<InboxFilter, ValidationError> {
        let older = self.older.get();
        let older_than_days = match older.trim() {
            "" => None,
            days => Some(
                days.parse::<i64>()
                    .ok()
                    .filter(|d| *d >= 0)
                    .ok_or_else(|| ValidationError::new("older_than_days", Rule::NotNegative))?,
            ),
        };
        Ok(InboxFilter {
            state: ThreadState::parse(&self.state.get()),
            customer: CustomerId::parse(&self.customer.get()).ok(),
            older_than_days,
        })
    }
}

/// One row: the thread, its customer's name and its age in days.
#[derive(Clone)]
struct Row {
    entry: InboxEntry,
    customer: String,
    age: i64,
}

/// `/inbox`.
#[component]
pub fn Inbox() -> impl IntoView {
    let app = use_app();
    let filters = Filters::from_query();
    let filter = Memo::new(move |_| filters.read());
    let error = Signal::derive(move || filter.get().err());
    let loaded = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        let filter = filter.get().unwrap_or_default();
        async move {
            let today = today(app);
            let entries = store.inbox(filter, today).await?;
            let customers = store.customers().await?;
            let rows = entries
                .into_iter()
                .map(|entry| Row {
                    customer: customers
                        .iter()
                        .find(|c| c.id == entry.thread.customer_id)
                        .map(|c| c.name.clone())
                        .unwrap_or_default(),
                    age: entry.thread.age_days(today),
                    entry,
                })
                .collect::<Vec<_>>();
            Ok::<_, StoreError>((rows, customers))
        }
    });
    let list = move || {
        Suspend::new(async move {
            let (rows, customers) = loaded.await?;
            let choices = customers
                .into_iter()
                .map(|c| (c.id.to_string(), c.name))
                .collect::<Vec<_>>();
            Ok::<_, StoreError>(view! {
                <CustomerFilter filters choices />
                <InboxTable rows />
            })
        })
    };
    view! {
        <div class="toolbar">
            <h1>"Inbox"</h1>
        </div>
        <section class="card">
            <div class="row search">
                <label class="field">
                    "State"
                    <select name="inbox_state" data-testid="inbox-state" bind:value=filters.state>
                        <option value="">"Open (not resolved)"</option>
                        {ThreadState::ALL
                            .map(|s| {
                                let selected = filters.state.get_untracked() == s.name();
                                view! {
                                    <option value=s.name() selected=selected>
                                        {state_words(s)}
                                    </option>
                                }
                            })}
                    </select>
                </label>
                <Field label="Older than (days)" field="older_than_days" error>
                    <input
                        name="inbox_older"
                        inputmode="numeric"
                        data-testid="inbox-older"
                        bind:value=filters.older
                    />
                </Field>
            </div>
            <Loading>{list}</Loading>
        </section>
    }
}

/// The customer filter: every customer on this device.
#[component]
fn CustomerFilter(filters: Filters, choices: Vec<(String, String)>) -> impl IntoView {
    view! {
        <label class="field">
            "Customer"
            <select name="inbox_customer" data-testid="inbox-customer" bind:value=filters.customer>
                <option value="">"All customers"</option>
                {choices
                    .into_iter()
                    .map(|(id, name)| {
                        let selected = filters.customer.with_untracked(|c| *c == id);
                        view! {
                            <option value=id selected=selected>
                                {name}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
        </label>
    }
}

#[component]
fn InboxTable(rows: Vec<Row>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <EmptyState message="No thread matches." testid="no-threads" /> }
            .into_any();
    }
    view! {
        <DataTable
            rows
            columns=columns()
            href=|r: &Row| format!("/inbox/{}", r.entry.thread.id)
            row_testid="thread-row"
        />
    }
    .into_any()
}

fn columns() -> Vec<Column<Row>> {
    vec![
        Column::new("Customer", |r: &Row| {
            view! {
                <a href=format!("/inbox/{}", r.entry.thread.id) data-testid="thread-customer">
                    {r.customer.clone()}
                </a>
            }
        })
        .sort_by(|r| SortKey::Text(r.customer.to_lowercase())),
        Column::new("Invoice", |r: &Row| {
            r.entry.thread.invoice_number.clone().unwrap_or_default()
        })
        .class("code"),
        Column::new("Kind", |r: &Row| kind_words(r.entry.thread.kind)),
        Column::new("Reason", |r: &Row| reason_words(r.entry.thread.reason)),
        Column::new("Age (days)", |r: &Row| r.age.to_string())
            .class("num")
            .sort_by(|r| SortKey::Number(r.age.into())),
        Column::new("State", |r: &Row| {
            let state = state_words(r.entry.thread.state);
            view! {
                <span data-testid="thread-state">{state}</span>
                {r.entry
                    .answered_here
                    .then(|| view! { <span class="flag">"Your answer waits to sync"</span> })}
            }
        }),
    ]
}

/// The header's link to the inbox, with how many threads wait for an answer.
#[component]
pub fn InboxLink() -> impl IntoView {
    let app = use_app();
    let waiting = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        // A failed read shows no number here; the inbox itself shows the failure.
        async move { store.waiting_count().await.unwrap_or_default() }
    });
    let count = move || {
        waiting
            .get()
            .filter(|n| *n > 0)
            .map(|n| view! { <span class="badge" data-testid="inbox-waiting">{n}</span> })
    };
    let label = move || match waiting.get() {
        Some(n) if n > 0 => format!("Inbox, {n} waiting for an answer"),
        _ => "Inbox".to_owned(),
    };
    view! {
        <a href="/inbox" data-testid="nav-inbox" aria-label=label>
            "Inbox"
            {count}
        </a>
    }
}
