//! Where a screen waits for what it reads: Leptos' `Transition` shows `Loading…` the first time (and
//! keeps the last content while re-reading), its `ErrorBoundary` shows a failed read in words.
//! Inside, read resources with `Suspend`.

use leptos::prelude::*;

/// `view! { <Loading>{move || Suspend::new(async move { customers.await.map(|c| view! { <List c /> }) })}</Loading> }`
#[component]
pub fn Loading(children: Children) -> impl IntoView {
    view! {
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| {
                view! {
                    <div class="error" role="alert">
                        {move || {
                            errors
                                .get()
                                .into_iter()
                                .map(|(_, e)| view! { <p>{e.to_string()}</p> })
                                .collect_view()
                        }}
                    </div>
                }
            }>{children()}</ErrorBoundary>
        </Transition>
    }
}
