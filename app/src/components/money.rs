//! Money on screen: the amount exactly as core computed it, at the currency's minor units.
//!
//! The amount's text is core's canonical string (`242.70`, `1101` for JPY, `1.359` for BHD); the app
//! never reformats or rounds it. The currency code is shown beside it, outside the amount's element, so
//! the amount cell reads the same everywhere (screen, IndexedDB, server). Every amount on every screen
//! goes through this file, so a later locale setting changes one place.

use leptos::prelude::*;
use remit_core::money::Money;

/// An amount with its currency code, for lists: `view! { <MoneyText money=invoice.total /> }`.
#[component]
pub fn MoneyText(money: Money) -> impl IntoView {
    view! {
        <span class="money">
            <span class="amount">{money_text(money)}</span>
            " "
            <span class="currency">{money.currency().code().to_owned()}</span>
        </span>
    }
}

/// The bare amount text (`3562.50`).
pub fn money_text(money: Money) -> String {
    money.amount().to_string()
}

/// The bare amount text of an optional value; empty while it cannot be computed.
pub fn amount_text(money: Option<Money>) -> String {
    money.map(money_text).unwrap_or_default()
}
