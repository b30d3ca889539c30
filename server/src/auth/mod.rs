//! Who may do what: organisations (tenants), users and their roles, password hashes, sessions.

pub mod accounts;
pub mod password;
pub mod session;

use remit_core::ids::{OrganisationId, UserId};
pub use remit_core::organisation::{Organisation, Role};
use serde::{Deserialize, Serialize};

/// A person who signs in, always inside one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub organisation_id: OrganisationId,
    /// Stored trimmed and lower-cased: sign-in ignores case.
    pub email: String,
    pub name: String,
    pub role: Role,
}
