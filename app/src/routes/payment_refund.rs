//! Refunds of an invoice's payments: a form that returns money of a recorded payment to the customer
//! (a fact, stored with its `payment.refund` mutation so it works offline), and the refunds made so
//! far. A refund of a payment a gateway took (a card paid on the portal) is sent to that gateway by the
//! server; one beyond the customer's credit is recorded and raised as an exception item there. The app
//! decides nothing: core checks the refund before it is queued.

use leptos::prelude::*;
use remit_core::ids::{PaymentId, RefundId};
use remit_core::money::Money;
use remit_core::receivables::payment::{Payment, RefundPayment};
use remit_core::sync::Command;
use remit_core::validation::{Rule, ValidationError};
use uuid::Uuid;

use crate::calendar;
use crate::components::boundary::Loading;
use crate::components::date::DateText;
use crate::components::field::Field;
use crate::components::field_error::{FieldError, form_error};
use crate::components::money::MoneyText;
use crate::state::use_app;
use crate::store::payments::InvoicePayments as Payments;
use crate::store::{StoreError, StoreResult};

/// The refunds of the invoice's recorded payments, and the form to make one.
#[component]
pub fn PaymentRefunds(list: LocalResource<StoreResult<Payments>>) -> impl IntoView {
    let body = move || {
        Suspend::new(async move {
            let list = list.await?;
            if list.recorded.is_empty() {
                return Ok::<_, StoreError>(().into_any());
            }
            Ok(view! {
                <section class="card">
                    <h2>"Refunds"</h2>
                    <RefundList pending=list.pending_refunds recorded=list.refunds />
                    <RefundForm payments=list.recorded />
                </section>
            }
            .into_any())
        })
    };
    view! { <Loading>{body}</Loading> }
}

#[component]
fn RefundList(pending: Vec<RefundPayment>, recorded: Vec<RefundPayment>) -> impl IntoView {
    if pending.is_empty() && recorded.is_empty() {
        return ().into_any();
    }
    let rows = recorded
        .into_iter()
        .map(|r| (r, false))
        .chain(pending.into_iter().map(|r| (r, true)))
        .map(|(refund, pending)| {
            view! {
                <tr data-testid="refund-row">
                    <td>
                        <DateText date=refund.paid_on />
                    </td>
                    <td>{refund.reference}</td>
                    <td class="num">
                        <MoneyText money=refund.amount />
                    </td>
                    <td>
                        {if pending {
                            view! { <span class="flag">"Awaiting sync"</span> }.into_any()
                        } else {
                            view! { <span>"Recorded"</span> }.into_any()
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-scroll">
            <table class="lines" data-testid="refunds">
                <thead>
                    <tr>
                        <th scope="col">"Paid on"</th>
                        <th scope="col">"Reference"</th>
                        <th scope="col" class="num">"Amount"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// The form as typed.
#[derive(Clone, Copy)]
struct RefundFields {
    payment: RwSignal<String>,
    amount: RwSignal<String>,
    paid_on: RwSignal<String>,
    reference: RwSignal<String>,
}

impl RefundFields {
    /// Reads the form into core's refund of one of `payments`, checked by core.
    fn read(&self, payments: &[Payment]) -> Result<RefundPayment, ValidationError> {
        let chosen = self.payment.get_untracked();
        let paid = payments
            .iter()
            .find(|p| p.received.id.to_string() == chosen)
            .ok_or_else(|| ValidationError::new("payment_id", Rule::Required))?;
        let refund = RefundPayment {
            id: RefundId::try_from(Uuid::now_v7())?,
            organisation_id: paid.received.organisation_id,
            customer_id: paid.received.customer_id,
            payment_id: Some(paid.received.id),
            amount: Money::parse(
                &self.amount.get_untracked(),
                paid.received.amount.currency(),
            )?,
            paid_on: self
                .paid_on
                .get_untracked()
                .trim()
                .parse()
                .map_err(|_| ValidationError::new("paid_on", Rule::Date))?,
            method: paid.received.method,
            reference: self.reference.get_untracked().trim().to_owned(),
            gateway_refund: None,
        };
        refund.validate()?;
        Ok(refund)
    }
}

/// How a payment reads in the form's list: its day, amount and reference.
fn payment_label(payment: &Payment) -> String {
    let received = &payment.received;
    format!(
        "{} · {} {} · {}",
        received.received_on,
        received.amount.amount(),
        received.amount.currency().code(),
        received.reference
    )
}

/// The fields the form shows an error beside; others show under the form.
const FIELDS: [&str; 3] = ["payment_id", "amount", "paid_on"];

#[component]
fn RefundForm(payments: Vec<Payment>) -> impl IntoView {
    let app = use_app();
    let Some(session) = app.session.get_untracked() else {
        return ().into_any();
    };
    let first: Option<PaymentId> = payments.first().map(|p| p.received.id);
    let fields = RefundFields {
        payment: RwSignal::new(first.map(|id| id.to_string()).unwrap_or_default()),
        amount: RwSignal::new(String::new()),
        paid_on: RwSignal::new(
            calendar::today_in(session.organisation.time_zone.as_str()).to_string(),
        ),
        reference: RwSignal::new(String::new()),
    };
    let invalid = RwSignal::new(None::<ValidationError>);
    let record = Action::new_local(move |refund: &RefundPayment| {
        let refund = refund.clone();
        async move {
            app.record(Command::RefundPayment(refund)).await?;
            fields.amount.set(String::new());
            fields.reference.set(String::new());
            Ok::<(), StoreError>(())
        }
    });
    let options = payments
        .iter()
        .map(|p| view! { <option value=p.received.id.to_string()>{payment_label(p)}</option> })
        .collect_view();
    let payments = StoredValue::new(payments);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match payments.with_value(|p| fields.read(p)) {
            Ok(refund) => {
                invalid.set(None);
                record.dispatch_local(refund);
            }
            Err(e) => invalid.set(Some(e)),
        }
    };
    let form_error = form_error(invalid, record, &FIELDS);
    view! {
        <form on:submit=submit data-testid="refund-form">
            <div class="row">
                <Field label="Payment".to_owned() field="payment_id" error=invalid>
                    <select
                        name="refund.payment"
                        on:change=move |ev| fields.payment.set(event_target_value(&ev))
                    >
                        {options}
                    </select>
                </Field>
                <Field label="Amount".to_owned() field="amount" error=invalid>
                    <input name="refund.amount" inputmode="decimal" bind:value=fields.amount />
                </Field>
                <Field label="Paid on".to_owned() field="paid_on" error=invalid>
                    <input name="refund.paid_on" type="date" bind:value=fields.paid_on />
                </Field>
                <label>
                    "Reference"
                    <input name="refund.reference" bind:value=fields.reference />
                </label>
            </div>
            <FieldError error=form_error />
            <div class="actions">
                <button
                    type="submit"
                    data-testid="record-refund"
                    disabled=move || record.pending().get()
                >
                    "Record refund"
                </button>
            </div>
        </form>
    }
    .into_any()
}
