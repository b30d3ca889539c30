//! The one way an invalid input is shown: core's (or the server's) message, naming the field.

use leptos::prelude::*;

/// Shows `error` when there is one (`data-testid="field-error"`).
#[component]
pub fn FieldError(#[prop(into)] error: Signal<Option<String>>) -> impl IntoView {
    move || {
        error.get().map(|message| {
            view! {
                <p class="field-error" role="alert" data-testid="field-error">
                    {message}
                </p>
            }
        })
    }
}
