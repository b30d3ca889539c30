//! An organisation's settings: who it is on its documents, how documents are numbered, the tax rates and
//! terms it offers, how it chases late payers, and which period is closed.
//!
//! Settings are edited like drafts: they carry the server's version, and an edit based on an older
//! version from another device is a conflict rather than a silent overwrite.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::bank::{BankAccount, check_payment_means};
use crate::document::issue::{Address, Party};
use crate::ids::OrganisationId;
use crate::money::Currency;
use crate::numbering::{DocumentType, NumberSeries};
use crate::receivables::dunning::DunningSchedule;
use crate::tax::{TaxCategory, TaxRate};
use crate::terms::{PaymentPlan, PaymentTerms};
use crate::validation::{Rule, ValidationError, required_text};

/// A tax rate the editor offers by name ("Standard 19 %").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxRateOption {
    pub name: String,
    pub category: TaxCategory,
    pub rate: TaxRate,
}

/// Payment terms the editor offers by name ("2/10 net 30", "Three monthly instalments").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermsOption {
    pub name: String,
    pub plan: PaymentPlan,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Settings {
    pub organisation_id: OrganisationId,
    /// The seller (BG-4) as printed on every document.
    pub seller: Party,
    pub invoice_series: NumberSeries,
    pub credit_note_series: NumberSeries,
    pub tax_rates: Vec<TaxRateOption>,
    /// Terms of new customers.
    pub terms: PaymentTerms,
    pub dunning: DunningSchedule,
    /// Documents dated on or before this day belong to a closed period (the month is closed).
    #[serde(default)]
    pub period_locked_until: Option<NaiveDate>,
    /// The server's version these settings are based on (0 before the first save).
    #[serde(default)]
    pub version: u64,
    /// The terms a draft can choose from; `terms` stays the default of new customers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payment_terms: Vec<TermsOption>,
    /// Where customers pay (BG-17), printed on and frozen with every invoice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_account: Option<BankAccount>,
    /// BT-81, UNCL4461 ([`crate::bank::PAYMENT_MEANS`]); empty when not chosen.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub payment_means_code: String,
    /// BT-6: the currency the organisation keeps its books in. An invoice in another currency states
    /// its VAT total in this one too (BT-111), at a rate the user confirms on the draft.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounting_currency: Option<Currency>,
    /// The colour of the customer's portal (`#1f4f8f`): its links and its heading's rule, so it must
    /// read on white ([`brand_colour_rule`]). None for Remit's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub brand_colour: Option<String>,
    /// How many days a statement link to the customer's portal opens; none for
    /// [`PortalPolicy`](crate::portal::PortalPolicy)'s 30.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub portal_link_days: Option<u32>,
}

impl Settings {
    pub const MAX_TAX_RATES: usize = 50;
    pub const MAX_TERMS_OPTIONS: usize = 50;

    /// What a new organisation starts with: its name as seller (the address still to be filled in),
    /// yearly series `INV-2026-000001` and `CN-2026-000001`, net 30, the default dunning schedule.
    pub fn initial(organisation_id: OrganisationId, name: &str) -> Self {
        let series = |document_type, prefix: &str| NumberSeries {
            document_type,
            prefix: prefix.into(),
            yearly: true,
            branch: None,
            width: 6,
        };
        Self {
            organisation_id,
            seller: Party {
                name: name.to_owned(),
                tax_id: String::new(),
                legal_id: String::new(),
                address: Address::default(),
            },
            invoice_series: series(DocumentType::Invoice, "INV"),
            credit_note_series: series(DocumentType::CreditNote, "CN"),
            tax_rates: Vec::new(),
            terms: PaymentTerms::Net { days: 30 },
            dunning: DunningSchedule::default(),
            period_locked_until: None,
            version: 0,
            payment_terms: Vec::new(),
            bank_account: None,
            payment_means_code: String::new(),
            accounting_currency: None,
            brand_colour: None,
            portal_link_days: None,
        }
    }

    /// Checks every field that can be saved. The seller's address may stay incomplete until the first
    /// document is issued (issuing checks the full party).
    pub fn validate(&self) -> Result<(), ValidationError> {
        required_text("seller.name", &self.seller.name, 200)?;
        if let Some(colour) = &self.brand_colour {
            brand_colour_rule(colour)?;
        }
        let longest = crate::portal::PortalPolicy::default().max_link_days;
        if let Some(days) = self.portal_link_days
            && !(1..=longest).contains(&days)
        {
            return Err(ValidationError::new(
                "portal_link_days",
                Rule::Range {
                    min: "1".into(),
                    max: longest.to_string(),
                },
            ));
        }
        for (field, series, kind) in [
            (
                "invoice_series",
                &self.invoice_series,
                DocumentType::Invoice,
            ),
            (
                "credit_note_series",
                &self.credit_note_series,
                DocumentType::CreditNote,
            ),
        ] {
            series.validate().map_err(|e| e.within(field))?;
            if series.document_type != kind || series.branch.is_some() {
                return Err(ValidationError::new(
                    format!("{field}.document_type"),
                    Rule::Matches {
                        expected: format!(
                            "a {kind:?} series without a branch (device series are leased)"
                        )
                        .to_lowercase(),
                    },
                ));
            }
        }
        if self.invoice_series.prefix == self.credit_note_series.prefix {
            return Err(ValidationError::new(
                "credit_note_series.prefix",
                Rule::Matches {
                    expected: "different from the invoice series' prefix".into(),
                },
            ));
        }
        if self.tax_rates.len() > Self::MAX_TAX_RATES {
            return Err(ValidationError::new(
                "tax_rates",
                Rule::Range {
                    min: "0".into(),
                    max: Self::MAX_TAX_RATES.to_string(),
                },
            ));
        }
        for (i, option) in self.tax_rates.iter().enumerate() {
            required_text("name", &option.name, 100)
                .map_err(|e| e.within(&format!("tax_rates[{i}]")))?;
            option
                .category
                .check_rate(option.rate, &format!("tax_rates[{i}].rate"))?;
        }
        self.terms.validate()?;
        self.validate_terms_options()?;
        if let Some(account) = &self.bank_account {
            account.validate().map_err(|e| e.within("bank_account"))?;
        }
        if !self.payment_means_code.is_empty() {
            check_payment_means("payment_means_code", &self.payment_means_code)?;
        }
        self.dunning.validate().map_err(|e| e.within("dunning"))?;
        Ok(())
    }

    fn validate_terms_options(&self) -> Result<(), ValidationError> {
        if self.payment_terms.len() > Self::MAX_TERMS_OPTIONS {
            return Err(ValidationError::new(
                "payment_terms",
                Rule::Range {
                    min: "0".into(),
                    max: Self::MAX_TERMS_OPTIONS.to_string(),
                },
            ));
        }
        for (i, option) in self.payment_terms.iter().enumerate() {
            let within = |e: ValidationError| e.within(&format!("payment_terms[{i}]"));
            required_text("name", &option.name, 100).map_err(within)?;
            option
                .plan
                .validate()
                .map_err(|e| within(e.within("plan")))?;
        }
        Ok(())
    }

    /// Whether `date` falls in the closed period.
    pub fn is_locked(&self, date: NaiveDate) -> bool {
        self.period_locked_until.is_some_and(|until| date <= until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn org() -> OrganisationId {
        OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap()
    }

    #[test]
    fn a_new_organisation_starts_with_valid_settings() {
        let settings = Settings::initial(org(), "Nordlys AS");
        assert_eq!(settings.validate(), Ok(()));
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(
            settings.invoice_series.format(date, 1).unwrap().as_str(),
            "INV-2026-000001"
        );
    }

    #[test]
    fn settings_name_the_field_that_breaks_a_rule() {
        type Edit = fn(&mut Settings);
        let cases: [(Edit, &str); 10] = [
            (
                |s| {
                    s.bank_account = Some(BankAccount {
                        iban: "NO9386011117948".into(),
                        bic: String::new(),
                        name: "Nordlys AS".into(),
                    })
                },
                "bank_account.iban",
            ),
            (|s| s.payment_means_code = "99".into(), "payment_means_code"),
            (
                |s| {
                    s.payment_terms.push(TermsOption {
                        name: " ".into(),
                        plan: PaymentPlan::single(PaymentTerms::Net { days: 30 }),
                    })
                },
                "payment_terms[0].name",
            ),
            (
                |s| {
                    s.payment_terms.push(TermsOption {
                        name: "Net 400".into(),
                        plan: PaymentPlan::single(PaymentTerms::Net { days: 400 }),
                    })
                },
                "payment_terms[0].plan.instalments[0].terms.days",
            ),
            (|s| s.seller.name.clear(), "seller.name"),
            (|s| s.invoice_series.width = 0, "invoice_series.width"),
            (
                |s| s.credit_note_series.prefix = "INV".into(),
                "credit_note_series.prefix",
            ),
            (
                |s| s.invoice_series.branch = Some("L1".into()),
                "invoice_series.document_type",
            ),
            (
                |s| {
                    s.tax_rates.push(TaxRateOption {
                        name: "Exempt".into(),
                        category: TaxCategory::E,
                        rate: TaxRate::new(Decimal::new(19, 0)).unwrap(),
                    })
                },
                "tax_rates[0].rate",
            ),
            (
                |s| {
                    s.tax_rates.push(TaxRateOption {
                        name: "Standard".into(),
                        category: TaxCategory::S,
                        rate: TaxRate::new(Decimal::ZERO).unwrap(),
                    })
                },
                "tax_rates[0].rate",
            ),
        ];
        for (edit, field) in cases {
            let mut settings = Settings::initial(org(), "Nordlys AS");
            edit(&mut settings);
            assert_eq!(settings.validate().unwrap_err().field, field);
        }
    }

    #[test]
    fn the_closed_period_includes_its_last_day() {
        let mut settings = Settings::initial(org(), "Nordlys AS");
        let day = |d| NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
        assert!(!settings.is_locked(day(31)));
        settings.period_locked_until = Some(day(31));
        assert!(settings.is_locked(day(31)));
        assert!(!settings.is_locked(day(31).succ_opt().unwrap()));
    }
}

/// The least contrast a brand colour must have against white: WCAG 2's AA for text (4.5:1), since the
/// portal writes its links in it.
pub const BRAND_CONTRAST: f64 = 4.5;

/// A brand colour is `#rrggbb`, dark enough for links on white. (Colour is no money: the contrast is a
/// ratio of luminances, in floating point as WCAG defines it.)
pub fn brand_colour_rule(colour: &str) -> Result<(), ValidationError> {
    let field = "brand_colour";
    let hex = colour
        .strip_prefix('#')
        .filter(|h| h.len() == 6 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| {
            ValidationError::new(
                field,
                Rule::Format {
                    detail: "a colour as #rrggbb".into(),
                },
            )
        })?;
    let channel = |i: usize| {
        let value = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0)) / 255.0;
        if value <= 0.039_28 {
            value / 12.92
        } else {
            ((value + 0.055) / 1.055).powf(2.4)
        }
    };
    let luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
    let contrast = 1.05 / (luminance + 0.05);
    if contrast < BRAND_CONTRAST {
        return Err(ValidationError::new(
            field,
            Rule::Matches {
                expected: format!(
                    "a colour dark enough to read on white (contrast {contrast:.1}:1, at least {BRAND_CONTRAST}:1)"
                ),
            },
        ));
    }
    Ok(())
}

#[cfg(test)]
mod portal_settings_tests {
    use super::*;

    #[test]
    fn a_brand_colour_is_hex_and_reads_on_white() {
        let table = [
            ("#1f4f8f", true),
            ("#000000", true),
            ("#767676", true),
            ("#777777", false),
            ("#ffcc00", false),
            ("#FFFFFF", false),
            ("1f4f8f", false),
            ("#1f4f8", false),
            ("#1g4f8f", false),
            ("#1f4f8f; color: red", false),
        ];
        for (colour, allowed) in table {
            let checked = brand_colour_rule(colour);
            assert_eq!(checked.is_ok(), allowed, "{colour}: {checked:?}");
            if let Err(e) = checked {
                assert_eq!(e.field, "brand_colour");
            }
        }
    }

    #[test]
    fn a_portal_link_lives_a_day_to_the_longest_lifetime() {
        let mut settings = Settings::initial(crate::fixtures::organisation_id(), "Fjord AS");
        for (days, allowed) in [(1, true), (30, true), (400, true), (0, false), (401, false)] {
            settings.portal_link_days = Some(days);
            let checked = settings.validate();
            assert_eq!(checked.is_ok(), allowed, "{days}");
            if let Err(e) = checked {
                assert_eq!(e.field, "portal_link_days");
            }
        }
    }

    #[test]
    fn settings_saved_before_the_portal_fields_still_read() {
        let mut earlier = serde_json::to_value(Settings::initial(
            crate::fixtures::organisation_id(),
            "Fjord Consulting AS",
        ))
        .unwrap();
        earlier.as_object_mut().unwrap().remove("brand_colour");
        earlier.as_object_mut().unwrap().remove("portal_link_days");
        let settings: Settings = serde_json::from_value(earlier).unwrap();
        assert_eq!(
            (&settings.brand_colour, settings.portal_link_days),
            (&None, None)
        );
        assert!(settings.validate().is_ok());
    }
}
