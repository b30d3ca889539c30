//! One module per screen. Screens read IndexedDB through the store, change data through
//! [`crate::state::AppState::record`], and render what core computed. Which screens need an account is
//! the router's (`ProtectedRoute` in [`crate::app`]).

pub mod conflict;
pub mod credit_note_issue;
pub mod credit_note_view;
pub mod customer_edit;
pub mod document_mail;
pub mod home;
pub mod inbox;
pub mod invoice_edit;
pub mod invoice_payments;
pub mod invoice_view;
pub mod item_edit;
pub mod items;
pub mod numbering;
pub mod payment_refund;
pub mod portal_links;
pub mod settings;
pub mod sign_in;
pub mod thread_view;
