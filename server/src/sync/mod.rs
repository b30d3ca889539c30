//! The server's side of sync: it registers clients, applies their mutations through core's decisions
//! (one database transaction per mutation), numbers the changes per organisation, and serves them back
//! in order.

pub mod pull;
pub mod push;

use remit_core::ids::{OrganisationId, UserId};

use crate::auth::Role;
use crate::store::StoreError;

/// Who is syncing.
#[derive(Debug, Clone, Copy)]
pub struct Caller {
    pub organisation_id: OrganisationId,
    pub user_id: UserId,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("protocol version {0} is not supported")]
    UnsupportedProtocolVersion(u32),
    #[error("this client belongs to another organisation")]
    ForeignClient,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<sqlx::Error> for SyncError {
    fn from(e: sqlx::Error) -> Self {
        SyncError::Store(e.into())
    }
}
