//! Remit in the browser: Leptos CSR over IndexedDB, synced with the server when the network allows.
//!
//! Core decides, this crate acts: every total, validation and sync decision comes from `remit-core`; the
//! app loads, stores, sends and renders.

pub mod session;
pub mod store;
