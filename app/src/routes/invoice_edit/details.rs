//! The document's fields beyond customer, dates and lines: its payment terms and what they give, whether
//! prices include VAT (and the cents that costs), and the buyer's references and delivery date.

use leptos::prelude::*;
use remit_core::document::TermsPreview;

use super::state::{DraftState, rate_inputs_shown};
use crate::components::field::Field;
use crate::components::money::money_text;

/// The select of named terms: choosing one sets the draft's terms and the due date they give.
#[component]
pub fn TermsSelect(form: DraftState) -> impl IntoView {
    let options = move || {
        form.terms_choices()
            .into_iter()
            .enumerate()
            .map(|(i, option)| {
                let chosen = option.plan.clone();
                let selected = move || form.terms.with(|t| t.as_ref() == Some(&chosen));
                view! {
                    <option value=i.to_string() selected=selected>
                        {option.name}
                    </option>
                }
            })
            .collect_view()
    };
    let choose = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let plan = value
            .parse::<usize>()
            .ok()
            .and_then(|i| form.terms_choices().into_iter().nth(i))
            .map(|option| option.plan);
        form.choose_terms(plan);
    };
    view! {
        <Field label="Terms" field="terms" error=form.shown_invalid()>
            <select name="terms" on:change=choose>
                <option value="" selected=move || form.terms.with(Option::is_none)>
                    "Due date as typed"
                </option>
                {options}
            </select>
        </Field>
    }
}

/// What the chosen terms give, as core schedules them: the due date, the early-payment discount and
/// each instalment.
#[component]
pub fn ScheduleSummary(form: DraftState) -> impl IntoView {
    move || form.schedule.get().map(|preview| schedule_view(&preview))
}

fn schedule_view(preview: &TermsPreview) -> impl IntoView + use<> {
    let several = preview.instalments.len() > 1;
    let rows = preview
        .instalments
        .iter()
        .enumerate()
        .map(|(i, payment)| {
            let what = if several {
                format!(
                    "Instalment {} of {} due {}",
                    i + 1,
                    money_text(payment.amount),
                    payment.due_date
                )
            } else {
                format!("{} due {}", money_text(payment.amount), payment.due_date)
            };
            let discount = payment.discount.map(|(last_day, amount)| {
                format!(
                    "; paid by {last_day}, {} less ({} to pay)",
                    money_text(amount),
                    payment
                        .amount
                        .checked_sub(amount)
                        .map(money_text)
                        .unwrap_or_default()
                )
            });
            view! { <li data-testid="schedule-instalment">{what}{discount}</li> }
        })
        .collect_view();
    view! {
        <section class="schedule" aria-label="Payment schedule" data-testid="payment-schedule">
            <p>
                "Due " <strong data-testid="schedule-due">{preview.due_date.to_string()}</strong>
            </p>
            <ul>{rows}</ul>
        </section>
    }
}

/// The switch between net and VAT-inclusive prices.
#[component]
pub fn PricesIncludeVat(form: DraftState) -> impl IntoView {
    view! {
        <label class="switch">
            <input
                type="checkbox"
                role="switch"
                name="prices_include_vat"
                prop:checked=form.prices_include_vat
                on:change=move |ev| form.prices_include_vat.set(event_target_checked(&ev))
            />
            "Prices include VAT"
        </label>
    }
}

/// The cents VAT-inclusive prices lose once the invoice states them without VAT, before issue.
#[component]
pub fn RoundingWarning(form: DraftState) -> impl IntoView {
    move || {
        form.unreproducible.get().map(|cents| {
            let (difference, direction) = if cents.amount().is_sign_positive() {
                (cents.amount(), "lower")
            } else {
                (-cents.amount(), "higher")
            };
            let message = format!(
                "The invoice total will be {difference} {direction} than the prices shown: the \
                 invoice states each price without VAT, to at most four decimals, and no such \
                 price adds up to exactly these prices with VAT."
            );
            view! {
                <p class="warning" role="status" data-testid="rounding-warning">
                    {message}
                </p>
            }
        })
    }
}

/// The buyer's references and the delivery date, folded away until needed.
#[component]
pub fn DetailsFieldset(form: DraftState) -> impl IntoView {
    let error = form.shown_invalid();
    // Folded while empty, open when the loaded draft has any of them.
    let empty = form.buyer_reference.get_untracked().is_empty()
        && form.purchase_order.get_untracked().is_empty()
        && form.delivery_date.get_untracked().is_empty()
        && form.prepaid.get_untracked().is_empty()
        && !form.cash_rounding.get_untracked();
    // Offered where the currency has a cash increment (core's list).
    let cash = move || {
        let increment = form.currency.get()?.cash_increment()?;
        Some(view! {
            <label class="check">
                <input name="cash_rounding" type="checkbox" bind:checked=form.cash_rounding />
                {format!("Round the amount due to {increment} for cash")}
            </label>
        })
    };
    view! {
        <details open=!empty>
            <summary>"Details"</summary>
            <fieldset class="row">
                <legend>"References and delivery"</legend>
                <Field label="Buyer reference" field="buyer_reference" error>
                    <input name="buyer_reference" bind:value=form.buyer_reference />
                </Field>
                <Field label="Purchase order" field="purchase_order" error>
                    <input name="purchase_order" bind:value=form.purchase_order />
                </Field>
                <Field label="Delivery date" field="delivery.date" error>
                    <input name="delivery_date" type="date" bind:value=form.delivery_date />
                </Field>
            </fieldset>
            <fieldset class="row">
                <legend>"Payment"</legend>
                <Field label="Already paid (prepaid amount)" field="prepaid" error>
                    <input name="prepaid" inputmode="decimal" bind:value=form.prepaid />
                </Field>
                {cash}
            </fieldset>
        </details>
    }
}

/// The rate to the organisation's accounting currency and its date, shown when the draft's currency is
/// another: issuing states the VAT total in the accounting currency too (BT-111).
#[component]
pub fn AccountingRateInputs(form: DraftState) -> impl IntoView {
    let error = form.shown_invalid();
    move || {
        let accounting = form.accounting_currency?;
        rate_inputs_shown(form.currency.get(), Some(accounting)).then(|| {
            let label = format!("Rate: one {} in {}", form.currency_code.get().to_uppercase(), accounting.code());
            view! {
                <fieldset class="row">
                    <legend>{format!("Rate to {}, the accounting currency", accounting.code())}</legend>
                    <Field label=label field="accounting_rate.rate" error>
                        <input name="accounting_rate" inputmode="decimal" bind:value=form.rate />
                    </Field>
                    <Field label="Rate date" field="accounting_rate.date" error>
                        <input name="accounting_rate_date" type="date" bind:value=form.rate_date />
                    </Field>
                </fieldset>
            }
        })
    }
}
