//! VAT categories and rates (EN 16931 BT-151/BT-152, code list UNCL5305).

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::validation::{Rule, ValidationError};

/// The VAT category of a line or a document-level allowance or charge: every code of the EN 16931 list
/// (UNCL5305 subset, checked by BR-CL-18). Each category's rules are in [`TaxCategory::rules`].
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
    /// Transferred VAT (Italian split payment, "scissione dei pagamenti"): the VAT is charged at the
    /// domestic rate and stated on the invoice (BT-110, BT-112, BT-115 as EN 16931 computes them); Italian
    /// law has the public buyer pay it to the treasury rather than to the seller.
    B,
}

/// What rate a category takes (the category's rule -05 in EN 16931).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateRule {
    /// Above zero (BR-S-05).
    Positive,
    /// Zero or above (IGIC and IPSI: BR-AF-05, BR-AG-05).
    NotNegative,
    /// Exactly zero (BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05).
    Zero,
    /// No rate at all (BR-O-05); Remit stores 0 and writes none.
    None,
}

/// Whether a VAT exemption reason (BT-120 text or BT-121 VATEX code) goes with the category (rule -10).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExemptionRule {
    /// The category must state why no VAT is charged.
    Required,
    /// The category charges VAT and must not state an exemption.
    Forbidden,
}

/// The rules of one VAT category, with the EN 16931 rules they come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategoryRules {
    pub category: TaxCategory,
    /// What the category means, in words a billing officer knows.
    pub doc: &'static str,
    pub rate: RateRule,
    /// The rule a wrong rate breaks, `None` where EN 16931 has none (B: Remit's own rule).
    pub rate_rule: Option<&'static str>,
    pub exemption: ExemptionRule,
    pub exemption_rule: Option<&'static str>,
    /// The breakdown rules -08 (taxable amount) and -09 (tax amount), where EN 16931 has them.
    pub breakdown_rules: Option<(&'static str, &'static str)>,
}

const fn rules(
    category: TaxCategory,
    doc: &'static str,
    rate: RateRule,
    exemption: ExemptionRule,
    prefix: Option<[&'static str; 4]>,
) -> CategoryRules {
    let (rate_rule, exemption_rule, breakdown_rules) = match prefix {
        Some([r05, r10, r08, r09]) => (Some(r05), Some(r10), Some((r08, r09))),
        None => (None, None, None),
    };
    CategoryRules {
        category,
        doc,
        rate,
        rate_rule,
        exemption,
        exemption_rule,
        breakdown_rules,
    }
}

use ExemptionRule::{Forbidden, Required};

/// Every category's rules, in [`TaxCategory::ALL`] order.
const RULES: [CategoryRules; 10] = [
    rules(
        TaxCategory::S,
        "Standard rate",
        RateRule::Positive,
        Forbidden,
        Some(["BR-S-05", "BR-S-10", "BR-S-08", "BR-S-09"]),
    ),
    rules(
        TaxCategory::Z,
        "Zero rated goods",
        RateRule::Zero,
        Forbidden,
        Some(["BR-Z-05", "BR-Z-10", "BR-Z-08", "BR-Z-09"]),
    ),
    rules(
        TaxCategory::E,
        "Exempt from VAT",
        RateRule::Zero,
        Required,
        Some(["BR-E-05", "BR-E-10", "BR-E-08", "BR-E-09"]),
    ),
    rules(
        TaxCategory::AE,
        "VAT reverse charge: the buyer accounts for the VAT",
        RateRule::Zero,
        Required,
        Some(["BR-AE-05", "BR-AE-10", "BR-AE-08", "BR-AE-09"]),
    ),
    rules(
        TaxCategory::K,
        "Intra-community supply, VAT exempt in the EEA",
        RateRule::Zero,
        Required,
        Some(["BR-IC-05", "BR-IC-10", "BR-IC-08", "BR-IC-09"]),
    ),
    rules(
        TaxCategory::G,
        "Free export item, VAT not charged",
        RateRule::Zero,
        Required,
        Some(["BR-G-05", "BR-G-10", "BR-G-08", "BR-G-09"]),
    ),
    rules(
        TaxCategory::O,
        "Outside the scope of VAT",
        RateRule::None,
        Required,
        Some(["BR-O-05", "BR-O-10", "BR-O-08", "BR-O-09"]),
    ),
    rules(
        TaxCategory::L,
        "Canary Islands general indirect tax (IGIC)",
        RateRule::NotNegative,
        Forbidden,
        Some(["BR-AF-05", "BR-AF-10", "BR-AF-08", "BR-AF-09"]),
    ),
    rules(
        TaxCategory::M,
        "Ceuta and Melilla production, services and import tax (IPSI)",
        RateRule::NotNegative,
        Forbidden,
        Some(["BR-AG-05", "BR-AG-10", "BR-AG-08", "BR-AG-09"]),
    ),
    rules(
        TaxCategory::B,
        "Transferred VAT (Italian split payment): the buyer pays the VAT to the treasury",
        RateRule::Positive,
        Forbidden,
        None,
    ),
];

impl TaxCategory {
    pub const ALL: [TaxCategory; 10] = [
        TaxCategory::S,
        TaxCategory::Z,
        TaxCategory::E,
        TaxCategory::AE,
        TaxCategory::K,
        TaxCategory::G,
        TaxCategory::O,
        TaxCategory::L,
        TaxCategory::M,
        TaxCategory::B,
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
            TaxCategory::B => "B",
        }
    }

    /// The category's rules (rate, exemption reason, the EN 16931 rules they come from).
    pub fn rules(self) -> &'static CategoryRules {
        let i = Self::ALL
            .iter()
            .position(|c| *c == self)
            .unwrap_or_default();
        &RULES[i]
    }

    pub fn parse(code: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|c| c.code().eq_ignore_ascii_case(code.trim()))
            .ok_or_else(|| {
                ValidationError::new(
                    "tax_category",
                    Rule::Format {
                        detail: "one of S, Z, E, AE, K, G, O, L, M, B".into(),
                    },
                )
            })
    }

    /// Whether the category must have a rate of zero (BR-Z-05, BR-E-05, BR-AE-05, BR-IC-05, BR-G-05);
    /// O carries no rate at all (BR-O-05) and is stored with zero.
    pub fn requires_zero_rate(self) -> bool {
        matches!(self.rules().rate, RateRule::Zero | RateRule::None)
    }

    /// Whether the category needs an exemption reason (BT-120/BT-121).
    pub fn requires_exemption(self) -> bool {
        self.rules().exemption == ExemptionRule::Required
    }

    /// Checks that `rate` may go with this category; `field` names the rate in the error, which names
    /// the broken rule.
    pub fn check_rate(self, rate: TaxRate, field: &str) -> Result<(), ValidationError> {
        let rules = self.rules();
        let cite = |text: &str| match rules.rate_rule {
            Some(rule) => format!("{text} for VAT category {self} ({rule})"),
            None => format!("{text} for VAT category {self}"),
        };
        let percent = rate.percent();
        let broken = match rules.rate {
            RateRule::Positive if percent <= Decimal::ZERO => Some("greater than zero"),
            RateRule::Zero | RateRule::None if !percent.is_zero() => Some("0"),
            _ => None,
        };
        match broken {
            Some(text) => Err(ValidationError::new(
                field,
                Rule::Matches {
                    expected: cite(text),
                },
            )),
            None => Ok(()),
        }
    }

    /// Checks that an exemption reason is given where the category needs one and absent where it
    /// charges VAT; `present` says whether a reason code or text was given.
    pub fn check_exemption(self, present: bool, field: &str) -> Result<(), ValidationError> {
        let rules = self.rules();
        let rule = rules
            .exemption_rule
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        match (rules.exemption, present) {
            (ExemptionRule::Required, false) => Err(ValidationError::new(
                field,
                Rule::Matches {
                    expected: format!("an exemption reason for VAT category {self}{rule}"),
                },
            )),
            (ExemptionRule::Forbidden, true) => Err(ValidationError::new(
                field,
                Rule::Matches {
                    expected: format!("empty for VAT category {self}, which charges VAT{rule}"),
                },
            )),
            _ => Ok(()),
        }
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
    fn each_category_has_its_rules_in_one_table() {
        // (category, positive rate ok, zero rate ok, exemption required)
        let table = [
            (TaxCategory::S, true, false, false),
            (TaxCategory::Z, false, true, false),
            (TaxCategory::E, false, true, true),
            (TaxCategory::AE, false, true, true),
            (TaxCategory::K, false, true, true),
            (TaxCategory::G, false, true, true),
            (TaxCategory::O, false, true, true),
            (TaxCategory::L, true, true, false),
            (TaxCategory::M, true, true, false),
            (TaxCategory::B, true, false, false),
        ];
        assert_eq!(table.len(), TaxCategory::ALL.len());
        let nineteen = TaxRate::new(dec!(19)).unwrap();
        let zero = TaxRate::new(dec!(0)).unwrap();
        for (category, positive, zero_ok, exemption) in table {
            assert_eq!(category.rules().category, category);
            assert!(!category.rules().doc.is_empty());
            assert_eq!(
                category.check_rate(nineteen, "r").is_ok(),
                positive,
                "{category}"
            );
            assert_eq!(
                category.check_rate(zero, "r").is_ok(),
                zero_ok,
                "{category}"
            );
            assert_eq!(category.requires_exemption(), exemption, "{category}");
            assert_eq!(category.check_exemption(exemption, "x"), Ok(()));
            assert_eq!(
                category.check_exemption(!exemption, "x").unwrap_err().field,
                "x"
            );
        }
    }

    #[test]
    fn standard_rate_at_zero_names_the_field_and_the_rule() {
        let err = TaxCategory::S
            .check_rate(TaxRate::new(dec!(0)).unwrap(), "lines[1].tax_rate")
            .unwrap_err();
        assert_eq!(err.field, "lines[1].tax_rate");
        assert_eq!(
            err.rule,
            Rule::Matches {
                expected: "greater than zero for VAT category S (BR-S-05)".into()
            }
        );
        let err = TaxCategory::E
            .check_exemption(false, "lines[0].exemption")
            .unwrap_err();
        assert_eq!(
            err.rule,
            Rule::Matches {
                expected: "an exemption reason for VAT category E (BR-E-10)".into()
            }
        );
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
