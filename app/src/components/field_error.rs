//! The one way an invalid input is shown: core's (or the server's) message, naming the field.

use leptos::prelude::*;
use remit_core::validation::ValidationError;

use crate::store::StoreError;

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

/// The message under a form: core's refusal of a field the form shows no input for (`beside` are the
/// fields whose refusal shows beside their input instead), else why saving failed.
pub fn form_error<I: 'static>(
    invalid: RwSignal<Option<ValidationError>>,
    saving: Action<I, Result<(), StoreError>>,
    beside: &'static [&'static str],
) -> Signal<Option<String>> {
    Signal::derive(move || {
        let invalid = invalid
            .get()
            .filter(|e| !beside.contains(&e.field.as_str()));
        match (invalid, saving.value().get()) {
            (Some(e), _) => Some(e.to_string()),
            (None, Some(Err(e))) => Some(e.to_string()),
            _ => None,
        }
    })
}
