//! Who is signed in, as the server describes it (`SessionInfo` of the server contract).
//!
//! Stored in IndexedDB `meta` after every sign-in, so the app opens for the last user without asking the
//! server, and checked against the server in the background when the network is there.

use remit_core::ids::{OrganisationId, UserId};
use remit_core::money::Currency;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: User,
    pub organisation: Organisation,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    /// IANA time zone (`Europe/Oslo`): "today" for a new invoice is a date in this zone.
    pub time_zone: String,
    /// Default currency for new customers.
    pub currency: Currency,
}

impl SessionInfo {
    /// Whether `other` is the same person in the same organisation: their local data and outbox carry
    /// over; anyone else starts from an empty local copy.
    pub fn same_account(&self, other: &SessionInfo) -> bool {
        self.user.id == other.user.id && self.organisation.id == other.organisation.id
    }
}
