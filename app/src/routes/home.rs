//! The dashboard: issued invoices (with those still waiting for the server), draft invoices (a draft in
//! conflict leads to its resolution), customers, and mutations the server refused.
//!
//! Each list reads one page from the store at a time ([`crate::store::lists`]), so the screen costs the
//! same with 20 invoices or 20,000: issued invoices filter by status (overdue is open and due before the
//! organisation's today) and search by number or customer; customers search by name.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::NaiveDate;
use leptos::prelude::*;
use remit_core::customer::Customer;
use remit_core::document::compute;
use remit_core::ids::CustomerId;
use remit_core::money::Money;
use remit_core::receivables::listing::InvoiceFilter;
use uuid::Uuid;

use crate::calendar;
use crate::components::boundary::Loading;
use crate::components::data_table::{Column, DataTable, Pager};
use crate::components::date::DateText;
use crate::components::empty::EmptyState;
use crate::components::money::MoneyText;
use crate::marks::mark_painted;
use crate::state::use_app;
use crate::store::StoreError;
use crate::store::issuing::IssuedInvoice;
use crate::store::lists::{InvoiceQuery, Page};

#[component]
pub fn Home() -> impl IntoView {
    view! {
        <div class="toolbar">
            <h1>"Billing"</h1>
            <div class="actions">
                <a class="button secondary" href="/customers/new" data-testid="new-customer">
                    "New customer"
                </a>
                <a class="button" href="/invoices/new" data-testid="new-invoice">
                    "New invoice"
                </a>
            </div>
        </div>
        <Rejected />
        <IssuedList />
        <DraftList />
        <CustomerList />
    }
}

/// Set once the first page of issued invoices has been on screen in this page load.
static FIRST_ROWS: AtomicBool = AtomicBool::new(false);

#[component]
fn IssuedList() -> impl IntoView {
    let app = use_app();
    let filter = RwSignal::new(InvoiceFilter::All);
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);
    // The page re-reads whenever stored records change (a save here, a pull in the background); the
    // outbox counts too: an issue that leaves it (pushed, then pulled) changes its mark.
    let issued = LocalResource::new(move || {
        app.revision.track();
        app.sync.pending.track();
        let query = InvoiceQuery {
            filter: filter.get(),
            search: search.get(),
        };
        let page = page.get();
        let today = app
            .session
            .with(|s| {
                s.as_ref()
                    .map(|s| calendar::today_in(s.organisation.time_zone.as_str()))
            })
            .unwrap_or_else(|| calendar::today_in(""));
        let store = app.store();
        async move {
            let found = store.invoice_page(&query, page, today).await?;
            let awaiting = found.rows.iter().filter_map(|row| match row {
                IssuedInvoice::AwaitingNumber(issue) => Some(issue.draft.customer_id),
                IssuedInvoice::Numbered { .. } => None,
            });
            let names = store.customer_names(awaiting).await?;
            Ok::<_, StoreError>((found, names))
        }
    });
    let list = move || {
        Suspend::new(async move {
            let (found, names) = issued.await?;
            let searched = !search.get_untracked().trim().is_empty();
            let view = if found.rows.is_empty() {
                let message = if searched || filter.get_untracked() != InvoiceFilter::All {
                    "No invoices match."
                } else {
                    "No invoices issued yet."
                };
                view! { <EmptyState message /> }.into_any()
            } else {
                paged(issued_table(found.rows.clone(), &names), &found, page)
            };
            if !FIRST_ROWS.swap(true, Ordering::Relaxed) {
                mark_painted("remit:first-rows");
            }
            if searched {
                mark_painted("remit:search-results");
            }
            Ok::<_, StoreError>(view)
        })
    };
    view! {
        <section class="card">
            <h2>"Issued invoices"</h2>
            <div class="list-tools">
                <FilterButtons filter page />
                <SearchBox
                    value=search
                    page
                    label="Search invoices"
                    placeholder="Number or customer"
                    testid="invoice-search"
                />
            </div>
            <Loading>{list}</Loading>
        </section>
    }
}

#[component]
fn FilterButtons(filter: RwSignal<InvoiceFilter>, page: RwSignal<usize>) -> impl IntoView {
    let buttons = InvoiceFilter::ALL
        .into_iter()
        .map(|choice| {
            let label = choice.label();
            view! {
                <button
                    type="button"
                    class="secondary"
                    aria-pressed=move || (filter.get() == choice).to_string()
                    data-testid=format!("invoice-filter-{}", label.to_lowercase())
                    on:click=move |_| {
                        filter.set(choice);
                        page.set(0);
                    }
                >
                    {label}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="filters" role="group" aria-label="Show">
            {buttons}
        </div>
    }
}

/// A search field over a paged list: each keystroke searches again from the first page.
#[component]
fn SearchBox(
    value: RwSignal<String>,
    page: RwSignal<usize>,
    label: &'static str,
    placeholder: &'static str,
    testid: &'static str,
) -> impl IntoView {
    view! {
        <input
            type="search"
            aria-label=label
            placeholder=placeholder
            data-testid=testid
            prop:value=value
            on:input=move |ev| {
                value.set(event_target_value(&ev));
                page.set(0);
            }
        />
    }
}

/// A page's table with the list's count and, when there is more than one page, the pager.
fn paged<T>(table: impl IntoView + 'static, found: &Page<T>, page: RwSignal<usize>) -> AnyView {
    let pages = found.pages();
    let count = found.total;
    view! {
        {table}
        <p class="muted list-count">{format!("{count} in all")}</p>
        {(pages > 1).then(|| view! { <Pager page pages /> })}
    }
    .into_any()
}

#[component]
fn DraftList() -> impl IntoView {
    let app = use_app();
    let page = RwSignal::new(0usize);
    let drafts = LocalResource::new(move || {
        app.revision.track();
        let page = page.get();
        let store = app.store();
        async move {
            let found = store.draft_page(page).await?;
            let names = store
                .customer_names(found.rows.iter().map(|d| d.customer_id))
                .await?;
            Ok::<_, StoreError>((found, names))
        }
    });
    let list = move || {
        Suspend::new(async move {
            let (found, names) = drafts.await?;
            let conflicts: HashSet<Uuid> = app
                .sync
                .conflicts
                .with(|c| c.iter().map(|c| c.id).collect());
            Ok::<_, StoreError>(if found.rows.is_empty() {
                view! { <EmptyState message="No drafts yet." /> }.into_any()
            } else {
                paged(
                    draft_table(found.rows.clone(), &names, &conflicts),
                    &found,
                    page,
                )
            })
        })
    };
    view! {
        <section class="card">
            <h2>"Draft invoices"</h2>
            <Loading>{list}</Loading>
        </section>
    }
}

#[component]
fn CustomerList() -> impl IntoView {
    let app = use_app();
    let search = RwSignal::new(String::new());
    let page = RwSignal::new(0usize);
    let customers = LocalResource::new(move || {
        app.revision.track();
        let (search, page) = (search.get(), page.get());
        let store = app.store();
        async move { store.customer_page(&search, page).await }
    });
    let list = move || {
        Suspend::new(async move {
            let found = customers.await?;
            Ok::<_, StoreError>(if found.rows.is_empty() {
                let message = if search.get_untracked().trim().is_empty() {
                    "No customers yet."
                } else {
                    "No customers match."
                };
                view! { <EmptyState message /> }.into_any()
            } else {
                paged(customer_table(found.rows.clone()), &found, page)
            })
        })
    };
    view! {
        <section class="card">
            <h2>"Customers"</h2>
            <div class="list-tools">
                <SearchBox
                    value=search
                    page
                    label="Search customers"
                    placeholder="Name"
                    testid="customer-search"
                />
            </div>
            <Loading>{list}</Loading>
        </section>
    }
}

fn customer_name(names: &HashMap<CustomerId, String>, id: CustomerId) -> String {
    names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| "Unknown customer".into())
}

/// A flag beside a row's first cell: its test id and its text.
type Mark = Option<(&'static str, String)>;

fn flag(mark: &Mark) -> impl IntoView + use<> {
    mark.clone().map(|(id, text)| {
        view! {
            <span class="flag" data-testid=id>
                {text}
            </span>
        }
    })
}

/// An issued invoice as its row shows it.
#[derive(Clone)]
struct IssuedRow {
    id: String,
    number: String,
    mark: Mark,
    customer: String,
    date: NaiveDate,
    due: Option<Money>,
}

impl IssuedRow {
    /// Number, customer (the buyer named on the invoice), amount due as frozen at issue, and what still
    /// waits. An invoice sent for the server's number shows its customer as this device knows it and
    /// the amount core computes from the draft sent.
    fn new(entry: IssuedInvoice, names: &HashMap<CustomerId, String>) -> Self {
        let id = entry.id().to_string();
        match entry {
            IssuedInvoice::Numbered {
                invoice,
                awaiting_sync,
            } => {
                let mark = if let Some(voided) = &invoice.voided {
                    Some(("voided", format!("Voided {}", voided.on)))
                } else {
                    awaiting_sync
                        .then(|| ("awaiting-sync", "Issued offline — awaiting sync".into()))
                };
                Self {
                    id,
                    number: invoice.number().to_string(),
                    mark,
                    customer: invoice.snapshot.buyer.name.clone(),
                    date: invoice.snapshot.issue_date,
                    due: Some(invoice.snapshot.totals.amount_due),
                }
            }
            IssuedInvoice::AwaitingNumber(issue) => Self {
                id,
                number: "Number pending".to_owned(),
                mark: Some(("awaiting-number", "Sent for its number".into())),
                customer: customer_name(names, issue.draft.customer_id),
                date: issue.draft.issue_date,
                due: compute(&issue.draft).ok().map(|t| t.amount_due),
            },
        }
    }
}

fn issued_table(
    issued: Vec<IssuedInvoice>,
    names: &HashMap<CustomerId, String>,
) -> impl IntoView + use<> {
    let rows: Vec<IssuedRow> = issued
        .into_iter()
        .map(|e| IssuedRow::new(e, names))
        .collect();
    let columns = vec![
        Column::new("Number", |r: &IssuedRow| {
            view! {
                <a href=format!("/invoices/{}", r.id) data-testid="invoice-row-number">
                    {r.number.clone()}
                </a>
                {flag(&r.mark)}
            }
        })
        .class("code"),
        Column::new("Customer", |r: &IssuedRow| r.customer.clone()),
        Column::new(
            "Issue date",
            |r: &IssuedRow| view! { <DateText date=r.date /> },
        )
        .class("date"),
        Column::new("Amount due", |r: &IssuedRow| {
            r.due.map(|money| view! { <MoneyText money /> })
        })
        .class("num"),
    ];
    view! {
        <DataTable
            rows
            columns
            href=|r: &IssuedRow| format!("/invoices/{}", r.id)
            row_testid="invoice-row"
        />
    }
}

/// A draft as its row shows it. A draft in conflict (another device changed it while this one edited
/// it) opens on the resolution screen: editing on top of the other version first would leave the
/// conflict stale.
#[derive(Clone)]
struct DraftRow {
    href: String,
    conflicted: bool,
    customer: String,
    issue_date: NaiveDate,
    due_date: NaiveDate,
    lines: usize,
    due: Option<Money>,
}

fn draft_table(
    drafts: Vec<crate::store::records::DraftRecord>,
    names: &HashMap<CustomerId, String>,
    conflicts: &HashSet<Uuid>,
) -> impl IntoView + use<> {
    let rows: Vec<DraftRow> = drafts
        .into_iter()
        .map(|record| {
            let conflicted = conflicts.contains(&record.id.as_uuid());
            let page = if conflicted { "conflicts" } else { "invoices" };
            DraftRow {
                href: format!("/{page}/{}", record.id),
                conflicted,
                customer: customer_name(names, record.customer_id),
                issue_date: record.draft.issue_date,
                due_date: record.draft.due_date,
                lines: record.draft.lines.len(),
                due: record.totals.as_ref().map(|t| t.amount_due),
            }
        })
        .collect();
    let columns = vec![
        Column::new("Customer", |r: &DraftRow| {
            let conflict = r.conflicted.then(|| {
                view! {
                    <span class="flag" data-testid="draft-conflict">
                        "Changed elsewhere — resolve"
                    </span>
                }
            });
            view! {
                <a href=r.href.clone()>{r.customer.clone()}</a>
                {conflict}
            }
        }),
        Column::new(
            "Issue date",
            |r: &DraftRow| view! { <DateText date=r.issue_date /> },
        )
        .class("date"),
        Column::new(
            "Due date",
            |r: &DraftRow| view! { <DateText date=r.due_date /> },
        )
        .class("date"),
        Column::new("Lines", |r: &DraftRow| r.lines).class("num"),
        Column::new("Amount due", |r: &DraftRow| {
            r.due.map(|money| view! { <MoneyText money /> })
        })
        .class("num"),
    ];
    view! { <DataTable rows columns href=|r: &DraftRow| r.href.clone() row_testid="draft-row" /> }
}

fn customer_table(customers: Vec<Customer>) -> impl IntoView {
    let columns = vec![
        Column::new("Name", |c: &Customer| {
            view! { <a href=format!("/customers/{}", c.id)>{c.name.clone()}</a> }
        }),
        Column::new("E-mail", |c: &Customer| c.email.clone()),
        Column::new("Currency", |c: &Customer| c.currency.code().to_owned()).class("code"),
        Column::new("Terms (days)", |c: &Customer| {
            format!("Net {}", c.payment_terms_days)
        })
        .class("num"),
    ];
    view! {
        <DataTable
            rows=customers
            columns
            href=|c: &Customer| format!("/customers/{}", c.id)
            row_testid="customer-row"
        />
    }
}

/// Changes the server refused: nothing of them reached the server, so the user must know.
#[component]
fn Rejected() -> impl IntoView {
    let app = use_app();
    // Dismissing forgets the refused change on this device; a failure shows in the banner.
    let dismiss = Action::new_local(move |id: &u64| {
        let id = *id;
        async move {
            let store = app.store();
            match store.dismiss_rejected(id).await {
                Ok(()) => app.sync.refresh_counts(store).await,
                Err(e) => app.sync.problem.set(Some(e.to_string())),
            }
        }
    });
    move || {
        let rejected = app.sync.rejected.get();
        (!rejected.is_empty()).then(|| {
            let items = rejected
                .into_iter()
                .map(|r| {
                    let id = r.id;
                    let dismiss = move |_| {
                        dismiss.dispatch_local(id);
                    };
                    let message = r
                        .error
                        .map(|e| e.message)
                        .unwrap_or_else(|| "refused by the server".into());
                    view! {
                        <li data-testid="rejected">
                            <span class="code">{r.mutation.name}</span>
                            " — "
                            {message}
                            " "
                            <button type="button" class="link" on:click=dismiss>
                                "Dismiss"
                            </button>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section class="card problem">
                    <h2>"Changes the server refused"</h2>
                    <p class="muted">
                        "These changes were not saved on the server. Correct them and save again."
                    </p>
                    <ul>{items}</ul>
                </section>
            }
        })
    }
}
