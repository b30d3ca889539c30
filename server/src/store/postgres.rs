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
