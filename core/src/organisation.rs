//! Organisations (tenants) and what their users may do.

use serde::{Deserialize, Serialize};

use crate::validation::{Rule, ValidationError};

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
            Err(ValidationError::new(
                "time_zone",
                Rule::Format {
                    detail: "an IANA time zone such as Europe/Oslo, or UTC".into(),
                },
            ))
        }
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
    }
}
