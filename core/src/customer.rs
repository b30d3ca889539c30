//! Customers: the parties an organisation bills.

use serde::{Deserialize, Serialize};

use crate::document::issue::{Address, Party};
use crate::ids::{CustomerId, OrganisationId};
use crate::money::Currency;
use crate::terms::PaymentTerms;
use crate::validation::{Rule, ValidationError, looks_like_email, optional_text, required_text};

/// A customer account. Balances are kept per (customer, currency); `currency` is the default for new
/// documents, not a limit on which currencies the customer may be billed in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub id: CustomerId,
    pub organisation_id: OrganisationId,
    pub name: String,
    #[serde(default)]
    pub email: String,
    pub currency: Currency,
    /// Days from the invoice date to the due date for new invoices (net N).
    pub payment_terms_days: u16,
    /// VAT identifier (BT-48), empty when the customer has none.
    #[serde(default)]
    pub tax_id: String,
    /// Postal address (BG-8); its country may stay empty for a customer in the seller's country.
    #[serde(default)]
    pub address: Address,
    /// The language documents and mail to this customer are written in; none for the organisation's
    /// own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<Language>,
}

/// An ISO 639-1 language code (`de`), two lower-case letters: kept in two bytes, so a customer record
/// stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Language([u8; 2]);

impl Language {
    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        match code.as_bytes() {
            &[a, b] if a.is_ascii_lowercase() && b.is_ascii_lowercase() => Ok(Self([a, b])),
            _ => Err(ValidationError::new(
                "language",
                Rule::Format {
                    detail: "an ISO 639-1 language code such as de".into(),
                },
            )),
        }
    }

    pub fn code(&self) -> &str {
        // Two ASCII letters, checked by `parse`.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
}

impl Serialize for Language {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Language {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::parse(&code).map_err(serde::de::Error::custom)
    }
}

impl Customer {
    pub const MAX_NAME: usize = 200;
    pub const MAX_EMAIL: usize = 254;
    pub const MAX_TAX_ID: usize = 40;
    pub const MAX_TERMS_DAYS: u16 = 365;
    /// Net days a new customer starts with when the organisation's own terms are not net N days.
    pub const FALLBACK_TERMS_DAYS: u16 = 30;

    /// Net days a new customer starts with: the organisation's terms ([`crate::settings::Settings`]'s
    /// `terms`) when they are net N days, as a customer's terms are; otherwise net
    /// [`Self::FALLBACK_TERMS_DAYS`].
    pub fn default_terms_days(organisation_terms: &PaymentTerms) -> u16 {
        match *organisation_terms {
            PaymentTerms::Net { days } => days.min(Self::MAX_TERMS_DAYS),
            _ => Self::FALLBACK_TERMS_DAYS,
        }
    }

    /// The payment terms new invoices to this customer get.
    pub fn terms(&self) -> PaymentTerms {
        PaymentTerms::Net {
            days: self.payment_terms_days,
        }
    }

    /// The buyer (BG-7) as an issued document prints it. A customer without a country is taken to be in
    /// the seller's country, the common case of a domestic customer entered with a name only.
    pub fn as_buyer(&self, seller: &Party) -> Party {
        let mut address = self.address.clone();
        if address.country.is_empty() {
            address.country = seller.address.country.clone();
        }
        Party {
            name: self.name.clone(),
            tax_id: self.tax_id.clone(),
            legal_id: String::new(),
            address,
        }
    }

    /// Checks every field; the first broken rule is reported with its field.
    pub fn validate(&self) -> Result<(), ValidationError> {
        required_text("name", &self.name, Self::MAX_NAME)?;
        optional_text("email", &self.email, Self::MAX_EMAIL)?;
        let email = self.email.trim();
        if !email.is_empty() && !looks_like_email(email) {
            return Err(ValidationError::new("email", Rule::Email));
        }
        optional_text("tax_id", &self.tax_id, Self::MAX_TAX_ID)?;
        let country = &self.address.country;
        if !country.is_empty() && !crate::codes::is_country(country) {
            return Err(ValidationError::new(
                "address.country",
                Rule::Format {
                    detail: "an ISO 3166-1 alpha-2 code such as NO".into(),
                },
            ));
        }
        if self.payment_terms_days > Self::MAX_TERMS_DAYS {
            return Err(ValidationError::new(
                "payment_terms_days",
                Rule::Range {
                    min: "0".into(),
                    max: Self::MAX_TERMS_DAYS.to_string(),
                },
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn customer() -> Customer {
        Customer {
            id: CustomerId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f").unwrap(),
            organisation_id: OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap(),
            name: "Acme GmbH".into(),
            email: "ap@acme.example".into(),
            currency: Currency::parse("EUR").unwrap(),
            payment_terms_days: 30,
            tax_id: String::new(),
            address: Default::default(),
            language: Language::parse("de").ok(),
        }
    }

    #[test]
    fn a_new_customer_starts_on_the_organisations_net_terms() {
        assert_eq!(
            Customer::default_terms_days(&PaymentTerms::Net { days: 14 }),
            14
        );
        let new_organisation =
            crate::settings::Settings::initial(customer().organisation_id, "Fjord Consulting AS");
        assert_eq!(Customer::default_terms_days(&new_organisation.terms), 30);
        assert_eq!(
            Customer::default_terms_days(&PaymentTerms::NetEndOfMonth { days: 10 }),
            Customer::FALLBACK_TERMS_DAYS
        );
        assert_eq!(
            Customer::default_terms_days(&PaymentTerms::DueOnReceipt),
            Customer::FALLBACK_TERMS_DAYS
        );
    }

    #[test]
    fn a_customer_stored_before_billing_fields_still_reads() {
        let old = r#"{"id": "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f",
            "organisation_id": "019a4d5e-0000-7000-8000-000000000001",
            "name": "Acme GmbH", "currency": "EUR", "payment_terms_days": 30}"#;
        let read: Customer = serde_json::from_str(old).unwrap();
        assert_eq!(read.language, None);
        for bad in ["deu", "DE", "d", ""] {
            assert_eq!(Language::parse(bad).unwrap_err().field, "language", "{bad}");
        }
        assert_eq!(
            serde_json::to_value(Language::parse("nb").unwrap()).unwrap(),
            serde_json::json!("nb")
        );
        assert_eq!(read.address, Address::default());
        assert_eq!(read.validate(), Ok(()));
    }

    #[test]
    fn a_complete_customer_is_valid() {
        assert_eq!(customer().validate(), Ok(()));
        assert_eq!(
            Customer {
                email: String::new(),
                ..customer()
            }
            .validate(),
            Ok(())
        );
    }

    #[test]
    fn each_broken_rule_names_its_field() {
        let cases = [
            (
                Customer {
                    name: " ".into(),
                    ..customer()
                },
                "name",
                Rule::Required,
            ),
            (
                Customer {
                    name: "x".repeat(201),
                    ..customer()
                },
                "name",
                Rule::MaxLength { max: 200 },
            ),
            (
                Customer {
                    email: "acme.example".into(),
                    ..customer()
                },
                "email",
                Rule::Email,
            ),
            (
                Customer {
                    email: "a@b".into(),
                    ..customer()
                },
                "email",
                Rule::Email,
            ),
            (
                Customer {
                    payment_terms_days: 400,
                    ..customer()
                },
                "payment_terms_days",
                Rule::Range {
                    min: "0".into(),
                    max: "365".into(),
                },
            ),
        ];
        let with_country = |country: &str| {
            let mut c = customer();
            c.address.country = country.into();
            c
        };
        assert_eq!(with_country("DE").validate(), Ok(()));
        let country = Rule::Format {
            detail: "an ISO 3166-1 alpha-2 code such as NO".into(),
        };
        let cases = cases.into_iter().chain([
            (with_country("de"), "address.country", country.clone()),
            (with_country("DEU"), "address.country", country),
            (
                Customer {
                    tax_id: "X".repeat(41),
                    ..customer()
                },
                "tax_id",
                Rule::MaxLength { max: 40 },
            ),
        ]);
        for (c, field, rule) in cases {
            assert_eq!(c.validate(), Err(ValidationError::new(field, rule)));
        }
    }
}
