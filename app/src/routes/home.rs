//! The dashboard: issued invoices (with those still waiting for the server), draft invoices (a draft in
//! conflict leads to its resolution), customers, and mutations the server refused.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use leptos::prelude::*;
use remit_core::customer::Customer;
use remit_core::document::compute;
use remit_core::ids::CustomerId;
use remit_core::money::Money;
use uuid::Uuid;

use crate::components::boundary::Loading;
use crate::components::data_table::{Column, DataTable, SortKey};
use crate::components::date::DateText;
use crate::components::empty::EmptyState;
use crate::components::money::MoneyText;
use crate::state::use_app;
use crate::store::StoreError;
use crate::store::issuing::IssuedInvoice;

#[component]
pub fn Home() -> impl IntoView {
    let app = use_app();
    // Every list re-reads IndexedDB whenever stored records change (a save here, a pull in the background).
    let customers = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        async move { store.customers().await }
    });
    let drafts = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        async move { store.drafts().await }
    });
    // The outbox counts too: an issue that leaves it (pushed, then pulled) changes its mark.
    let issued = LocalResource::new(move || {
        app.revision.track();
        app.sync.pending.track();
        let store = app.store();
        async move { store.issued_invoices().await }
    });
    let names = move || async move { names_by_id(customers.await.unwrap_or_default()) };
    let issued_list = move || {
        Suspend::new(async move {
            let issued = issued.await?;
            let names = names().await;
            Ok::<_, StoreError>(if issued.is_empty() {
                view! { <EmptyState message="No invoices issued yet." /> }.into_any()
            } else {
                issued_table(issued, &names).into_any()
            })
        })
    };
    let draft_list = move || {
        Suspend::new(async move {
            let drafts = drafts.await?;
            let names = names().await;
            let conflicts: HashSet<Uuid> = app
                .sync
                .conflicts
                .with(|c| c.iter().map(|c| c.id).collect());
            Ok::<_, StoreError>(if drafts.is_empty() {
                view! { <EmptyState message="No drafts yet." /> }.into_any()
            } else {
                draft_table(drafts, &names, &conflicts).into_any()
            })
        })
    };
    let customer_list = move || {
        Suspend::new(async move {
            let customers = customers.await?;
            Ok::<_, StoreError>(if customers.is_empty() {
                view! { <EmptyState message="No customers yet." /> }.into_any()
            } else {
                customer_table(customers).into_any()
            })
        })
    };
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
        <section class="card">
            <h2>"Issued invoices"</h2>
            <Loading>{issued_list}</Loading>
        </section>
        <section class="card">
            <h2>"Draft invoices"</h2>
            <Loading>{draft_list}</Loading>
        </section>
        <section class="card">
            <h2>"Customers"</h2>
            <Loading>{customer_list}</Loading>
        </section>
    }
}

fn names_by_id(customers: Vec<Customer>) -> HashMap<CustomerId, String> {
    customers.into_iter().map(|c| (c.id, c.name)).collect()
}

fn customer_name(names: &HashMap<CustomerId, String>, id: CustomerId) -> String {
    names
        .get(&id)
        .cloned()
        .unwrap_or_else(|| "Unknown customer".into())
}

fn amount_key(money: Option<Money>) -> SortKey {
    money.map_or(SortKey::Missing, |m| SortKey::Number(m.amount()))
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
    /// Number, customer, amount due as frozen at issue, and what still waits. An invoice sent for the
    /// server's number shows the amount core computes from the draft sent.
    fn new(entry: IssuedInvoice, names: &HashMap<CustomerId, String>) -> Self {
        let id = entry.id().to_string();
        let customer = customer_name(names, entry.customer_id());
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
                    customer,
                    date: invoice.snapshot.issue_date,
                    due: Some(invoice.snapshot.totals.amount_due),
                }
            }
            IssuedInvoice::AwaitingNumber(issue) => Self {
                id,
                number: "Number pending".to_owned(),
                mark: Some(("awaiting-number", "Sent for its number".into())),
                customer,
                date: issue.draft.issue_date,
                due: compute(&issue.draft).ok().map(|t| t.amount_due),
            },
        }
    }
}

fn issued_table(issued: Vec<IssuedInvoice>, names: &HashMap<CustomerId, String>) -> impl IntoView {
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
        .class("code")
        .sort_by(|r| SortKey::Text(r.number.clone())),
        Column::new("Customer", |r: &IssuedRow| r.customer.clone())
            .sort_by(|r| SortKey::Text(r.customer.clone())),
        Column::new(
            "Issue date",
            |r: &IssuedRow| view! { <DateText date=r.date /> },
        )
        .class("date")
        .sort_by(|r| SortKey::Date(r.date)),
        Column::new("Amount due", |r: &IssuedRow| {
            r.due.map(|money| view! { <MoneyText money /> })
        })
        .class("num")
        .sort_by(|r| amount_key(r.due)),
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
) -> impl IntoView {
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
        })
        .sort_by(|r| SortKey::Text(r.customer.clone())),
        Column::new(
            "Issue date",
            |r: &DraftRow| view! { <DateText date=r.issue_date /> },
        )
        .class("date")
        .sort_by(|r| SortKey::Date(r.issue_date)),
        Column::new(
            "Due date",
            |r: &DraftRow| view! { <DateText date=r.due_date /> },
        )
        .class("date")
        .sort_by(|r| SortKey::Date(r.due_date)),
        Column::new("Lines", |r: &DraftRow| r.lines).class("num"),
        Column::new("Amount due", |r: &DraftRow| {
            r.due.map(|money| view! { <MoneyText money /> })
        })
        .class("num")
        .sort_by(|r| amount_key(r.due)),
    ];
    view! { <DataTable rows columns href=|r: &DraftRow| r.href.clone() row_testid="draft-row" /> }
}

fn customer_table(customers: Vec<Customer>) -> impl IntoView {
    let columns = vec![
        Column::new("Name", |c: &Customer| {
            view! { <a href=format!("/customers/{}", c.id)>{c.name.clone()}</a> }
        })
        .sort_by(|c| SortKey::Text(c.name.clone())),
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
