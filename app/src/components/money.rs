//! Money on screen: the amount exactly as core computed it, at the currency's minor units.
//!
//! The amount's text is core's canonical string (`242.70`, `1101` for JPY, `1.359` for BHD); the app
//! never reformats or rounds it. The currency code is shown beside it, outside the amount's element, so
//! the amount cell reads the same everywhere (screen, IndexedDB, server).

use leptos::prelude::*;
use remit_core::money::Money;

/// An amount with its currency code, for lists.
#[component]
pub fn MoneyText(money: Money) -> impl IntoView {
    view! {
        <span class="money">
            <span class="amount">{money.amount().to_string()}</span>
            " "
            <span class="currency">{money.currency().code().to_owned()}</span>
        </span>
    }
}

/// The bare amount text of an optional value; empty while it cannot be computed.
pub fn amount_text(money: Option<Money>) -> String {
    money.map(|m| m.amount().to_string()).unwrap_or_default()
}
