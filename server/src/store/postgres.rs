//! PostgreSQL specifics: several server processes may share one database, so whatever must happen one at
//! a time is serialised with row or table locks inside the transaction that needs it.

use sqlx::Executor;
use sqlx::migrate::Migrator;

use super::{StoreResult, WriteTx};

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations/postgres");

pub const MAX_CONNECTIONS: u32 = 10;

pub const BEGIN_WRITE: &str = "BEGIN";

/// Makes concurrent account creations (in this or another process) wait for each other. The lock mode
/// conflicts with itself and with writes, not with reads.
pub async fn lock_accounts(tx: &mut WriteTx) -> StoreResult<()> {
    tx.execute("LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE")
        .await?;
    Ok(())
}

/// Makes concurrent sign-in attempts on one account (in this or another process) take turns, so that
/// reading its failures and recording the next one cannot interleave. The lock ends with the transaction.
pub async fn lock_login(tx: &mut WriteTx, account_key: &str) -> StoreResult<()> {
    sqlx::query(
        "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtextextended($1, 0))) AS l",
    )
    .bind(account_key)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
