//! Who may do what: organisations (tenants), users and their roles, password hashes, sessions.

pub mod accounts;
pub mod password;
pub mod session;

use remit_core::ids::{OrganisationId, UserId};
use remit_core::money::Currency;
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

/// What a user may do in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including the organisation's settings and users.
    Owner,
    /// Prepares and sends documents, keeps customers.
    Billing,
    /// Sees everything, changes nothing.
    ReadOnly,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Billing => "billing",
            Role::ReadOnly => "read_only",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "owner" => Some(Role::Owner),
            "billing" => Some(Role::Billing),
            "read_only" => Some(Role::ReadOnly),
            _ => None,
        }
    }

    /// Whether the role may change records (customers, documents).
    pub fn may_write(self) -> bool {
        match self {
            Role::Owner | Role::Billing => true,
            Role::ReadOnly => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_reads_back_as_stored_and_as_serialized() {
        for role in [Role::Owner, Role::Billing, Role::ReadOnly] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::Value::String(role.as_str().into())
            );
        }
        assert_eq!(Role::parse("admin"), None);
    }

    #[test]
    fn only_a_read_only_user_may_not_write() {
        assert!(Role::Owner.may_write());
        assert!(Role::Billing.may_write());
        assert!(!Role::ReadOnly.may_write());
    }
}
