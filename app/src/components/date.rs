//! Calendar dates on screen, from one place: today ISO 8601 (`2026-03-31`), as the date inputs show
//! them; a later locale setting changes this file only.

use chrono::NaiveDate;
use leptos::prelude::*;

/// A date in a table cell or a header: `view! { <DateText date=invoice.issue_date /> }`.
#[component]
pub fn DateText(date: NaiveDate) -> impl IntoView {
    view! { <time datetime=date.to_string()>{date_text(date)}</time> }
}

/// The date's text as the screens show it.
pub fn date_text(date: NaiveDate) -> String {
    date.to_string()
}
