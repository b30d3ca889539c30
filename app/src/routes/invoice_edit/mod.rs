//! The draft invoice editor. Totals are core's `compute` over what is typed, re-run on every keystroke;
//! saving stores the draft and its mutation only when core's `InvoiceDraft::validate` accepts it.
//!
//! Issuing online sends the draft for the server's next number. Offline, core issues it under this
//! device's next leased number (`issue_offline`, the decision the server will take), and the
//! provisional invoice is stored with the mutation in one transaction, so its number shows at once.
//! Either way the editor then shows the issued invoice, read-only.

use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::NavigateOptions;
use leptos_router::hooks::{use_navigate, use_params_map};
use remit_core::customer::Customer;
use remit_core::document::issued::{IssueInvoice, NumberSource};
use remit_core::document::{DocumentTotals, InvoiceDraft, TaxRounding, compute};
use remit_core::ids::{CustomerId, InvoiceId, OrganisationId};
use remit_core::money::Currency;
use remit_core::sync::Command;
use remit_core::sync::mutation::DraftRef;
use remit_core::validation::{Rule, ValidationError};
use uuid::Uuid;

use super::invoice_view::IssuedInvoiceView;
use super::signed_in;
use crate::calendar;
use crate::components::field_error::FieldError;
use crate::components::line_table::{LineForm, LineTable};
use crate::components::money::amount_text;
use crate::state::{AppState, use_app};
use crate::sync::SyncStatus;

/// `/invoices/new` or `/invoices/<id>`.
#[component]
pub fn InvoiceEdit() -> impl IntoView {
    let params = use_params_map();
    signed_in(move || {
        let id = params.with(|p| p.get("id").and_then(|id| InvoiceId::parse(&id).ok()));
        view! { <DraftLoader id /> }
    })
}

#[derive(Clone)]
enum Loaded {
    Draft {
        customers: Vec<Customer>,
        draft: Option<InvoiceDraft>,
    },
    /// The id is an issued invoice's (or one sent for its number).
    Issued,
}

#[component]
fn DraftLoader(id: Option<InvoiceId>) -> impl IntoView {
    let app = use_app();
    // Read once: the form then owns the user's edits, and a background pull never rewrites them.
    let loaded = LocalResource::new(move || {
        let store = app.store();
        async move {
            let customers = store.customers().await.map_err(|e| e.to_string())?;
            let Some(id) = id else {
                return Ok(Loaded::Draft {
                    customers,
                    draft: None,
                });
            };
            if let Some(record) = store.draft(id).await.map_err(|e| e.to_string())? {
                return Ok(Loaded::Draft {
                    customers,
                    draft: Some(record.draft),
                });
            }
            match store.issued_invoice(id).await.map_err(|e| e.to_string())? {
                Some(_) => Ok(Loaded::Issued),
                None => Err("This draft is not on this device.".to_owned()),
            }
        }
    });
    move || match (loaded.get(), id) {
        (None, _) => view! { <p class="muted">"Loading…"</p> }.into_any(),
        (Some(Err(e)), _) => view! { <p class="error">{e}</p> }.into_any(),
        (Some(Ok(Loaded::Issued)), Some(id)) => view! { <IssuedInvoiceView id /> }.into_any(),
        (Some(Ok(Loaded::Issued)), None) => ().into_any(),
        (Some(Ok(Loaded::Draft { customers, draft })), _) => {
            view! { <DraftForm customers draft /> }.into_any()
        }
    }
}

/// The parts of a draft the form does not edit.
#[derive(Clone, Copy)]
struct Head {
    id: InvoiceId,
    organisation_id: OrganisationId,
    tax_rounding: TaxRounding,
    /// The server version the edit is based on (0 for a new draft).
    version: u64,
}

#[component]
fn DraftForm(customers: Vec<Customer>, draft: Option<InvoiceDraft>) -> impl IntoView {
    let app = use_app();
    let navigate = use_navigate();
    let Some(session) = app.session.get_untracked() else {
        return ().into_any();
    };
    let Ok(new_id) = InvoiceId::try_from(Uuid::now_v7()) else {
        return ().into_any();
    };
    let is_new = draft.is_none();
    let head = match &draft {
        Some(d) => Head {
            id: d.id,
            organisation_id: d.organisation_id,
            tax_rounding: d.tax_rounding,
            version: d.version,
        },
        None => Head {
            id: new_id,
            organisation_id: session.organisation.id,
            tax_rounding: TaxRounding::default(),
            version: 0,
        },
    };
    let customers = StoredValue::new(customers);
    let today = calendar::today_in(session.organisation.time_zone.as_str());
    let customer_id = RwSignal::new(
        draft
            .as_ref()
            .map(|d| d.customer_id.to_string())
            .unwrap_or_default(),
    );
    let currency = RwSignal::new(draft.as_ref().map(|d| d.currency));
    let issue_date = RwSignal::new(draft.as_ref().map_or(today, |d| d.issue_date).to_string());
    let due_date = RwSignal::new(
        draft
            .as_ref()
            .map(|d| d.due_date.to_string())
            .unwrap_or_default(),
    );
    let note = RwSignal::new(draft.as_ref().map(|d| d.note.clone()).unwrap_or_default());
    let lines = RwSignal::new(draft.as_ref().map_or_else(
        || vec![LineForm::default()],
        |d| d.lines.iter().map(LineForm::from_line).collect(),
    ));

    let selected_customer = move || {
        let id = customer_id.get();
        customers.with_value(|cs| cs.iter().find(|c| c.id.to_string() == id).cloned())
    };
    // The customer's terms, counted by core from the issue date.
    let refresh_due_date = move || {
        let Some(customer) = selected_customer() else {
            return;
        };
        if let Ok(issue) = parse_date("issue_date", &issue_date.get_untracked())
            && let Ok(due) = customer.terms().due_date(issue)
        {
            due_date.set(due.to_string());
        }
    };

    let built = Memo::new(move |_| {
        build(
            head,
            &customer_id.get(),
            currency.get(),
            &issue_date.get(),
            &due_date.get(),
            note.get(),
            &lines.get(),
        )
    });
    let totals: Signal<Option<DocumentTotals>> =
        Memo::new(move |_| built.with(|d| d.as_ref().ok().and_then(|d| compute(d).ok()))).into();
    let invalid = Memo::new(move |_| {
        built.with(|d| match d {
            Ok(draft) => draft.validate().err(),
            Err(e) => Some(e.clone()),
        })
    });
    let save_attempted = RwSignal::new(false);
    let store_error = RwSignal::new(None::<String>);
    let error = Signal::derive(move || {
        store_error.get().or_else(|| {
            save_attempted
                .get()
                .then(|| invalid.get().map(|e| e.to_string()))
                .flatten()
        })
    });

    let save = {
        let navigate = navigate.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            save_attempted.set(true);
            let Ok(draft) = built.get_untracked() else {
                return;
            };
            if draft.validate().is_err() {
                return;
            }
            let navigate = navigate.clone();
            spawn_local(async move {
                match app.record(Command::SaveDraft(draft)).await {
                    Ok(()) => navigate("/", NavigateOptions::default()),
                    Err(e) => store_error.set(Some(e.to_string())),
                }
            });
        }
    };
    let delete = {
        let navigate = navigate.clone();
        move |_| {
            let draft = DraftRef {
                id: head.id,
                organisation_id: head.organisation_id,
                version: head.version,
            };
            let navigate = navigate.clone();
            spawn_local(async move {
                match app.record(Command::DeleteDraft(draft)).await {
                    Ok(()) => navigate("/", NavigateOptions::default()),
                    Err(e) => store_error.set(Some(e.to_string())),
                }
            });
        }
    };

    let issue = {
        let navigate = navigate.clone();
        move |_| {
            save_attempted.set(true);
            let Ok(draft) = built.get_untracked() else {
                return;
            };
            let Ok(invoice_id) = InvoiceId::try_from(Uuid::now_v7()) else {
                return;
            };
            let online = matches!(
                app.sync.status(true),
                SyncStatus::Online | SyncStatus::Syncing
            );
            store_error.set(None);
            let navigate = navigate.clone();
            spawn_local(async move {
                let recorded = if online {
                    issue_online(app, invoice_id, draft).await
                } else {
                    // Core decides the number and the invoice from this device's own copies.
                    match app.issue_offline(invoice_id, draft).await {
                        Ok(Ok(())) => Ok(()),
                        Ok(Err(refused)) => Err(refused.message),
                        Err(e) => Err(e.to_string()),
                    }
                };
                match recorded {
                    Ok(()) => navigate(
                        &format!("/invoices/{invoice_id}"),
                        NavigateOptions::default(),
                    ),
                    Err(message) => store_error.set(Some(message)),
                }
            });
        }
    };

    let customer_options = customers.with_value(|cs| {
        cs.iter()
            .map(|c| {
                let id = c.id.to_string();
                let selected = {
                    let id = id.clone();
                    move || customer_id.get() == id
                };
                view! {
                    <option value=id selected=selected>
                        {c.name.clone()}
                    </option>
                }
            })
            .collect_view()
    });
    let currency_code = move || {
        currency
            .get()
            .map(|c| c.code().to_owned())
            .unwrap_or_default()
    };
    let total = move |pick: fn(&DocumentTotals) -> remit_core::money::Money| {
        move || amount_text(totals.with(|t| t.as_ref().map(pick)))
    };
    let vat_rows = move || {
        totals.with(|t| {
            t.as_ref()
                .map(|t| t.vat.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|v| {
                    view! {
                        <tr class="vat">
                            <th>
                                {format!(
                                    "VAT {} {} % of {}",
                                    v.category,
                                    v.rate,
                                    v.taxable.amount(),
                                )}
                            </th>
                            <td class="num">{v.tax.amount().to_string()}</td>
                        </tr>
                    }
                })
                .collect_view()
        })
    };

    view! {
        <form class="card" on:submit=save>
            <div class="toolbar">
                <h1>{if is_new { "New draft invoice" } else { "Draft invoice" }}</h1>
                <div class="actions">
                    {(!is_new)
                        .then(|| {
                            view! {
                                <button type="button" class="danger" on:click=delete.clone()>
                                    "Delete draft"
                                </button>
                            }
                        })}
                    <a class="button secondary" href="/">
                        "Cancel"
                    </a>
                    <button type="submit" class="secondary" data-testid="save-draft">
                        "Save draft"
                    </button>
                    <button type="button" data-testid="issue-invoice" on:click=issue>
                        "Issue invoice"
                    </button>
                </div>
            </div>
            <div class="row">
                <label>
                    "Customer"
                    <select
                        name="customer_id"
                        on:change=move |ev| {
                            customer_id.set(event_target_value(&ev));
                            currency.set(selected_customer().map(|c| c.currency));
                            refresh_due_date();
                        }
                    >
                        <option value="" selected=move || customer_id.get().is_empty()>
                            "Choose a customer…"
                        </option>
                        {customer_options}
                    </select>
                </label>
                <label>
                    "Issue date"
                    <input
                        name="issue_date"
                        type="date"
                        prop:value=issue_date
                        on:input=move |ev| {
                            issue_date.set(event_target_value(&ev));
                            refresh_due_date();
                        }
                    />
                </label>
                <label>
                    "Due date"
                    <input name="due_date" type="date" bind:value=due_date />
                </label>
                <label>
                    "Currency"
                    <output class="code">{currency_code}</output>
                </label>
            </div>
            <LineTable lines totals />
            <table class="totals">
                <tbody>
                    <tr>
                        <th>"Net total"</th>
                        <td class="num" data-testid="total-net">
                            {total(|t| t.line_net_total)}
                        </td>
                    </tr>
                    {vat_rows}
                    <tr>
                        <th>"VAT total"</th>
                        <td class="num" data-testid="total-tax">
                            {total(|t| t.tax_total)}
                        </td>
                    </tr>
                    <tr class="due">
                        <th>{move || format!("Amount due {}", currency_code())}</th>
                        <td class="num" data-testid="total-due">
                            {total(|t| t.amount_due)}
                        </td>
                    </tr>
                </tbody>
            </table>
            <label>
                "Note"
                <textarea name="note" rows="2" bind:value=note></textarea>
            </label>
            <FieldError error />
        </form>
    }
    .into_any()
}

/// Sends the draft for the server's next number: a request the server may refuse (shown with the
/// refused changes), so nothing is decided here beyond what core checks of the draft itself.
async fn issue_online(
    app: AppState,
    invoice_id: InvoiceId,
    draft: InvoiceDraft,
) -> Result<(), String> {
    let issue = IssueInvoice {
        invoice_id,
        draft,
        number: NumberSource::Server,
    };
    issue.validate().map_err(|e| e.to_string())?;
    app.record(Command::IssueInvoice(issue))
        .await
        .map_err(|e| e.to_string())
}

/// Reads the form into core's draft. Unreadable input is an error naming its field; whether the draft
/// is acceptable is core's `validate`, asked separately.
fn build(
    head: Head,
    customer_id: &str,
    currency: Option<Currency>,
    issue_date: &str,
    due_date: &str,
    note: String,
    lines: &[LineForm],
) -> Result<InvoiceDraft, ValidationError> {
    let customer_id = CustomerId::parse(customer_id)
        .map_err(|_| ValidationError::new("customer_id", Rule::Required))?;
    let currency = currency.ok_or_else(|| ValidationError::new("currency", Rule::Required))?;
    let lines = lines
        .iter()
        .enumerate()
        .map(|(i, line)| line.to_line(i))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(InvoiceDraft {
        id: head.id,
        organisation_id: head.organisation_id,
        customer_id,
        currency,
        issue_date: parse_date("issue_date", issue_date)?,
        due_date: parse_date("due_date", due_date)?,
        tax_rounding: head.tax_rounding,
        lines,
        note,
        version: head.version,
    })
}

fn parse_date(field: &str, text: &str) -> Result<chrono::NaiveDate, ValidationError> {
    text.trim()
        .parse()
        .map_err(|_| ValidationError::new(field, Rule::Date))
}
