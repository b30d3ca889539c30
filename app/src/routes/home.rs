//! The dashboard: issued invoices (with those still waiting for the server), draft invoices (a draft in
//! conflict leads to its resolution), customers, and mutations the server refused.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use remit_core::customer::Customer;
use remit_core::document::compute;
use remit_core::ids::CustomerId;
use uuid::Uuid;

use super::signed_in;
use crate::components::money::MoneyText;
use crate::state::use_app;
use crate::store::issuing::IssuedInvoice;
use crate::store::records::DraftRecord;

#[component]
pub fn Home() -> impl IntoView {
    signed_in(|| view! { <Dashboard /> })
}

#[component]
fn Dashboard() -> impl IntoView {
    let app = use_app();
    // Both lists re-read IndexedDB whenever stored records change (a save here, a pull in the background).
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
            {move || {
                let customers = customers.get().and_then(Result::ok).unwrap_or_default();
                match issued.get() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Some(Ok(issued)) if issued.is_empty() => {
                        view! { <p class="muted">"No invoices issued yet."</p> }.into_any()
                    }
                    Some(Ok(issued)) => view! { <IssuedTable issued customers /> }.into_any(),
                }
            }}
        </section>
        <section class="card">
            <h2>"Draft invoices"</h2>
            {move || {
                let customers = customers.get().and_then(Result::ok).unwrap_or_default();
                let conflicts: HashSet<Uuid> = app
                    .sync
                    .conflicts
                    .with(|c| c.iter().map(|c| c.id).collect());
                match drafts.get() {
                    None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                    Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                    Some(Ok(drafts)) if drafts.is_empty() => {
                        view! { <p class="muted">"No drafts yet."</p> }.into_any()
                    }
                    Some(Ok(drafts)) => {
                        view! { <DraftTable drafts customers conflicts /> }.into_any()
                    }
                }
            }}
        </section>
        <section class="card">
            <h2>"Customers"</h2>
            {move || match customers.get() {
                None => view! { <p class="muted">"Loading…"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                Some(Ok(customers)) if customers.is_empty() => {
                    view! { <p class="muted">"No customers yet."</p> }.into_any()
                }
                Some(Ok(customers)) => view! { <CustomerTable customers /> }.into_any(),
            }}
        </section>
    }
}

/// `conflicts`: drafts another device changed while this one edited them. They open on the resolution
/// screen: editing on top of the other version before choosing would leave the conflict stale.
#[component]
fn DraftTable(
    drafts: Vec<DraftRecord>,
    customers: Vec<Customer>,
    conflicts: HashSet<Uuid>,
) -> impl IntoView {
    let navigate = use_navigate();
    let names: HashMap<CustomerId, String> =
        customers.into_iter().map(|c| (c.id, c.name)).collect();
    let rows = drafts
        .into_iter()
        .map(|record| {
            let conflicted = conflicts.contains(&record.id.as_uuid());
            let href = if conflicted {
                format!("/conflicts/{}", record.id)
            } else {
                format!("/invoices/{}", record.id)
            };
            let open = {
                let navigate = navigate.clone();
                let href = href.clone();
                move |_| navigate(&href, NavigateOptions::default())
            };
            let customer = names
                .get(&record.customer_id)
                .cloned()
                .unwrap_or_else(|| "Unknown customer".into());
            let due = record.totals.as_ref().map(|t| t.amount_due);
            view! {
                <tr class="clickable" data-testid="draft-row" on:click=open>
                    <td>
                        <a href=href>{customer}</a>
                        {conflicted
                            .then(|| {
                                view! {
                                    <span class="flag" data-testid="draft-conflict">
                                        "Changed elsewhere — resolve"
                                    </span>
                                }
                            })}
                    </td>
                    <td class="date">{record.draft.issue_date.to_string()}</td>
                    <td class="date">{record.draft.due_date.to_string()}</td>
                    <td class="num">{record.draft.lines.len()}</td>
                    <td class="num">{due.map(|money| view! { <MoneyText money /> })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list">
            <thead>
                <tr>
                    <th>"Customer"</th>
                    <th class="date">"Issue date"</th>
                    <th class="date">"Due date"</th>
                    <th class="num">"Lines"</th>
                    <th class="num">"Amount due"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Issued invoices: number, customer, amount due as frozen at issue, and what still waits. An invoice
/// sent for the server's number shows the amount core computes from the draft sent.
#[component]
fn IssuedTable(issued: Vec<IssuedInvoice>, customers: Vec<Customer>) -> impl IntoView {
    let navigate = use_navigate();
    let names: HashMap<CustomerId, String> =
        customers.into_iter().map(|c| (c.id, c.name)).collect();
    let rows = issued
        .into_iter()
        .map(|entry| {
            let href = format!("/invoices/{}", entry.id());
            let open = {
                let navigate = navigate.clone();
                let href = href.clone();
                move |_| navigate(&href, NavigateOptions::default())
            };
            let customer = names
                .get(&entry.customer_id())
                .cloned()
                .unwrap_or_else(|| "Unknown customer".into());
            let (number, date, due, mark) = match entry {
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
                    (
                        invoice.number().to_string(),
                        invoice.snapshot.issue_date,
                        Some(invoice.snapshot.totals.amount_due),
                        mark,
                    )
                }
                IssuedInvoice::AwaitingNumber(issue) => (
                    "Number pending".to_owned(),
                    issue.draft.issue_date,
                    compute(&issue.draft).ok().map(|t| t.amount_due),
                    Some(("awaiting-number", "Sent for its number".into())),
                ),
            };
            view! {
                <tr class="clickable" data-testid="invoice-row" on:click=open>
                    <td class="code">
                        <a href=href data-testid="invoice-row-number">
                            {number}
                        </a>
                        {mark
                            .map(|(id, text)| {
                                view! {
                                    <span class="flag" data-testid=id>
                                        {text}
                                    </span>
                                }
                            })}
                    </td>
                    <td>{customer}</td>
                    <td class="date">{date.to_string()}</td>
                    <td class="num">{due.map(|money| view! { <MoneyText money /> })}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list">
            <thead>
                <tr>
                    <th>"Number"</th>
                    <th>"Customer"</th>
                    <th class="date">"Issue date"</th>
                    <th class="num">"Amount due"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

#[component]
fn CustomerTable(customers: Vec<Customer>) -> impl IntoView {
    let navigate = use_navigate();
    let rows = customers
        .into_iter()
        .map(|customer| {
            let href = format!("/customers/{}", customer.id);
            let open = {
                let navigate = navigate.clone();
                let href = href.clone();
                move |_| navigate(&href, NavigateOptions::default())
            };
            view! {
                <tr class="clickable" data-testid="customer-row" on:click=open>
                    <td>
                        <a href=href>{customer.name}</a>
                    </td>
                    <td>{customer.email}</td>
                    <td class="code">{customer.currency.code().to_owned()}</td>
                    <td class="num">{format!("Net {}", customer.payment_terms_days)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table class="list">
            <thead>
                <tr>
                    <th>"Name"</th>
                    <th>"E-mail"</th>
                    <th class="code">"Currency"</th>
                    <th class="num">"Terms (days)"</th>
                </tr>
            </thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Changes the server refused: nothing of them reached the server, so the user must know.
#[component]
fn Rejected() -> impl IntoView {
    let app = use_app();
    move || {
        let rejected = app.sync.rejected.get();
        (!rejected.is_empty()).then(|| {
            let items = rejected
                .into_iter()
                .map(|r| {
                    let id = r.id;
                    let dismiss = move |_| {
                        spawn_local(async move {
                            let store = app.store();
                            match store.dismiss_rejected(id).await {
                                Ok(()) => app.sync.refresh_counts(store).await,
                                Err(e) => app.sync.problem.set(Some(e.to_string())),
                            }
                        });
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
