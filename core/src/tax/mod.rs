//! VAT categories and rates (EN 16931 BT-151/BT-152, code list UNCL5305).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::validation::{Rule, ValidationError};

/// The VAT category of a line or a document-level allowance or charge (UNCL5305 subset used by EN 16931).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
pub enum TaxCategory {
    /// Standard rate.
    #[default]
    S,
    /// Zero rated goods.
    Z,
    /// Exempt from tax.
    E,
    /// VAT reverse charge.
    AE,
    /// Intra-community supply (VAT exempt for EEA).
    K,
    /// Free export item, tax not charged.
    G,
    /// Services outside the scope of tax.
    O,
    /// Canary Islands general indirect tax (IGIC).
    L,
    /// Tax for production, services and importation in Ceuta and Melilla (IPSI).
    M,
}

impl TaxCategory {
    pub const ALL: [TaxCategory; 9] = [
        TaxCategory::S,
        TaxCategory::Z,
        TaxCategory::E,
        TaxCategory::AE,
        TaxCategory::K,
        TaxCategory::G,
        TaxCategory::O,
        TaxCategory::L,
        TaxCategory::M,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TaxCategory::S => "S",
            TaxCategory::Z => "Z",
            TaxCategory::E => "E",
            TaxCategory::AE => "AE",
            TaxCategory::K => "K",
            TaxCategory::G => "G",
            TaxCategory::O => "O",
            TaxCategory::L => "L",
            TaxCategory::M => "M",
        }
    }

    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
            .ok_or_else(|| {
                ValidationError::new(
                    "tax_category",
                    Rule::Format {
                        detail: "one of S, Z, E, AE, K, G, O, L, M".into(),
                    },
                )
            })
    }

    /// Whether the category carries a positive rate (S, L, M) or must have a rate of zero (BR-Z-05,
    /// BR-E-05, BR-AE-05, BR-IC-05, BR-G-05); O carries no rate at all (BR-O-05).
    pub fn requires_zero_rate(self) -> bool {
        !matches!(self, TaxCategory::S | TaxCategory::L | TaxCategory::M)
    }

    /// Checks that `rate` may go with this category; `field` names the rate in the error.
    pub fn check_rate(self, rate: TaxRate, field: &str) -> Result<(), ValidationError> {
        if self.requires_zero_rate() && !rate.percent().is_zero() {
            return Err(ValidationError::new(
                field,
                Rule::Matches {
                    expected: format!("0 for VAT category {self}"),
                },
            ));
        }
        Ok(())
    }
}

impl fmt::Display for TaxCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A VAT rate in percent (19 means 19 %), between 0 and 100 inclusive, at most four decimals.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Serialize, Deserialize,
)]
#[serde(try_from = "Decimal", into = "Decimal")]
pub struct TaxRate(Decimal);

impl TaxRate {
    pub const MAX_DECIMALS: u32 = 4;

    pub fn new(percent: Decimal) -> Result<Self, ValidationError> {
        let percent = percent.normalize();
        if percent < Decimal::ZERO || percent > Decimal::ONE_HUNDRED {
            return Err(ValidationError::new(
                "tax_rate",
                Rule::Range {
                    min: "0".into(),
                    max: "100".into(),
                },
            ));
        }
        if percent.scale() > Self::MAX_DECIMALS {
            return Err(ValidationError::new(
                "tax_rate",
                Rule::Format {
                    detail: format!("at most {} decimals", Self::MAX_DECIMALS),
                },
            ));
        }
        Ok(Self(percent))
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let percent = Decimal::from_str(text.trim())
            .map_err(|_| ValidationError::new("tax_rate", Rule::Decimal))?;
        Self::new(percent)
    }

    pub fn percent(self) -> Decimal {
        self.0
    }

    /// The unrounded tax on `base`: base × rate / 100. `None` on overflow.
    pub fn tax_on(self, base: Decimal) -> Option<Decimal> {
        base.checked_mul(self.0)?.checked_div(Decimal::ONE_HUNDRED)
    }
}

impl TryFrom<Decimal> for TaxRate {
    type Error = ValidationError;

    fn try_from(d: Decimal) -> Result<Self, Self::Error> {
        TaxRate::new(d)
    }
}

impl From<TaxRate> for Decimal {
    fn from(r: TaxRate) -> Decimal {
        r.0
    }
}

impl fmt::Display for TaxRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn categories_read_and_write_their_uncl5305_codes() {
        for c in TaxCategory::ALL {
            assert_eq!(TaxCategory::parse(c.code()).unwrap(), c);
            assert_eq!(
                serde_json::to_string(&c).unwrap(),
                format!("\"{}\"", c.code())
            );
        }
        assert_eq!(TaxCategory::parse("ae").unwrap(), TaxCategory::AE);
        assert_eq!(TaxCategory::parse("X").unwrap_err().field, "tax_category");
    }

    #[test]
    fn rates_are_percentages_within_bounds() {
        assert_eq!(TaxRate::parse("19").unwrap().percent(), dec!(19));
        assert_eq!(TaxRate::parse("7.70").unwrap().percent(), dec!(7.7));
        assert!(TaxRate::parse("-1").is_err());
        assert!(TaxRate::parse("100.01").is_err());
        assert!(TaxRate::parse("19.12345").is_err());
        assert_eq!(TaxRate::parse("abc").unwrap_err().rule, Rule::Decimal);
    }

    #[test]
    fn tax_on_a_base_is_exact_and_unrounded() {
        assert_eq!(
            TaxRate::parse("19").unwrap().tax_on(dec!(29.97)),
            Some(dec!(5.6943))
        );
    }
}
