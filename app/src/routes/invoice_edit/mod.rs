//! The draft invoice editor. Totals are core's `compute` over what is typed, re-run on every keystroke;
//! saving stores the draft and its mutation only when core's `InvoiceDraft::validate` accepts it.
//!
//! Issuing online sends the draft for the server's next number. Offline, core issues it under this
//! device's next leased number (`issue_offline`, the decision the server will take), and the
//! provisional invoice is stored with the mutation in one transaction, so its number shows at once.
//! Either way the editor then shows the issued invoice, read-only.
//!
//! [`state`] holds what is typed and core's reading of it, [`actions`] the writes; [`shortcuts`] is the
//! one table of keys, run by [`keyboard`] and listed by [`overlay`]; this module is the view.

mod actions;
mod details;
mod keyboard;
mod overlay;
mod shortcuts;
mod state;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use remit_core::catalogue::Item;
use remit_core::customer::Customer;
use remit_core::document::InvoiceDraft;
use remit_core::ids::InvoiceId;
use remit_core::money::Currency;
use remit_core::settings::TermsOption;
use uuid::Uuid;

use super::invoice_view::IssuedInvoiceView;
use crate::components::adjustment_table::{AdjustmentTable, Rows};
use crate::components::boundary::Loading;
use crate::components::confirm::ConfirmButton;
use crate::components::field::Field;
use crate::components::field_error::FieldError;
use crate::components::item_picker::Picker;
use crate::components::line_table::LineTable;
use crate::components::totals::{DocumentSums, TotalsTable};
use crate::state::use_app;
use crate::store::StoreError;
use actions::DraftActions;
use details::{
    AccountingRateInputs, DetailsFieldset, PricesIncludeVat, RoundingWarning, ScheduleSummary,
    TermsSelect,
};
use keyboard::Keyboard;
use overlay::ShortcutsOverlay;
use state::DraftState;

/// `/invoices/new` or `/invoices/<id>`.
#[component]
pub fn InvoiceEdit() -> impl IntoView {
    let params = use_params_map();
    move || {
        let id = params.with(|p| p.get("id").and_then(|id| InvoiceId::parse(&id).ok()));
        view! { <DraftLoader id /> }
    }
}

#[derive(Clone)]
enum Loaded {
    Draft {
        customers: Vec<Customer>,
        /// The catalogue the lines pick items from.
        items: Vec<Item>,
        /// The organisation's named terms.
        terms: Vec<TermsOption>,
        /// The organisation's accounting currency (BT-6).
        accounting_currency: Option<Currency>,
        draft: Option<Box<InvoiceDraft>>,
    },
    /// The id is an issued invoice's (or one sent for its number).
    Issued(InvoiceId),
    /// The id is neither a draft nor an invoice on this device.
    Missing,
}

#[component]
fn DraftLoader(id: Option<InvoiceId>) -> impl IntoView {
    let app = use_app();
    // Read once: the form then owns the user's edits, and a background pull never rewrites them.
    let loaded = LocalResource::new(move || {
        let store = app.store();
        async move {
            let customers = store.customers().await?;
            let draft = match id {
                None => None,
                Some(id) => match store.draft(id).await? {
                    Some(record) => Some(Box::new(record.draft)),
                    None => {
                        return Ok::<_, StoreError>(match store.issued_invoice(id).await? {
                            Some(_) => Loaded::Issued(id),
                            None => Loaded::Missing,
                        });
                    }
                },
            };
            let items = store.items().await?;
            let settings = store.settings().await?;
            let accounting_currency = settings.as_ref().and_then(|s| s.accounting_currency);
            let terms = settings.map(|s| s.payment_terms).unwrap_or_default();
            Ok(Loaded::Draft {
                customers,
                items,
                terms,
                accounting_currency,
                draft,
            })
        }
    });
    let shown = move || {
        Suspend::new(async move {
            Ok::<_, StoreError>(match loaded.await? {
                Loaded::Issued(id) => view! { <IssuedInvoiceView id /> }.into_any(),
                Loaded::Missing => {
                    view! { <p class="error">"This draft is not on this device."</p> }.into_any()
                }
                Loaded::Draft {
                    customers,
                    items,
                    terms,
                    accounting_currency,
                    draft,
                } => {
                    let draft = draft.map(|d| *d);
                    view! { <DraftForm customers items terms accounting_currency draft /> }
                        .into_any()
                }
            })
        })
    };
    view! { <Loading>{shown}</Loading> }
}

#[component]
fn DraftForm(
    customers: Vec<Customer>,
    items: Vec<Item>,
    terms: Vec<TermsOption>,
    accounting_currency: Option<Currency>,
    draft: Option<InvoiceDraft>,
) -> impl IntoView {
    let app = use_app();
    let (Some(session), Ok(new_id)) = (
        app.session.get_untracked(),
        InvoiceId::try_from(Uuid::now_v7()),
    ) else {
        return ().into_any();
    };
    let form = DraftState::new(
        customers,
        terms,
        accounting_currency,
        draft.as_ref(),
        &session,
        new_id,
    );
    let actions = DraftActions::new();
    let keyboard = Keyboard {
        form,
        picker: Picker::new(items, form.currency.into()),
        overlay: RwSignal::new(false),
        save: Callback::new(move |()| {
            if let Some(draft) = form.valid_draft() {
                actions.save.dispatch_local(draft);
            }
        }),
        issue: Callback::new(move |()| {
            if let Some(draft) = form.typed_draft() {
                actions.issue.dispatch_local(draft);
            }
        }),
    };
    let error = Signal::derive(move || actions.error().or_else(|| form.shown_error()));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        keyboard.save.run(());
    };
    let sums = Signal::derive(move || form.totals.with(|t| t.as_ref().map(DocumentSums::from)));
    view! {
        <form
            class="card"
            on:submit=save
            on:keydown=move |ev| {
                if !ev.default_prevented() {
                    keyboard.handle(&ev);
                }
            }
        >
            <DraftToolbar form actions keyboard />
            <DraftHeader form />
            <DetailsFieldset form />
            <PricesIncludeVat form />
            <LineTable
                lines=form.lines
                totals=form.totals
                picker=keyboard.picker
                error=form.shown_invalid()
            />
            <AdjustmentTable
                rows=Rows::Document(form.adjustments)
                legend="Allowances and charges on the whole invoice"
                error=form.shown_invalid()
            />
            <TotalsTable sums currency=form.currency />
            <ScheduleSummary form />
            <RoundingWarning form />
            <label>
                "Note"
                <textarea name="note" rows="2" bind:value=form.note></textarea>
            </label>
            <FieldError error />
        </form>
        <ShortcutsOverlay open=keyboard.overlay />
    }
    .into_any()
}

#[component]
fn DraftToolbar(form: DraftState, actions: DraftActions, keyboard: Keyboard) -> impl IntoView {
    let busy = Signal::derive(move || actions.pending());
    let delete = Callback::new(move |()| {
        actions.delete.dispatch_local(form.head.draft_ref());
    });
    view! {
        <div class="toolbar">
            <h1>{if form.is_new { "New draft invoice" } else { "Draft invoice" }}</h1>
            <div class="actions">
                {(!form.is_new)
                    .then(|| {
                        view! {
                            <ConfirmButton
                                label="Delete draft"
                                question="Delete this draft?"
                                on_confirm=delete
                                pending=busy
                            />
                        }
                    })}
                <button
                    type="button"
                    class="link"
                    aria-keyshortcuts="?"
                    data-testid="show-shortcuts"
                    on:click=move |_| keyboard.overlay.set(true)
                >
                    "Keyboard shortcuts"
                </button>
                <a class="button secondary" href="/">
                    "Cancel"
                </a>
                <button
                    type="submit"
                    class="secondary"
                    aria-keyshortcuts="Control+S"
                    data-testid="save-draft"
                    disabled=busy
                >
                    "Save draft"
                </button>
                <button
                    type="button"
                    aria-keyshortcuts="Control+Shift+Enter"
                    data-testid="issue-invoice"
                    disabled=busy
                    on:click=move |_| keyboard.issue.run(())
                >
                    "Issue invoice"
                </button>
            </div>
        </div>
    }
}

/// Customer, dates and currency.
#[component]
fn DraftHeader(form: DraftState) -> impl IntoView {
    let customer_options = form.customers.with_value(|cs| {
        cs.iter()
            .map(|c| {
                let id = c.id.to_string();
                let selected = {
                    let id = id.clone();
                    move || form.customer_id.get() == id
                };
                view! {
                    <option value=id selected=selected>
                        {c.name.clone()}
                    </option>
                }
            })
            .collect_view()
    });
    view! {
        <div class="row">
            <label>
                "Customer"
                <select
                    name="customer_id"
                    on:change=move |ev| form.choose_customer(event_target_value(&ev))
                >
                    <option value="" selected=move || form.customer_id.get().is_empty()>
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
                    prop:value=form.issue_date
                    on:input=move |ev| form.set_issue_date(event_target_value(&ev))
                />
            </label>
            <TermsSelect form />
            <label>
                "Due date"
                <input name="due_date" type="date" bind:value=form.due_date />
            </label>
            <Field label="Currency" field="currency" error=form.shown_invalid()>
                <input
                    name="currency"
                    class="code"
                    size="3"
                    autocomplete="off"
                    bind:value=form.currency_code
                />
            </Field>
        </div>
        <AccountingRateInputs form />
    }
}
