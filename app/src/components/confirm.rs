//! A button for a step that cannot be undone: it asks first, in place, and only "Yes" goes ahead.

use leptos::prelude::*;

/// `view! { <ConfirmButton label="Delete draft" question="Delete this draft?" on_confirm /> }`
#[component]
pub fn ConfirmButton(
    label: &'static str,
    question: &'static str,
    on_confirm: Callback<()>,
    #[prop(into, optional)] pending: Signal<bool>,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    move || {
        if asking.get() {
            view! {
                <span class="confirm" role="alertdialog" aria-label=question>
                    <span>{question}</span>
                    <button
                        type="button"
                        class="danger"
                        data-testid="confirm-yes"
                        disabled=move || pending.get()
                        on:click=move |_| {
                            asking.set(false);
                            on_confirm.run(());
                        }
                    >
                        "Yes"
                    </button>
                    <button type="button" class="secondary" on:click=move |_| asking.set(false)>
                        "No"
                    </button>
                </span>
            }
            .into_any()
        } else {
            view! {
                <button
                    type="button"
                    class="danger"
                    disabled=move || pending.get()
                    on:click=move |_| asking.set(true)
                >
                    {label}
                </button>
            }
            .into_any()
        }
    }
}
