//! Organisations (tenants), the people who sign in to them, and what those may do.

use serde::{Deserialize, Serialize};

use crate::ids::{OrganisationId, UserId};
use crate::money::Currency;
use crate::validation::{Rule, ValidationError};

/// A tenant: a business that bills its customers with Remit. Every record belongs to one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub name: String,
    /// The calendar its documents are dated in: "today" for a new invoice is a date in this zone.
    pub time_zone: TimeZoneName,
    /// The default currency of new customers and documents.
    pub currency: Currency,
}

/// A person as the app shows them: who is signed in, with which role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub id: UserId,
    pub email: String,
    pub name: String,
    pub role: Role,
}

/// Who is signed in, in which organisation: what the server answers a sign-in with, and what the app
/// keeps so it can open for the last user without asking the server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionInfo {
    pub user: Member,
    pub organisation: Organisation,
}

impl SessionInfo {
    /// Whether `other` is the same person in the same organisation: their local data and outbox carry
    /// over; anyone else starts from an empty local copy.
    pub fn same_account(&self, other: &SessionInfo) -> bool {
        self.user.id == other.user.id && self.organisation.id == other.organisation.id
    }
}

/// `POST /api/setup`: the first-run form that creates the organisation and its owner. Sent by the app,
/// read by the server; the server checks every field (core's checks, the server's zone database).
/// Missing fields read as empty, so that validation names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupRequest {
    #[serde(default)]
    pub organisation_name: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub currency: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
}

/// `GET /api/setup`: whether the server still waits for its first organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupStatus {
    pub needed: bool,
}

/// An IANA time-zone name (`Europe/Oslo`, `America/Argentina/Salta`) or `UTC`: the calendar an
/// organisation's documents are dated in. Checked for shape, not looked up in a zone database (core has
/// none): a plausible name is stored as given; the shells resolve it (the browser's `Intl`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TimeZoneName(String);

impl TimeZoneName {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let tz = text.trim();
        let part_ok = |p: &str| {
            !p.is_empty()
                && p.len() <= 64
                && p.starts_with(|c: char| c.is_ascii_alphabetic())
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
        };
        let parts: Vec<&str> = tz.split('/').collect();
        if tz == "UTC" || (parts.len() >= 2 && parts.iter().all(|p| part_ok(p))) {
            Ok(Self(tz.to_owned()))
        } else {
            Err(Self::refusal())
        }
    }

    /// The error for a name that is no time zone: the same whether its shape is wrong here or a shell's
    /// zone database does not know it.
    pub fn refusal() -> ValidationError {
        ValidationError::new(
            "time_zone",
            Rule::Format {
                detail: "an IANA time zone such as Europe/Oslo, or UTC".into(),
            },
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TimeZoneName {
    type Error = ValidationError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<TimeZoneName> for String {
    fn from(tz: TimeZoneName) -> String {
        tz.0
    }
}

/// What a user may do in their organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
    pub const ALL: [Role; 3] = [Role::Owner, Role::Billing, Role::ReadOnly];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::Billing => "billing",
            Role::ReadOnly => "read_only",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text.trim())
            .ok_or_else(|| {
                ValidationError::new(
                    "role",
                    Rule::Format {
                        detail: "one of owner, billing, read_only".into(),
                    },
                )
            })
    }

    /// Whether the role may change records (customers, documents).
    pub fn may_write(self) -> bool {
        match self {
            Role::Owner | Role::Billing => true,
            Role::ReadOnly => false,
        }
    }

    /// Whether the role may change the organisation's settings: owners only.
    pub fn may_change_settings(self) -> bool {
        self == Role::Owner
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_zones_look_like_iana_names() {
        for ok in [
            "UTC",
            "Europe/Oslo",
            "America/Argentina/Salta",
            "Etc/GMT+5",
            "America/Port-au-Prince",
        ] {
            assert_eq!(TimeZoneName::parse(ok).unwrap().as_str(), ok);
        }
        for bad in [
            "",
            "Berlin",
            "utc",
            "Europe/",
            "/Oslo",
            "Europe/Os lo",
            "Europe/1Oslo",
        ] {
            assert_eq!(
                TimeZoneName::parse(bad).unwrap_err().field,
                "time_zone",
                "{bad}"
            );
        }
    }

    #[test]
    fn only_the_same_person_in_the_same_organisation_is_the_same_account() {
        let org = |n: u8| Organisation {
            id: OrganisationId::parse(&format!("019a4d5e-0000-7000-8000-0000000001{n:02x}"))
                .unwrap(),
            name: "Acme".into(),
            time_zone: TimeZoneName::parse("Europe/Oslo").unwrap(),
            currency: Currency::parse("NOK").unwrap(),
        };
        let member = |n: u8| Member {
            id: UserId::parse(&format!("019a4d5e-0000-7000-8000-0000000002{n:02x}")).unwrap(),
            email: "a@acme.example".into(),
            name: "A".into(),
            role: Role::Owner,
        };
        let a = SessionInfo {
            user: member(1),
            organisation: org(1),
        };
        let renamed = SessionInfo {
            user: Member {
                name: "Renamed".into(),
                ..member(1)
            },
            organisation: org(1),
        };
        assert!(a.same_account(&renamed));
        assert!(!a.same_account(&SessionInfo {
            user: member(2),
            organisation: org(1)
        }));
        assert!(!a.same_account(&SessionInfo {
            user: member(1),
            organisation: org(2)
        }));
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["organisation"]["time_zone"], "Europe/Oslo");
        assert_eq!(json["user"]["role"], "owner");
    }

    #[test]
    fn a_role_reads_back_as_stored_and_only_read_only_may_not_write() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Ok(role));
            assert_eq!(
                serde_json::to_value(role).unwrap(),
                serde_json::json!(role.as_str())
            );
        }
        assert!(Role::parse("admin").is_err());
        assert!(
            Role::Owner.may_write() && Role::Billing.may_write() && !Role::ReadOnly.may_write()
        );
        let owners: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.may_change_settings())
            .collect();
        assert_eq!(owners, [Role::Owner]);
    }
}
