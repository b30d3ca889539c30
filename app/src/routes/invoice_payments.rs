//! Payments on an issued invoice: a form that records money received for it (a fact, stored with its
//! `payment.record` mutation so it works offline), and the invoice's payments — those awaiting sync, and
//! those the server recorded, with the allocation it decided (applied to this invoice, unapplied credit).
//! The app adds nothing up: amounts are core's parse of what was typed, or the server's allocation.

use leptos::prelude::*;
use leptos::task::spawn_local;
use remit_core::document::issued::Invoice;
use remit_core::ids::{InvoiceId, PaymentId};
use remit_core::money::{Currency, Money};
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::payment::{Payment, RecordPayment};
use remit_core::sync::Command;
use remit_core::validation::{Rule, ValidationError};
use uuid::Uuid;

use crate::calendar;
use crate::components::field_error::FieldError;
use crate::components::money::MoneyText;
use crate::state::use_app;
use crate::store::payments::applied_to;

/// The methods the form offers, with their wire names (as core serializes [`PaymentMethod`]).
const METHODS: [(PaymentMethod, &str, &str); 5] = [
    (
        PaymentMethod::BankTransfer,
        "bank_transfer",
        "Bank transfer",
    ),
    (PaymentMethod::Card, "card", "Card"),
    (PaymentMethod::Cash, "cash", "Cash"),
    (PaymentMethod::Cheque, "cheque", "Cheque"),
    (PaymentMethod::DirectDebit, "direct_debit", "Direct debit"),
];

fn method_label(method: PaymentMethod) -> &'static str {
    METHODS
        .iter()
        .find(|(m, _, _)| *m == method)
        .map_or("Collections", |(_, _, label)| label)
}

/// The record-payment form and the invoice's payments.
#[component]
pub fn InvoicePayments(invoice: Invoice) -> impl IntoView {
    view! {
        <RecordPaymentForm invoice=invoice.clone() />
        <PaymentList id=invoice.id currency=invoice.snapshot.document.currency />
    }
}

#[component]
fn RecordPaymentForm(invoice: Invoice) -> impl IntoView {
    let app = use_app();
    let Some(session) = app.session.get_untracked() else {
        return ().into_any();
    };
    let currency = invoice.snapshot.document.currency;
    let today = calendar::today_in(session.organisation.time_zone.as_str());
    let due = invoice.snapshot.totals.amount_due.amount().to_string();
    let amount = RwSignal::new(due);
    let received_on = RwSignal::new(today.to_string());
    let method = RwSignal::new(METHODS[0].1.to_owned());
    let reference = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let saved = RwSignal::new(false);
    let (invoice_id, organisation_id, customer_id) =
        (invoice.id, invoice.organisation_id, invoice.customer_id);

    let read_form = move || -> Result<RecordPayment, ValidationError> {
        let method_name = method.get_untracked();
        let method = METHODS
            .iter()
            .find(|(_, name, _)| *name == method_name)
            .map(|(m, _, _)| *m)
            .ok_or_else(|| ValidationError::new("method", Rule::Required))?;
        let payment = RecordPayment {
            id: PaymentId::try_from(Uuid::now_v7())?,
            organisation_id,
            customer_id,
            amount: Money::parse(&amount.get_untracked(), currency)?,
            received_on: received_on
                .get_untracked()
                .trim()
                .parse()
                .map_err(|_| ValidationError::new("received_on", Rule::Date))?,
            method,
            reference: reference.get_untracked().trim().to_owned(),
            instruction: Instruction::Named(vec![invoice_id]),
        };
        payment.validate()?;
        Ok(payment)
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        saved.set(false);
        let payment = match read_form() {
            Ok(payment) => payment,
            Err(e) => {
                error.set(Some(e.to_string()));
                return;
            }
        };
        error.set(None);
        spawn_local(async move {
            match app.record(Command::RecordPayment(payment)).await {
                Ok(()) => {
                    reference.set(String::new());
                    saved.set(true);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };

    let options = METHODS
        .iter()
        .map(|(_, name, label)| view! { <option value=*name>{*label}</option> })
        .collect_view();
    view! {
        <section class="card">
            <h2>"Record payment"</h2>
            <form on:submit=submit data-testid="payment-form">
                <div class="row">
                    <label>
                        {format!("Amount {}", currency.code())}
                        <input name="payment.amount" inputmode="decimal" bind:value=amount />
                    </label>
                    <label>
                        "Received on"
                        <input name="payment.received_on" type="date" bind:value=received_on />
                    </label>
                    <label>
                        "Method"
                        <select
                            name="payment.method"
                            on:change=move |ev| method.set(event_target_value(&ev))
                        >
                            {options}
                        </select>
                    </label>
                    <label>
                        "Reference"
                        <input name="payment.reference" bind:value=reference />
                    </label>
                </div>
                <FieldError error=error />
                <div class="actions">
                    {move || {
                        saved
                            .get()
                            .then(|| {
                                view! {
                                    <span class="muted" data-testid="payment-saved">
                                        "Payment recorded"
                                    </span>
                                }
                            })
                    }}
                    <button type="submit" data-testid="record-payment">
                        "Record payment"
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn PaymentList(id: InvoiceId, currency: Currency) -> impl IntoView {
    let app = use_app();
    let payments = LocalResource::new(move || {
        app.revision.track();
        let store = app.store();
        async move { store.payments_for_invoice(id).await }
    });
    move || match payments.get() {
        None => ().into_any(),
        Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
        Some(Ok(list)) if list.pending.is_empty() && list.recorded.is_empty() => {
            view! { <p class="muted" data-testid="no-payments">"No payments yet."</p> }.into_any()
        }
        Some(Ok(list)) => {
            let pending = list
                .pending
                .into_iter()
                .map(|p| {
                    view! {
                        <tr data-testid="payment-row" data-payment=p.id.to_string()>
                            <td>{p.received_on.to_string()}</td>
                            <td>{method_label(p.method)}</td>
                            <td>{p.reference}</td>
                            <td class="num" data-testid="payment-amount">
                                <MoneyText money=p.amount />
                            </td>
                            <td colspan="2">
                                <span class="flag" data-testid="payment-awaiting-sync">
                                    "Awaiting sync"
                                </span>
                            </td>
                        </tr>
                    }
                })
                .collect_view();
            let recorded = list
                .recorded
                .into_iter()
                .map(|p| recorded_row(p, id))
                .collect_view();
            view! {
                <section class="card">
                    <h2>{format!("Payments ({})", currency.code())}</h2>
                    <table class="lines" data-testid="payments">
                        <thead>
                            <tr>
                                <th>"Received on"</th>
                                <th>"Method"</th>
                                <th>"Reference"</th>
                                <th class="num">"Amount"</th>
                                <th class="num">"Applied to this invoice"</th>
                                <th class="num">"Unapplied credit"</th>
                            </tr>
                        </thead>
                        <tbody>{pending} {recorded}</tbody>
                    </table>
                </section>
            }
            .into_any()
        }
    }
}

/// A payment the server recorded: what its allocation applied to invoice `id` (one amount per
/// instalment), and what no invoice took.
fn recorded_row(payment: Payment, id: InvoiceId) -> impl IntoView {
    let applied = applied_to(&payment, id)
        .into_iter()
        .map(|line| {
            view! {
                <span data-testid="payment-applied">{line.amount.amount().to_string()}</span>
                " "
            }
        })
        .collect_view();
    let received = payment.received;
    view! {
        <tr data-testid="payment-row" data-payment=received.id.to_string()>
            <td>{received.received_on.to_string()}</td>
            <td>{method_label(received.method)}</td>
            <td>{received.reference}</td>
            <td class="num" data-testid="payment-amount">
                <MoneyText money=received.amount />
            </td>
            <td class="num">{applied}</td>
            <td class="num" data-testid="payment-unapplied">
                {payment.allocation.unapplied.amount().to_string()}
            </td>
        </tr>
    }
}
