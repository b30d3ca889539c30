//! The one error shape for input that breaks a rule: which field, which rule.
//!
//! Every boundary (a form in the app, a mutation on the server) reports bad input through this type, so the
//! message a billing officer sees names the same field and rule wherever the input was checked.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A rule that a piece of input broke.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Rule {
    /// The field must be present and not blank.
    Required,
    /// The text is longer than allowed.
    MaxLength { max: usize },
    /// The value must not be below zero.
    NotNegative,
    /// The value must be above zero.
    Positive,
    /// The value must lie within an inclusive range.
    Range { min: String, max: String },
    /// The value is not a decimal number.
    Decimal,
    /// The value is not a calendar date (`YYYY-MM-DD`).
    Date,
    /// The value is not a UUID of the required version.
    Uuid { version: u8 },
    /// Not an ISO 4217 currency code that Remit knows.
    Currency,
    /// An amount has more decimals than the currency's minor units.
    MinorUnits { currency: String, minor_units: u32 },
    /// A computation on this value overflowed what can be represented exactly.
    Overflow,
    /// Two amounts in different currencies were combined.
    SameCurrency,
    /// The value does not look like an e-mail address.
    Email,
    /// The value must equal another (for example the organisation of the signed-in user).
    Matches { expected: String },
    /// The field has a shape that cannot be read (wrong type, unknown variant, malformed JSON).
    Format { detail: String },
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rule::Required => write!(f, "is required"),
            Rule::MaxLength { max } => write!(f, "must be at most {max} characters"),
            Rule::NotNegative => write!(f, "must not be negative"),
            Rule::Positive => write!(f, "must be greater than zero"),
            Rule::Range { min, max } => write!(f, "must be between {min} and {max}"),
            Rule::Decimal => write!(f, "must be a decimal number"),
            Rule::Date => write!(f, "must be a date (YYYY-MM-DD)"),
            Rule::Uuid { version } => write!(f, "must be a version-{version} UUID"),
            Rule::Currency => write!(f, "must be an ISO 4217 currency code"),
            Rule::MinorUnits {
                currency,
                minor_units,
            } => write!(f, "must have at most {minor_units} decimals in {currency}"),
            Rule::Overflow => write!(f, "is too large to compute exactly"),
            Rule::SameCurrency => write!(f, "must be in the document's currency"),
            Rule::Email => write!(f, "must be an e-mail address"),
            Rule::Matches { expected } => write!(f, "must be {expected}"),
            Rule::Format { detail } => write!(f, "cannot be read: {detail}"),
        }
    }
}

/// Input that broke a rule. `field` is a path into the input, such as `lines[2].quantity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field} {rule}")]
pub struct ValidationError {
    pub field: String,
    #[serde(flatten)]
    pub rule: Rule,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, rule: Rule) -> Self {
        Self {
            field: field.into(),
            rule,
        }
    }

    /// The same error, seen from one level up: `quantity` inside `lines[2]` becomes `lines[2].quantity`.
    pub fn within(self, parent: &str) -> Self {
        let field = if self.field.is_empty() {
            parent.to_owned()
        } else if self.field.starts_with('[') {
            format!("{parent}{}", self.field)
        } else {
            format!("{parent}.{}", self.field)
        };
        Self { field, ..self }
    }
}

/// Checks a required, length-limited text field; returns it trimmed.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, Rule::Required));
    }
    optional_text(field, value, max)
}

/// Checks an optional, length-limited text field.
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.chars().count() > max {
        return Err(ValidationError::new(field, Rule::MaxLength { max }));
    }
    Ok(())
}

/// A deliberately loose e-mail check: one `@` with text on both sides, a dot inside the domain, no
/// blanks. Deliverability is proven by sending, not by a pattern.
pub fn looks_like_email(email: &str) -> bool {
    match email.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.contains(char::is_whitespace)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_error_names_the_full_path_of_the_field() {
        let e = ValidationError::new("quantity", Rule::Decimal).within("lines[2]");
        assert_eq!(e.field, "lines[2].quantity");
        assert_eq!(e.to_string(), "lines[2].quantity must be a decimal number");
    }

    #[test]
    fn an_error_serializes_field_and_rule_side_by_side() {
        let e = ValidationError::new("name", Rule::MaxLength { max: 200 });
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"field": "name", "rule": "max_length", "max": 200})
        );
    }

    #[test]
    fn e_mail_addresses_are_checked_loosely() {
        for ok in ["a@b.example", "first.last+tag@sub.example.org"] {
            assert!(looks_like_email(ok), "{ok}");
        }
        for bad in [
            "",
            "a",
            "@b.example",
            "a@b",
            "a@@b.example",
            "a@.example",
            "a@example.",
            "a b@c.example",
        ] {
            assert!(!looks_like_email(bad), "{bad}");
        }
    }

    #[test]
    fn blank_text_is_missing() {
        assert_eq!(
            required_text("name", "   ", 10),
            Err(ValidationError::new("name", Rule::Required))
        );
        assert!(required_text("name", "Acme", 10).is_ok());
        assert_eq!(
            optional_text("note", "abcdef", 5),
            Err(ValidationError::new("note", Rule::MaxLength { max: 5 }))
        );
    }
}
