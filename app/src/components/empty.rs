//! What a list shows when it has nothing in it yet.

use leptos::prelude::*;

/// `view! { <EmptyState message="No customers yet." /> }`
#[component]
pub fn EmptyState(
    message: &'static str,
    #[prop(optional)] testid: Option<&'static str>,
) -> impl IntoView {
    view! {
        <p class="muted empty" data-testid=testid>
            {message}
        </p>
    }
}
