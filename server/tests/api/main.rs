//! The server's behaviour through its HTTP API, on SQLite and on PostgreSQL.
//!
//! Every test is written once and runs on both backends (`<name>_sqlite`, `<name>_postgres`).
//! PostgreSQL tests use `REMIT_TEST_DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`)
//! to create a database per test.

// Each test is one scenario read top to bottom, on both backends; the view-sized limit of
// `clippy::too_many_lines` is for the product code.
#![allow(clippy::too_many_lines)]

mod helpers;

mod assets;
mod binary;
mod compression;
mod convergence;
mod corrupt_rows;
mod documents;
mod einvoice_cli;
mod gateway_settings;
mod isolation;
mod issuing;
mod login_throttle;
mod mail;
mod portal;
mod portal_pay;
mod portal_threads;
mod processes;
mod receivables;
mod rest_reads;
mod routes;
mod schema;
mod session;
mod stripe;
mod sync_conflicts;
mod sync_pull;
mod sync_push;
mod tenancy;
mod upgrades;
mod webhooks;
