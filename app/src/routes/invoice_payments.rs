//! Payments on an issued invoice: a form that records money received for it (a fact, stored with its
//! `payment.record` mutation so it works offline), and the invoice's payments — those awaiting sync, and
//! those the server recorded, with the allocation it decided (applied to this invoice, unapplied credit).
//! The app adds nothing up: what is still open, and so what the form starts from, is core's
//! `InvoiceBalance` over these payments.

use leptos::prelude::*;
use remit_core::document::issued::Invoice;
use remit_core::ids::{InvoiceId, PaymentId};
use remit_core::money::{Currency, Money};
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::balance::InvoiceBalance;
use remit_core::receivables::payment::{Payment, RecordPayment};
use remit_core::sync::Command;
use remit_core::validation::{Rule, ValidationError};
use uuid::Uuid;

use crate::calendar;
use crate::components::boundary::Loading;
use crate::components::date::DateText;
use crate::components::empty::EmptyState;
use crate::components::field::Field;
use crate::components::field_error::{FieldError, form_error};
use crate::components::money::{MoneyText, amount_text, money_text};
use crate::routes::payment_refund::PaymentRefunds;
use crate::state::use_app;
use crate::store::payments::InvoicePayments as Payments;
use crate::store::{StoreError, StoreResult};

/// How a method reads on screen.
fn method_label(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::BankTransfer => "Bank transfer",
        PaymentMethod::Card => "Card",
        PaymentMethod::Cash => "Cash",
        PaymentMethod::Cheque => "Cheque",
        PaymentMethod::DirectDebit => "Direct debit",
        PaymentMethod::Collections => "Collections",
    }
}

/// An invoice's payments as stored on this device, re-read whenever stored records change, and what
/// core says is still open on the invoice after them (`None` until they are read).
#[derive(Clone, Copy)]
pub struct PaymentsState {
    pub list: LocalResource<StoreResult<Payments>>,
    pub balance: Memo<Option<InvoiceBalance>>,
}

impl PaymentsState {
    pub fn new(invoice: &Invoice) -> Self {
        let app = use_app();
        let id = invoice.id;
        let list = LocalResource::new(move || {
            app.revision.track();
            let store = app.store();
            async move { store.payments_for_invoice(id).await }
        });
        let invoice = StoredValue::new(invoice.clone());
        let balance = Memo::new(move |_| {
            list.get()
                .and_then(Result::ok)
                .and_then(|payments| invoice.with_value(|i| payments.balance(i).ok()))
        });
        Self { list, balance }
    }
}

/// The record-payment form and the invoice's payments.
#[component]
pub fn InvoicePayments(invoice: Invoice, payments: PaymentsState) -> impl IntoView {
    let suggested =
        Signal::derive(move || payments.balance.with(|b| b.as_ref()?.suggested_payment()));
    view! {
        <RecordPaymentForm invoice=invoice.clone() suggested />
        <PaymentList id=invoice.id currency=invoice.snapshot.document.currency list=payments.list />
        <PaymentRefunds list=payments.list />
    }
}

/// The form as typed.
#[derive(Clone, Copy)]
struct PaymentForm {
    amount: RwSignal<String>,
    received_on: RwSignal<String>,
    method: RwSignal<String>,
    reference: RwSignal<String>,
}

impl PaymentForm {
    /// Reads the form into core's payment for `invoice`, checked by core.
    fn read(&self, invoice: &Invoice) -> Result<RecordPayment, ValidationError> {
        let currency = invoice.snapshot.document.currency;
        let payment = RecordPayment {
            id: PaymentId::try_from(Uuid::now_v7())?,
            organisation_id: invoice.organisation_id,
            customer_id: invoice.customer_id,
            amount: Money::parse(&self.amount.get_untracked(), currency)?,
            received_on: self
                .received_on
                .get_untracked()
                .trim()
                .parse()
                .map_err(|_| ValidationError::new("received_on", Rule::Date))?,
            method: PaymentMethod::from_name("method", &self.method.get_untracked())?,
            reference: self.reference.get_untracked().trim().to_owned(),
            instruction: Instruction::Named(vec![invoice.id]),
        };
        payment.validate()?;
        Ok(payment)
    }
}

/// The fields the form shows an error beside; others show under the form.
const FIELDS: [&str; 2] = ["amount", "received_on"];

#[component]
fn RecordPaymentForm(invoice: Invoice, suggested: Signal<Option<Money>>) -> impl IntoView {
    let app = use_app();
    let Some(session) = app.session.get_untracked() else {
        return ().into_any();
    };
    let currency = invoice.snapshot.document.currency;
    let today = calendar::today_in(session.organisation.time_zone.as_str());
    let form = PaymentForm {
        amount: RwSignal::new(amount_text(suggested.get_untracked())),
        received_on: RwSignal::new(today.to_string()),
        method: RwSignal::new(PaymentMethod::DIRECT[0].name().to_owned()),
        reference: RwSignal::new(String::new()),
    };
    // The form starts from what is still open, and again after each payment changes that.
    Effect::new(move |_| form.amount.set(amount_text(suggested.get())));
    let invalid = RwSignal::new(None::<ValidationError>);
    let record = Action::new_local(move |payment: &RecordPayment| {
        let payment = payment.clone();
        async move {
            app.record(Command::RecordPayment(payment)).await?;
            form.reference.set(String::new());
            Ok::<(), StoreError>(())
        }
    });
    let invoice = StoredValue::new(invoice);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match invoice.with_value(|i| form.read(i)) {
            Ok(payment) => {
                invalid.set(None);
                record.dispatch_local(payment);
            }
            Err(e) => invalid.set(Some(e)),
        }
    };
    let form_error = form_error(invalid, record, &FIELDS);
    let saved =
        move || invalid.with(Option::is_none) && matches!(record.value().get(), Some(Ok(())));
    view! {
        <section class="card">
            <h2>"Record payment"</h2>
            <form on:submit=submit data-testid="payment-form">
                <PaymentFields form currency invalid />
                <FieldError error=form_error />
                <div class="actions">
                    {move || {
                        saved()
                            .then(|| {
                                view! {
                                    <span class="muted" data-testid="payment-saved">
                                        "Payment recorded"
                                    </span>
                                }
                            })
                    }}
                    <button
                        type="submit"
                        data-testid="record-payment"
                        disabled=move || record.pending().get()
                    >
                        "Record payment"
                    </button>
                </div>
            </form>
        </section>
    }
    .into_any()
}

#[component]
fn PaymentFields(
    form: PaymentForm,
    currency: Currency,
    invalid: RwSignal<Option<ValidationError>>,
) -> impl IntoView {
    let options = PaymentMethod::DIRECT
        .into_iter()
        .map(|m| view! { <option value=m.name()>{method_label(m)}</option> })
        .collect_view();
    view! {
        <div class="row">
            <Field label=format!("Amount {}", currency.code()) field="amount" error=invalid>
                <input name="payment.amount" inputmode="decimal" bind:value=form.amount />
            </Field>
            <Field label="Received on".to_owned() field="received_on" error=invalid>
                <input name="payment.received_on" type="date" bind:value=form.received_on />
            </Field>
            <label>
                "Method"
                <select name="payment.method" on:change=move |ev| form.method.set(event_target_value(&ev))>
                    {options}
                </select>
            </label>
            <label>
                "Reference"
                <input name="payment.reference" bind:value=form.reference />
            </label>
        </div>
    }
}

#[component]
fn PaymentList(
    id: InvoiceId,
    currency: Currency,
    list: LocalResource<StoreResult<Payments>>,
) -> impl IntoView {
    let rows = move || {
        Suspend::new(async move {
            let list = list.await?;
            if list.pending.is_empty() && list.recorded.is_empty() {
                return Ok::<_, StoreError>(
                    view! { <EmptyState message="No payments yet." testid="no-payments" /> }
                        .into_any(),
                );
            }
            let pending = list.pending.into_iter().map(pending_row).collect_view();
            let recorded = list
                .recorded
                .into_iter()
                .map(|p| recorded_row(p, id))
                .collect_view();
            Ok(view! {
                <section class="card">
                    <h2>{format!("Payments ({})", currency.code())}</h2>
                    <div class="table-scroll">
                        <table class="lines" data-testid="payments">
                            <thead>
                                <tr>
                                    <th scope="col">"Received on"</th>
                                    <th scope="col">"Method"</th>
                                    <th scope="col">"Reference"</th>
                                    <th scope="col" class="num">"Amount"</th>
                                    <th scope="col" class="num">"Applied to this invoice"</th>
                                    <th scope="col" class="num">"Unapplied credit"</th>
                                </tr>
                            </thead>
                            <tbody>{pending} {recorded}</tbody>
                        </table>
                    </div>
                </section>
            }
            .into_any())
        })
    };
    view! { <Loading>{rows}</Loading> }
}

/// A payment recorded on this device that the server has not answered yet.
fn pending_row(payment: RecordPayment) -> impl IntoView {
    view! {
        <tr data-testid="payment-row" data-payment=payment.id.to_string()>
            <td>
                <DateText date=payment.received_on />
            </td>
            <td>{method_label(payment.method)}</td>
            <td>{payment.reference}</td>
            <td class="num" data-testid="payment-amount">
                <MoneyText money=payment.amount />
            </td>
            <td colspan="2">
                <span class="flag" data-testid="payment-awaiting-sync">
                    "Awaiting sync"
                </span>
            </td>
        </tr>
    }
}

/// A payment the server recorded: what its allocation applied to invoice `id` (one amount per
/// instalment), and what no invoice took.
fn recorded_row(payment: Payment, id: InvoiceId) -> impl IntoView {
    let applied = payment
        .applied_to(id)
        .map(|line| {
            view! {
                <span data-testid="payment-applied">{money_text(line.amount)}</span>
                " "
            }
        })
        .collect_view();
    let unapplied = money_text(payment.allocation.unapplied);
    let received = payment.received;
    view! {
        <tr data-testid="payment-row" data-payment=received.id.to_string()>
            <td>
                <DateText date=received.received_on />
            </td>
            <td>{method_label(received.method)}</td>
            <td>{received.reference}</td>
            <td class="num" data-testid="payment-amount">
                <MoneyText money=received.amount />
            </td>
            <td class="num">{applied}</td>
            <td class="num" data-testid="payment-unapplied">
                {unapplied}
            </td>
        </tr>
    }
}
