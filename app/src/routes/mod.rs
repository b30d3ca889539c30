//! One module per screen. Screens read IndexedDB through the store, change data through
//! [`crate::state::AppState::record`], and render what core computed.

pub mod conflict;
pub mod customer_edit;
pub mod home;
pub mod invoice_edit;
pub mod invoice_payments;
pub mod invoice_view;
pub mod numbering;
pub mod settings;
pub mod sign_in;

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::state::use_app;

/// Renders `view` for a signed-in account, or sends the visitor to the sign-in screen. An expired
/// session still counts as signed in: the local data stays usable offline until the user signs in again.
pub fn signed_in<V: IntoView + 'static>(
    view: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    let app = use_app();
    move || {
        if app.session.with(Option::is_some) {
            view().into_any()
        } else {
            view! { <Redirect path="/sign-in" /> }.into_any()
        }
    }
}
