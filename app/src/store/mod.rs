//! IndexedDB: the app's own copy of the organisation's data, written before anything else happens.
//!
//! The browser is the first place a change lands, so the store is the app's source of truth while the
//! network is away. Every local change is written together with its outbox mutation and the updated
//! [`remit_core::sync::ClientSync`] in one read-write transaction, so a crash, a closed tab or a lost
//! network can never leave a record without the mutation that tells the server about it (or the reverse).
//!
//! - [`schema`]: the database name, its versions and the migrations between them.
//! - [`records`]: typed records and their JSON shape in IndexedDB; reads of customers and drafts.
//! - [`outbox`]: local changes (record + mutation + sync state in one transaction) and the outbox.
//! - [`replies`]: applying what core decided about a push or pull reply, one transaction each.
//! - [`conflicts`]: a conflicting draft's two copies, and settling the conflict in one transaction.
//! - [`credit_notes`]: credit notes, the server's and those waiting for its number.
//! - [`issuing`]: settings, this device's leases, and issued invoices with whether they await sync.
//! - [`payments`]: an invoice's payments, pending in the outbox and as the server allocated them.
//! - [`threads`]: customers' questions and disputes, with the replies and resolutions waiting to sync.
//! - [`listing`]: what the lists read through indexes, stored beside each invoice, payment and customer.
//! - [`lists`]: the long lists one page at a time, through those indexes.
//! - [`meta`]: the key-value store: the signed-in session and the sync state.

pub mod conflicts;
pub mod credit_notes;
pub mod issuing;
pub mod listing;
pub mod lists;
pub mod meta;
pub mod outbox;
pub mod payments;
pub mod records;
pub mod replies;
pub mod schema;
pub mod threads;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use indexed_db_futures::Build;
use indexed_db_futures::database::Database;
use indexed_db_futures::transaction::{Transaction, TransactionMode};
use remit_core::validation::ValidationError;
use wasm_bindgen::JsValue;

pub use schema::DB_NAME;

/// A failure of the local database. The app shows it and keeps what is stored; nothing half-written
/// survives, because every write is one transaction. Clone and `Send`, so a screen's resource and error
/// boundary can hold it: the browser's own errors (JS values) are kept as their text.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// IndexedDB refused or failed an operation (open, transaction, request).
    #[error("local database: {0}")]
    Database(String),
    /// A stored value is not the JSON this build reads, or a value could not be written as JSON.
    #[error("local database: unreadable record: {0}")]
    Unreadable(#[source] Arc<serde_json::Error>),
    /// Nobody is signed in on this device, so there is no sync state to write with.
    #[error("local database: sign in first")]
    SignedOut,
    /// The invoice's customer is not on this device, so core cannot issue it here.
    #[error("local database: the invoice's customer is not on this device")]
    MissingCustomer,
    /// Another tab settled the conflict first.
    #[error("local database: this conflict is already resolved")]
    AlreadyResolved,
    /// A stored row this build cannot read: named by its store and key, so an upgrade bug never vanishes
    /// silently.
    #[error("local database: {0}")]
    Corrupt(String),
    /// An id made here is not what core accepts (a clock before 1970).
    #[error("local database: {0}")]
    Invalid(#[from] ValidationError),
}

/// Two failures are the same when they read the same (a screen redraws only for a different one).
impl PartialEq for StoreError {
    fn eq(&self, other: &Self) -> bool {
        self.to_string() == other.to_string()
    }
}

impl StoreError {
    /// A row of `store` this build cannot read.
    pub fn corrupt(store: &str, key: &str, detail: impl std::fmt::Display) -> Self {
        Self::Corrupt(format!("{store} row {key} is corrupt: {detail}"))
    }
}

impl From<indexed_db_futures::error::Error> for StoreError {
    fn from(e: indexed_db_futures::error::Error) -> Self {
        Self::Database(e.to_string())
    }
}

impl From<indexed_db_futures::error::OpenDbError> for StoreError {
    fn from(e: indexed_db_futures::error::OpenDbError) -> Self {
        Self::Database(e.to_string())
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Unreadable(Arc::new(e))
    }
}

impl From<JsValue> for StoreError {
    fn from(e: JsValue) -> Self {
        Self::Database(format!("{e:?}"))
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// An open connection to one Remit database. Cheap to clone: it is a handle to the browser's connection.
#[derive(Clone, Debug)]
pub struct Store {
    db: Database,
}

/// Stored rows decoded so far by this page, through any store: what reading a screen costs.
static ROWS_READ: AtomicU64 = AtomicU64::new(0);

/// How many stored rows this page has decoded so far (every read decodes through [`from_js`]); the
/// start-up test's measure.
pub fn rows_read() -> u64 {
    ROWS_READ.load(Ordering::Relaxed)
}

impl Store {
    /// Opens (creating or upgrading as needed) the database `name`. The app uses [`DB_NAME`]; tests use
    /// a fresh name each so they never see each other's data.
    pub async fn open(name: &str) -> StoreResult<Self> {
        Ok(Self {
            db: schema::open(name).await?,
        })
    }

    pub fn database(&self) -> &Database {
        &self.db
    }

    /// Closes the connection (another tab wants to upgrade the schema); the store is unusable after.
    pub fn close(&self) {
        self.db.clone().close();
    }

    fn read(&self, stores: &[&str]) -> StoreResult<Transaction<'_>> {
        Ok(self
            .db
            .transaction(stores)
            .with_mode(TransactionMode::Readonly)
            .build()?)
    }

    fn write(&self, stores: &[&str]) -> StoreResult<Transaction<'_>> {
        Ok(self
            .db
            .transaction(stores)
            .with_mode(TransactionMode::Readwrite)
            .build()?)
    }
}

/// A value as IndexedDB stores it: a plain JS object built from the value's JSON, so that money stays
/// a string and any script on the origin (the e2e tests, a support engineer's console) reads it as JSON.
pub fn to_js<T: serde::Serialize>(value: &T) -> StoreResult<JsValue> {
    let text = serde_json::to_string(value)?;
    Ok(js_sys::JSON::parse(&text)?)
}

/// Reads a value stored by [`to_js`].
///
/// Through a `serde_json::Value`: the record types are decoded from `Value` anyway (a pulled record, a
/// queued command's arguments), and decoding them from text as well would put a second decoder of every
/// type in the wasm.
pub fn from_js<T: serde::de::DeserializeOwned>(value: &JsValue) -> StoreResult<T> {
    ROWS_READ.fetch_add(1, Ordering::Relaxed);
    let text: String = js_sys::JSON::stringify(value)?.into();
    let value: serde_json::Value = serde_json::from_str(&text)?;
    Ok(serde_json::from_value(value)?)
}
