//! SQLite specifics: one file, WAL journal, a busy timeout, enforced foreign keys, and write transactions
//! that take the write lock when they begin.

use std::time::Duration;

use sqlx::migrate::Migrator;
use sqlx::{AnyConnection, Executor};

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations/sqlite");

/// How long a writer waits for another writer before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Readers run concurrently with the single writer under WAL.
pub const MAX_CONNECTIONS: u32 = 8;

pub const BEGIN_WRITE: &str = "BEGIN IMMEDIATE";

/// The URL sqlx should open: the file is created when missing unless the URL names a `mode` itself.
pub fn connection_url(url: &str) -> String {
    if url.contains("mode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    }
}

/// Settings every connection needs. WAL lets readers work while one writer writes; it is a property of
/// the file, set by the first connection; the others are per connection.
pub async fn configure(conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
    conn.execute("PRAGMA journal_mode = WAL").await?;
    conn.execute(format!("PRAGMA busy_timeout = {}", BUSY_TIMEOUT.as_millis()).as_str())
        .await?;
    conn.execute("PRAGMA foreign_keys = ON").await?;
    Ok(())
}
