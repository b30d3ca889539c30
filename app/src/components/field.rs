//! A labelled form field that shows core's validation error for it right beside it, in words the user
//! knows: core's `lines[1].unit_price` "must not be negative" reads "Line 2: unit price must not be
//! negative".

use leptos::prelude::*;
use remit_core::validation::ValidationError;

/// Core's error in the user's words: list positions count from 1, a field's name is spelled out
/// (`tax_rate` reads "VAT rate"). The one place a path becomes words: every screen shows errors so.
pub fn in_words(error: &ValidationError) -> String {
    let mut places = Vec::new();
    let mut name = String::new();
    for segment in error.field.split('.') {
        match segment.split_once('[') {
            Some((list, index)) => {
                let position = index.trim_end_matches(']').parse::<usize>().map_or_else(
                    |_| index.trim_end_matches(']').to_owned(),
                    |i| (i + 1).to_string(),
                );
                places.push(format!("{} {position}", singular(list)));
            }
            None if segment == "plan" => {}
            None => {
                let word = spelled_out(segment);
                if word.is_empty() {
                    continue;
                }
                if !name.is_empty() {
                    name.push(' ');
                }
                name.push_str(&word);
            }
        }
    }
    if places.is_empty() {
        format!("The {name} {}", error.rule)
    } else {
        format!("{}: {name} {}", places.join(", "), error.rule)
    }
}

/// A field's name as the screens label it; empty for a path segment the user never sees.
pub fn spelled_out(field: &str) -> String {
    match field {
        "tax_rate" => "VAT rate".into(),
        "tax_category" => "VAT category".into(),
        "customer_id" => "customer".into(),
        "unit" => "unit code".into(),
        "terms" => "payment terms".into(),
        "purchase_order" => "purchase order number".into(),
        "percent" => "percentage".into(),
        "accounting_rate" => "exchange rate to the accounting currency".into(),
        // A document allowance's amount reads "Allowance 1: amount", not "adjustment amount".
        "adjustment" => String::new(),
        "iban" => "IBAN".into(),
        "gross_price" => "list price".into(),
        "price_base_quantity" => "quantity the price is for".into(),
        "exemption" => "VAT exemption reason".into(),
        "bic" => "BIC".into(),
        "send_to" => "address to send to".into(),
        "body" => "message".into(),
        "credit_note_id" => "credit note".into(),
        "older_than_days" => "number of days".into(),
        other => other.replace('_', " "),
    }
}

/// `lines` → `Line`: the name of one entry of a list field.
fn singular(list: &str) -> String {
    let one = list.strip_suffix('s').unwrap_or(list).replace('_', " ");
    let mut letters = one.chars();
    letters
        .next()
        .map(|first| first.to_uppercase().chain(letters).collect())
        .unwrap_or_default()
}

/// `view! { <Field label="Amount" field="amount" error><input name="amount" /></Field> }`: the label
/// around the input, and beneath it the error when `error` is about `field`.
#[component]
pub fn Field(
    #[prop(into)] label: String,
    /// Core's name of the field (`amount`, `lines[1].unit_price`).
    #[prop(into)]
    field: String,
    #[prop(into)] error: Signal<Option<ValidationError>>,
    /// Also shows errors about what lies within `field` (`payment_terms[0].plan.instalments` shows
    /// `payment_terms[0].plan.instalments[0].terms.day`).
    #[prop(optional)]
    within: bool,
    children: Children,
) -> impl IntoView {
    let about = move |e: &ValidationError| {
        e.field == field
            || (within
                && e.field
                    .strip_prefix(field.as_str())
                    .is_some_and(|rest| rest.starts_with(['.', '['])))
    };
    let message = move || error.with(|e| e.as_ref().filter(|e| about(e)).map(in_words));
    view! {
        <label class="field">
            {label}
            {children()}
            {move || {
                message()
                    .map(|m| {
                        view! {
                            <span class="field-error" role="alert" data-testid="field-error">
                                {m}
                            </span>
                        }
                    })
            }}
        </label>
    }
}

#[cfg(test)]
mod tests {
    use remit_core::validation::Rule;
    use wasm_bindgen_test::wasm_bindgen_test;

    use super::*;

    #[wasm_bindgen_test]
    fn errors_read_in_the_users_words() {
        let line = ValidationError::new("unit_price", Rule::NotNegative).within("lines[1]");
        assert_eq!(in_words(&line), "Line 2: unit price must not be negative");
        let amount = ValidationError::new("amount", Rule::Positive);
        assert_eq!(in_words(&amount), "The amount must be greater than zero");
        let country = ValidationError::new("seller.address.country", Rule::Required);
        assert_eq!(in_words(&country), "The seller address country is required");
        let rate = ValidationError::new(
            "tax_rate",
            Rule::Matches {
                expected: "0 for VAT category E".into(),
            },
        )
        .within("lines[0]");
        assert_eq!(
            in_words(&rate),
            "Line 1: VAT rate must be 0 for VAT category E"
        );
        let customer = ValidationError::new("customer_id", Rule::Required);
        assert_eq!(in_words(&customer), "The customer is required");
        let typed = ValidationError::new("quantity", Rule::Decimal).within("lines[11]");
        assert_eq!(
            in_words(&typed),
            "Line 12: quantity must be a decimal number"
        );
        let allowance = ValidationError::new("percent", Rule::Decimal)
            .within("adjustment")
            .within("allowances[2]");
        assert_eq!(
            in_words(&allowance),
            "Allowance 3: percentage must be a decimal number"
        );
        let delivery = ValidationError::new("date", Rule::Date).within("delivery");
        assert_eq!(
            in_words(&delivery),
            format!("The delivery date {}", Rule::Date)
        );
        let order = ValidationError::new("purchase_order", Rule::Required);
        assert_eq!(in_words(&order), "The purchase order number is required");
        let terms = ValidationError::new("percent", Rule::Positive).within("terms.instalments[0]");
        assert_eq!(
            in_words(&terms),
            "Instalment 1: payment terms percentage must be greater than zero"
        );
        let rate = ValidationError::new("accounting_rate", Rule::Required);
        assert_eq!(
            in_words(&rate),
            "The exchange rate to the accounting currency is required"
        );
        let iban = ValidationError::new("bank_account.iban", Rule::Required);
        assert_eq!(in_words(&iban), "The bank account IBAN is required");
        let means = ValidationError::new("payment_means_code", Rule::Required);
        assert_eq!(in_words(&means), "The payment means code is required");
        let days = ValidationError::new(
            "payment_terms[1].plan.instalments[0].terms.days",
            Rule::Range {
                min: "0".into(),
                max: "365".into(),
            },
        );
        assert_eq!(
            in_words(&days),
            "Payment term 2, Instalment 1: payment terms days must be between 0 and 365"
        );
        let discount =
            ValidationError::new("payment_terms[0].plan.discount.percent", Rule::Decimal);
        assert_eq!(
            in_words(&discount),
            "Payment term 1: discount percentage must be a decimal number"
        );
        let tax_rate = ValidationError::new("tax_rates[2].rate", Rule::Required);
        assert_eq!(in_words(&tax_rate), "Tax rate 3: rate is required");
    }
}
