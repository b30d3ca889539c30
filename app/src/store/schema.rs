//! The database's name, versions and migrations.
//!
//! A browser may hold a database written by any earlier build (a laptop offline for a month still has
//! its outbox), so the schema is a ladder: each version's step runs in order from the stored version up,
//! inside the one `versionchange` transaction the browser gives an upgrade. A fresh database climbs the
//! same ladder as an old one, so both land on exactly the same shape.
//!
//! - Version 1: `customers`, `drafts`, `outbox` (each keyed by `id`).
//! - Version 2: `invoice_drafts` (keyed by `id`, index `by_customer` on `customer_id`) replaces `drafts`,
//!   every v1 draft is copied over; plus `meta` (key-value), `conflicts` and `rejected`.
//! - Version 3 (sync protocol 2): one store per further kind of record, named as the wire names the
//!   kind (`invoice`, `payment`, `number_lease`, …), keyed by `id` (`settings` by `organisation_id`).
//! - Version 4: `mail` (keyed by `id`), the mails sent of issued documents.
//! - Version 5: `thread` (keyed by `id`, index `by_state` on `state`, so the inbox reads the open
//!   threads without the resolved ones piling up behind them) and `thread_message` (keyed by `id`, index
//!   `by_thread` on `thread_id`: one thread's messages without reading every message): customers'
//!   questions and disputes.
//! - Version 6 (issue #11, big books): lists read through indexes, never every row. Rows of `invoice`,
//!   `payment` and `customers` carry a `listing` object core computes ([`super::listing`]), and
//!   indexes on it: `invoice` by `[listing.status, listing.due_date]`, customer, `listing.number`,
//!   `listing.issue_date`, every word of `listing.words` (multiEntry) and `lease_id`; `payment` by every
//!   invoice it concerns (`listing.invoices`, multiEntry); `credit_note` by `invoice_id`; `customers`
//!   by `listing.name` and `listing.words`. Every stored row gets its listing in the upgrade.

use indexed_db_futures::KeyPath;
use indexed_db_futures::database::Database;
use indexed_db_futures::error::OpenDbError;
use indexed_db_futures::prelude::*;
use wasm_bindgen::JsValue;

use remit_core::sync::EntityKind;

use super::records::DraftRecord;

/// The database the app uses.
pub const DB_NAME: &str = "remit";
/// The version this build writes.
pub const VERSION: u32 = 6;

pub const CUSTOMERS: &str = "customers";
pub const INVOICE_DRAFTS: &str = "invoice_drafts";
/// Index of `invoice_drafts` on `customer_id`: a customer's drafts without reading every draft.
pub const BY_CUSTOMER: &str = "by_customer";
pub const OUTBOX: &str = "outbox";
/// Key-value store with out-of-line keys: see [`super::meta`].
pub const META: &str = "meta";
pub const CONFLICTS: &str = "conflicts";
pub const REJECTED: &str = "rejected";
/// Index of `thread` on `state`: the threads waiting for an answer, or answered, or resolved.
pub const BY_STATE: &str = "by_state";
/// Index of `thread_message` on `thread_id`: one thread's messages.
pub const BY_THREAD: &str = "by_thread";
/// Index of `invoice` on `[listing.status, listing.due_date]`: open, paid or void, by due date.
pub const BY_STATUS_DUE: &str = "by_status_due";
/// Index of `invoice` on `listing.number` (folded) and of `customers` on `listing.name` (folded).
pub const BY_NUMBER: &str = "by_number";
pub const BY_NAME: &str = "by_name";
/// Index of `invoice` on `listing.issue_date`.
pub const BY_ISSUE_DATE: &str = "by_issue_date";
/// MultiEntry index of `invoice` and `customers` on every word of `listing.words`.
pub const BY_WORD: &str = "by_word";
/// Index of `invoice` on `lease_id`: the invoices issued offline under a lease (the others have none,
/// so they are not in it).
pub const BY_LEASE: &str = "by_lease";
/// Index of `payment` (multiEntry on `listing.invoices`) and `credit_note` (on `invoice_id`): the
/// records of one invoice.
pub const BY_INVOICE: &str = "by_invoice";

/// The store that holds records of `kind`.
pub fn store_of(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Customer => CUSTOMERS,
        EntityKind::InvoiceDraft => INVOICE_DRAFTS,
        other => other.name(),
    }
}

/// Every store of records the server syncs.
pub fn record_stores() -> Vec<&'static str> {
    EntityKind::ALL.into_iter().map(store_of).collect()
}

/// Version 1's draft store; gone since version 2.
pub const V1_DRAFTS: &str = "drafts";

/// Opens `name` at [`VERSION`], running every migration step the stored version has not had.
pub async fn open(name: &str) -> Result<Database, OpenDbError> {
    Database::open(name)
        .with_version(VERSION)
        .with_on_upgrade_needed_fut(|event, db| async move {
            // Versions are small integers stored as doubles by the browser.
            let from = event.old_version() as u32;
            if from < 1 {
                to_v1(&db)?;
            }
            if from < 2 {
                to_v2(&db).await?;
            }
            if from < 3 {
                to_v3(&db)?;
            }
            if from < 4 {
                to_v4(&db)?;
            }
            if from < 5 {
                to_v5(&db)?;
            }
            if from < 6 {
                to_v6(&db).await?;
            }
            Ok(())
        })
        .await
}

fn to_v1(db: &Database) -> indexed_db_futures::Result<()> {
    for name in [CUSTOMERS, V1_DRAFTS, OUTBOX] {
        db.create_object_store(name)
            .with_key_path("id".into())
            .build()?;
    }
    Ok(())
}

async fn to_v2(db: &Database) -> indexed_db_futures::Result<()> {
    let drafts = db
        .create_object_store(INVOICE_DRAFTS)
        .with_key_path("id".into())
        .build()?;
    drafts
        .create_index(BY_CUSTOMER, "customer_id".into())
        .build()?;
    db.create_object_store(META).build()?;
    db.create_object_store(CONFLICTS)
        .with_key_path("id".into())
        .build()?;
    db.create_object_store(REJECTED)
        .with_key_path("id".into())
        .build()?;

    // Only IndexedDB requests are awaited here, so the versionchange transaction stays alive throughout.
    let old = drafts.transaction().object_store(V1_DRAFTS)?;
    let v1_drafts = old.get_all::<JsValue>().await?;
    for v1 in v1_drafts {
        let record = DraftRecord::from_v1(&v1?).map_err(|e| JsValue::from_str(&e.to_string()))?;
        drafts.put(record).await?;
    }
    db.delete_object_store(V1_DRAFTS)?;
    Ok(())
}

/// The kinds of record version 3 added a store for: protocol 2's, as they were then.
const V3_KINDS: [EntityKind; 9] = [
    EntityKind::Item,
    EntityKind::Settings,
    EntityKind::Invoice,
    EntityKind::CreditNote,
    EntityKind::Payment,
    EntityKind::Refund,
    EntityKind::Dispute,
    EntityKind::Exception,
    EntityKind::NumberLease,
];

fn to_v3(db: &Database) -> indexed_db_futures::Result<()> {
    for kind in V3_KINDS {
        let key = match kind {
            EntityKind::Settings => "organisation_id",
            _ => "id",
        };
        db.create_object_store(kind.name())
            .with_key_path(key.into())
            .build()?;
    }
    Ok(())
}

fn to_v4(db: &Database) -> indexed_db_futures::Result<()> {
    db.create_object_store(EntityKind::Mail.name())
        .with_key_path("id".into())
        .build()?;
    Ok(())
}

fn to_v5(db: &Database) -> indexed_db_futures::Result<()> {
    let threads = db
        .create_object_store(EntityKind::Thread.name())
        .with_key_path("id".into())
        .build()?;
    threads.create_index(BY_STATE, "state".into()).build()?;
    let messages = db
        .create_object_store(EntityKind::ThreadMessage.name())
        .with_key_path("id".into())
        .build()?;
    messages
        .create_index(BY_THREAD, "thread_id".into())
        .build()?;
    Ok(())
}

/// A store made and dropped in the upgrade: the only way this crate hands out the `versionchange`
/// transaction, which version 6 needs to index and rewrite the stores that exist already.
const V6_PROBE: &str = "v6_probe";

async fn to_v6(db: &Database) -> indexed_db_futures::Result<()> {
    let probe = db.create_object_store(V6_PROBE).build()?;
    let tx = probe.transaction();
    let invoices = tx.object_store(EntityKind::Invoice.name())?;
    invoices
        .create_index(
            BY_STATUS_DUE,
            KeyPath::from(["listing.status", "listing.due_date"]),
        )
        .build()?;
    invoices
        .create_index(BY_CUSTOMER, "customer_id".into())
        .build()?;
    invoices
        .create_index(BY_NUMBER, "listing.number".into())
        .build()?;
    invoices
        .create_index(BY_ISSUE_DATE, "listing.issue_date".into())
        .build()?;
    invoices
        .create_index(BY_WORD, "listing.words".into())
        .with_multi_entry(true)
        .build()?;
    invoices.create_index(BY_LEASE, "lease_id".into()).build()?;
    tx.object_store(EntityKind::Payment.name())?
        .create_index(BY_INVOICE, "listing.invoices".into())
        .with_multi_entry(true)
        .build()?;
    tx.object_store(EntityKind::CreditNote.name())?
        .create_index(BY_INVOICE, "invoice_id".into())
        .build()?;
    let customers = tx.object_store(CUSTOMERS)?;
    customers
        .create_index(BY_NAME, "listing.name".into())
        .build()?;
    customers
        .create_index(BY_WORD, "listing.words".into())
        .with_multi_entry(true)
        .build()?;
    super::listing::list_stored_rows(tx)
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    db.delete_object_store(V6_PROBE)?;
    Ok(())
}
