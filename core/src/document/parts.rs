//! The parts of a draft beyond quantity and price: allowances and charges, exemption reasons, periods
//! and delivery. Each checks its own rules; [`super::InvoiceDraft::validate`] names where it sits.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::en16931::{AllowanceCharge, VatClass};
use crate::tax::{TaxCategory, TaxRate};
use crate::validation::{Rule, ValidationError, optional_text};

/// Whether an adjustment lowers (allowance, UNCL5189 reason codes) or raises (charge, UNCL7161) the
/// amount it applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Allowance,
    Charge,
}

impl Side {
    /// UNCL5189 allowance reasons (`95` discount, BR-CL-19); UNCL7161 charge reasons (`FC` freight,
    /// BR-CL-20), as far as EN 16931 accepts them.
    fn code_ok(self, code: &str) -> bool {
        match self {
            Side::Allowance => crate::codes::is_allowance_reason(code),
            Side::Charge => crate::codes::is_charge_reason(code),
        }
    }

    fn code_list(self) -> &'static str {
        match self {
            Side::Allowance => "a UNCL5189 allowance reason code such as 95 (BR-CL-19)",
            Side::Charge => "a UNCL7161 charge reason code such as FC (BR-CL-20)",
        }
    }
}

/// A line allowance (BG-27) or charge (BG-28): a fixed amount or a percentage of the line amount
/// (quantity × price ÷ base quantity), with a reason code, a reason text, or both (BR-42, BR-44).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Adjustment {
    /// BT-136 / BT-141, never negative (BR-41, BR-43 require an amount; a percentage yields one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// BT-138 / BT-143, in percent of the line amount.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Decimal>,
    /// BT-140 / BT-145.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason_code: String,
    /// BT-139 / BT-144.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

impl Adjustment {
    pub const MAX_REASON: usize = 200;

    /// Exactly one of amount and percent, not negative; a reason code or text.
    pub fn validate(&self, side: Side) -> Result<(), ValidationError> {
        match (self.amount, self.percent) {
            (Some(_), Some(_)) => {
                return Err(ValidationError::new(
                    "percent",
                    Rule::Matches {
                        expected: "empty when an amount is given".into(),
                    },
                ));
            }
            (None, None) => return Err(ValidationError::new("amount", Rule::Required)),
            (Some(amount), None) if amount < Decimal::ZERO => {
                return Err(ValidationError::new("amount", Rule::NotNegative));
            }
            (None, Some(percent)) if !(Decimal::ZERO..=Decimal::ONE_HUNDRED).contains(&percent) => {
                return Err(ValidationError::new(
                    "percent",
                    Rule::Range {
                        min: "0".into(),
                        max: "100".into(),
                    },
                ));
            }
            _ => {}
        }
        let code = self.reason_code.trim();
        if code.is_empty() && self.reason.trim().is_empty() {
            return Err(ValidationError::new(
                "reason",
                Rule::Matches {
                    expected: match side {
                        Side::Allowance => "a reason or a reason code (BR-42)",
                        Side::Charge => "a reason or a reason code (BR-44)",
                    }
                    .into(),
                },
            ));
        }
        if !code.is_empty() && !side.code_ok(code) {
            return Err(ValidationError::new(
                "reason_code",
                Rule::Format {
                    detail: side.code_list().into(),
                },
            ));
        }
        optional_text("reason", &self.reason, Self::MAX_REASON)
    }

    /// In the standard's terms; a percentage is taken of `base` (the line amount when `None`).
    pub fn to_allowance_charge(
        &self,
        base: Option<Decimal>,
        vat: Option<VatClass>,
    ) -> AllowanceCharge {
        AllowanceCharge {
            amount: self.amount,
            base: self.percent.and(base),
            percent: self.percent,
            reason: self.reason.clone(),
            reason_code: self.reason_code.clone(),
            vat,
        }
    }
}

/// A document-level allowance (BG-20) or charge (BG-21): an [`Adjustment`] in one VAT category and
/// rate (BT-95/96, BT-102/103). A percentage is taken of the line nets in that category and rate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocumentAdjustment {
    pub adjustment: Adjustment,
    pub tax_category: TaxCategory,
    pub tax_rate: TaxRate,
}

impl DocumentAdjustment {
    pub fn validate(&self, side: Side) -> Result<(), ValidationError> {
        self.adjustment
            .validate(side)
            .map_err(|e| e.within("adjustment"))?;
        self.tax_category.check_rate(self.tax_rate, "tax_rate")
    }

    /// The VAT class the engine groups it under.
    pub fn vat(&self) -> VatClass {
        VatClass {
            category: self.tax_category,
            rate: Some(self.tax_rate),
        }
    }
}

/// Why a line charges no VAT (BT-120 text, BT-121 VATEX code such as `VATEX-EU-132-1I`), where its
/// category needs a reason.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Exemption {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub text: String,
}

impl Exemption {
    pub const MAX_TEXT: usize = 500;

    pub fn is_empty(&self) -> bool {
        self.code.trim().is_empty() && self.text.trim().is_empty()
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        let code = self.code.trim();
        let vatex = code.len() <= 30
            && code.starts_with("VATEX-")
            && code[6..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-');
        if !code.is_empty() && !vatex {
            return Err(ValidationError::new(
                "code",
                Rule::Format {
                    detail: "a VATEX code such as VATEX-EU-132-1I".into(),
                },
            ));
        }
        optional_text("text", &self.text, Self::MAX_TEXT)
    }

    /// The text printed as BT-120: the text when given, otherwise the code.
    pub fn reason(&self) -> String {
        if self.text.trim().is_empty() {
            self.code.trim().to_owned()
        } else {
            self.text.clone()
        }
    }
}

/// A period of days, both included (BG-26 for a line, BG-14 for the document).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub start: NaiveDate,
    pub end: NaiveDate,
}

impl Period {
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.end < self.start {
            return Err(ValidationError::new(
                "end",
                Rule::Matches {
                    expected: "on or after the start".into(),
                },
            ));
        }
        Ok(())
    }
}

/// When the goods or services were delivered: a day (BT-72), a period (BG-14), or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Delivery {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<Period>,
}

impl Delivery {
    pub fn validate(&self) -> Result<(), ValidationError> {
        match (self.date, self.period) {
            (None, None) => Err(ValidationError::new("date", Rule::Required)),
            (_, Some(period)) => period.validate().map_err(|e| e.within("period")),
            (Some(_), None) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn adj(
        amount: Option<Decimal>,
        percent: Option<Decimal>,
        code: &str,
        reason: &str,
    ) -> Adjustment {
        Adjustment {
            amount,
            percent,
            reason_code: code.into(),
            reason: reason.into(),
        }
    }

    #[test]
    fn an_adjustment_names_the_field_that_breaks_a_rule() {
        let cases = [
            (adj(Some(dec!(5)), None, "95", ""), Side::Allowance, None),
            (
                adj(None, Some(dec!(3)), "", "Volume"),
                Side::Allowance,
                None,
            ),
            (
                adj(Some(dec!(5)), None, "FC", "Freight"),
                Side::Charge,
                None,
            ),
            (adj(None, None, "95", ""), Side::Allowance, Some("amount")),
            (
                adj(Some(dec!(1)), Some(dec!(1)), "95", ""),
                Side::Allowance,
                Some("percent"),
            ),
            (
                adj(Some(dec!(-1)), None, "95", ""),
                Side::Allowance,
                Some("amount"),
            ),
            (
                adj(None, Some(dec!(101)), "95", ""),
                Side::Allowance,
                Some("percent"),
            ),
            (
                adj(Some(dec!(1)), None, "", " "),
                Side::Allowance,
                Some("reason"),
            ),
            (
                adj(Some(dec!(1)), None, "FC", ""),
                Side::Allowance,
                Some("reason_code"),
            ),
            (
                adj(Some(dec!(1)), None, "95", ""),
                Side::Charge,
                Some("reason_code"),
            ),
        ];
        for (a, side, field) in cases {
            let got = a.validate(side).err().map(|e| e.field);
            assert_eq!(got.as_deref(), field, "{a:?}");
        }
    }

    #[test]
    fn exemptions_periods_and_deliveries_check_their_shape() {
        let ok = Exemption {
            code: "VATEX-EU-132-1I".into(),
            text: String::new(),
        };
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(ok.reason(), "VATEX-EU-132-1I");
        let bad = Exemption {
            code: "132".into(),
            text: "Medical care".into(),
        };
        assert_eq!(bad.validate().unwrap_err().field, "code");
        assert_eq!(bad.reason(), "Medical care");
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        let backwards = Period {
            start: day(2),
            end: day(1),
        };
        assert_eq!(backwards.validate().unwrap_err().field, "end");
        let delivery = Delivery {
            date: None,
            period: Some(backwards),
        };
        assert_eq!(delivery.validate().unwrap_err().field, "period.end");
        assert_eq!(Delivery::default().validate().unwrap_err().field, "date");
    }
}
