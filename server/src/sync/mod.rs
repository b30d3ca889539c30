//! The server's side of sync: it registers clients, applies their mutations through core's decisions
//! (one database transaction per push, each mutation in a savepoint of its own), numbers the changes per
//! organisation, and serves them back in order.

mod apply;
pub mod pull;
pub mod push;
pub mod system;

use remit_core::ids::{OrganisationId, UserId};

use crate::auth::Role;
use crate::store::StoreError;
use crate::store::sync_log::ClientState;

/// Who is syncing.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub organisation_id: OrganisationId,
    pub user_id: UserId,
    pub role: Role,
}

impl Caller {
    /// Whether the caller may sync through a registered client: only as the user who registered it. A
    /// client's mutation ids are its own sequence, so anyone else pushing through it would take ids the
    /// client's queue has yet to send, and its own mutations would then be answered with those results.
    pub fn owns(&self, client: &ClientState) -> bool {
        client.organisation_id == self.organisation_id && client.user_id == self.user_id
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("protocol version {0} is not supported")]
    UnsupportedProtocolVersion(u32),
    #[error("this client belongs to another user")]
    ForeignClient,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Store(e.into())
    }
}
