//! `remit-server`: Remit's sync authority, API and web server, binary `remit`.
//!
//! Core decides, this crate acts: it loads, stores and sends. Every business decision (validation,
//! totals, whether a draft edit conflicts) is a call into `remit-core`.
//!
//! - [`http`]: axum routers (API, sync, the built app).
//! - [`sync`]: applies clients' mutations through core, numbers changes, serves pulls.
//! - [`auth`]: organisations, users, roles, password hashes, sessions.
//! - [`store`]: the database, SQLite or PostgreSQL behind one API.
//! - [`webhooks`]: outgoing webhooks, queued with the change that causes them, signed and retried.
//! - [`gateway`]: paying online from the portal (the sandbox and Stripe), gateways' reports settled as
//!   facts, refunds sent to gateways.
//! - [`mail`]: outgoing mail (documents sent by SMTP), queued with the mutation that asks for it.
//! - [`cli`]: `remit serve`, `remit user add`, `remit webhook add`, `remit migrate`.
//! - [`application`]: starting the server, for `remit serve` and the tests alike.
//! - [`clock`]: "now", and an organisation's business date in its time zone.
//! - [`documents`]: issued documents, statements and receipts as files; [`statements`]: a customer's
//!   statement as the JSON route and the PDF give it.

pub mod application;
pub mod auth;
pub mod cli;
pub mod clock;
pub mod documents;
pub mod gateway;
pub mod http;
pub mod mail;
pub mod portal;
pub mod statements;
pub mod store;
pub mod sync;
pub mod webhooks;
