//! Where Remit keeps its state: one [`Store`] over SQLite (a single machine, a file next to the binary) or
//! PostgreSQL (several server processes sharing one database).
//!
//! Every query is written once, with `$n` placeholders and portable SQL, and runs through sqlx's `Any`
//! driver. What differs between the backends lives in [`sqlite`] and [`postgres`]: connection settings,
//! how a write transaction starts, table locks, and the migration files (same version numbers, DDL per
//! backend). Values are stored as canonical text (ids, money, quantities, dates, JSON bodies) or as
//! integers (instants in epoch milliseconds, counters), so no value depends on a backend's numeric types.
//! A JSON body is written and read back through [`body`] only, and a row that does not read back is
//! reported as [`StoreError::Corrupt`], never skipped.
//!
//! One module per aggregate:
//! - [`changes`]: the organisation's change clock (and the lock it gives), and its ordered change log.
//! - [`customers`], [`drafts`]: customers and invoice drafts.
//! - [`records`]: the generic `records` table (settings, items, payments, refunds, disputes, exception
//!   items), and which organisation uses a record id in any table.
//! - [`invoices`], [`credit_notes`]: issued documents.
//! - [`sequences`]: each sequence's last place, and every number handed out with its use.
//! - [`leases`]: number leases of devices.
//! - [`ledger`]: customers' account events.
//! - [`sync_log`]: clients' registrations and progress, mutation results, the audit log.
//! - [`accounts`]: organisations, users, sessions, sign-in failures.
//! - [`webhooks`]: webhook endpoints and the delivery queue.
//! - [`mail`]: the outgoing mail queue, and the mails' synced records as the sender settles them.
//! - [`renderings`]: the bytes of issued documents' first renderings (PDFs).
//! - [`gateway`]: payment gateways and their secrets, checkouts, the queue of refunds to send.

pub mod accounts;
pub mod body;
pub mod changes;
pub mod credit_notes;
pub mod customers;
pub mod drafts;
pub mod gateway;
pub mod invoices;
pub mod leases;
pub mod ledger;
pub mod mail;
pub mod portal;
pub mod postgres;
pub mod records;
pub mod renderings;
pub mod sequences;
pub mod sqlite;
pub mod sync_log;
pub mod webhooks;

use std::str::FromStr;

use remit_core::ids::{ClientId, OrganisationId};
use remit_core::sync::DraftHead;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Row, Transaction};
use uuid::Uuid;

/// A failure to load or store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL {0:?}: use sqlite://PATH or postgres://...")]
    UnsupportedUrl(String),
    /// A stored value cannot be read back: the database was changed behind Remit's back.
    #[error("stored {what} cannot be read: {detail}")]
    Corrupt { what: &'static str, detail: String },
    /// A counter outgrew what the database can hold.
    #[error("{0} is too large to store")]
    OutOfRange(&'static str),
}

impl StoreError {
    pub fn corrupt(what: &'static str, detail: impl ToString) -> Self {
        Self::Corrupt {
            what,
            detail: detail.to_string(),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The database product behind a [`Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// Reads the backend from a database URL's scheme.
    pub fn of_url(url: &str) -> StoreResult<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }
}

/// A transaction that writes. Commit it, or drop it to roll back.
pub type WriteTx = Transaction<'static, Any>;

/// A connection for reads outside a write transaction.
pub type ReadConn = PoolConnection<Any>;

/// The database of one Remit installation.
#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl Store {
    /// Opens the database at `url` (creating a SQLite file if missing). Does not migrate.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let url = match backend {
            Backend::Sqlite => sqlite::connection_url(url),
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => sqlite::MAX_CONNECTIONS,
                Backend::Postgres => postgres::MAX_CONNECTIONS,
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => sqlite::configure(conn).await,
                        Backend::Postgres => Ok(()),
                    }
                })
            })
            .connect_with(options)
            .await?;
        Ok(Self { pool, backend })
    }

    /// Brings the schema to the version this build expects.
    pub async fn migrate(&self) -> StoreResult<()> {
        match self.backend {
            Backend::Sqlite => sqlite::MIGRATOR.run(&self.pool).await?,
            Backend::Postgres => postgres::MIGRATOR.run(&self.pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool, for code (such as tests and maintenance) that inspects tables directly.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// A connection for reading.
    pub async fn read(&self) -> StoreResult<ReadConn> {
        Ok(self.pool.acquire().await?)
    }

    /// Starts a write transaction. On SQLite it takes the write lock at once (`BEGIN IMMEDIATE`), so two
    /// writers never both read and then fail to upgrade their lock; the busy timeout makes the second wait.
    pub async fn write(&self) -> StoreResult<WriteTx> {
        let begin = match self.backend {
            Backend::Sqlite => sqlite::BEGIN_WRITE,
            Backend::Postgres => postgres::BEGIN_WRITE,
        };
        Ok(self.pool.begin_with(begin).await?)
    }

    /// Serialises account creation (first-run setup, `remit user add`) within a write transaction, so that
    /// two concurrent setups cannot both see an empty installation.
    pub async fn lock_accounts(&self, tx: &mut WriteTx) -> StoreResult<()> {
        match self.backend {
            // `BEGIN IMMEDIATE` already holds the database's only write lock.
            Backend::Sqlite => Ok(()),
            Backend::Postgres => postgres::lock_accounts(tx).await,
        }
    }

    /// Serialises sign-in attempts on one account within a write transaction (see
    /// [`crate::auth::accounts::sign_in`]).
    pub async fn lock_login(&self, tx: &mut WriteTx, account_key: &str) -> StoreResult<()> {
        match self.backend {
            // `BEGIN IMMEDIATE` already holds the database's only write lock.
            Backend::Sqlite => Ok(()),
            Backend::Postgres => postgres::lock_login(tx, account_key).await,
        }
    }

    /// Closes every connection; waits for connections in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Converts a stored integer counter to the protocol's unsigned form.
pub(crate) fn to_u64(what: &'static str, value: i64) -> StoreResult<u64> {
    u64::try_from(value).map_err(|e| StoreError::corrupt(what, e))
}

/// Converts a protocol counter to the stored signed form; counters beyond `i64::MAX` cannot be stored.
pub(crate) fn to_i64(what: &'static str, value: u64) -> StoreResult<i64> {
    i64::try_from(value).map_err(|_| StoreError::OutOfRange(what))
}

/// The `organisation_id` column of a row.
fn row_organisation(row: &AnyRow) -> StoreResult<OrganisationId> {
    OrganisationId::parse(&row.try_get::<String, _>("organisation_id")?)
        .map_err(|e| StoreError::corrupt("organisation id", e))
}

/// The organisation of the row `sql` selects by id (`$1`), if there is one.
async fn owner(
    conn: &mut AnyConnection,
    sql: &'static str,
    id: Uuid,
) -> StoreResult<Option<OrganisationId>> {
    let row = sqlx::query(sql)
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(row_organisation).transpose()
}

/// Reads the organisation and version facts of a versioned row (a draft, or a record such as settings).
fn version_head(row: &AnyRow) -> StoreResult<(OrganisationId, DraftHead)> {
    let last_client: String = row.try_get("last_client_id")?;
    Ok((
        row_organisation(row)?,
        DraftHead {
            version: to_u64("version", row.try_get("version")?)?,
            last_client: ClientId::parse(&last_client)
                .map_err(|e| StoreError::corrupt("last client", e))?,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test names here avoid the backends' names: CI selects backend tests by name.

    #[tokio::test]
    async fn a_file_database_journals_ahead_waits_for_writers_and_enforces_foreign_keys() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("remit.db").display());
        let store = Store::connect(&url).await.unwrap();
        store.migrate().await.unwrap();
        let mut conn = store.read().await.unwrap();
        let pragma = |name: &'static str| format!("PRAGMA {name}");
        let journal: String = sqlx::query_scalar(&pragma("journal_mode"))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(journal, "wal");
        let timeout: i64 = sqlx::query_scalar(&pragma("busy_timeout"))
            .fetch_one(&mut *conn)
            .await
            .unwrap();
        assert_eq!(timeout, 5000);
        let orphan = sqlx::query("INSERT INTO org_clock (organisation_id, v) VALUES ($1, 0)")
            .bind("019a4d5e-0000-7000-8000-000000000001")
            .execute(&mut *conn)
            .await;
        assert!(
            orphan.is_err(),
            "a clock without its organisation is refused"
        );
        drop(conn);
        store.close().await;
    }

    #[test]
    fn a_file_database_is_created_when_missing_unless_the_url_says_otherwise() {
        assert_eq!(
            sqlite::connection_url("sqlite://data/remit.db"),
            "sqlite://data/remit.db?mode=rwc"
        );
        assert_eq!(
            sqlite::connection_url("sqlite://data/remit.db?cache=shared"),
            "sqlite://data/remit.db?cache=shared&mode=rwc"
        );
        assert_eq!(
            sqlite::connection_url("sqlite://data/remit.db?mode=ro"),
            "sqlite://data/remit.db?mode=ro"
        );
    }
}
