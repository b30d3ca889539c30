//! Who may do what: organisations (tenants), users and their roles, password hashes, sessions.

pub mod accounts;
pub mod password;
pub mod session;

use remit_core::ids::{OrganisationId, UserId};
use remit_core::money::Currency;
pub use remit_core::organisation::Role;
use serde::{Deserialize, Serialize};

/// A tenant: a business that bills its customers with Remit. Every record belongs to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    /// IANA time zone (`Europe/Berlin`): the calendar its documents are dated in.
    pub time_zone: String,
    /// The default currency of new customers and documents.
    pub currency: Currency,
}

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
