//! Late fees: what a customer is charged for paying late.
//!
//! A fee is decided here and becomes its own numbered fee invoice ([`super::account::EntryKind::FeeInvoice`]);
//! the late invoice itself is never edited.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::OpenItem;
use crate::money::{Money, Rounding};
use crate::validation::{Rule, ValidationError};

/// How days are turned into a fraction of a year for interest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayCount {
    /// Actual days ÷ 365, leap years included (the usual convention for statutory late-payment interest).
    #[default]
    Actual365Fixed,
    /// Actual days ÷ 360.
    Actual360,
}

impl DayCount {
    fn year_days(self) -> Decimal {
        match self {
            DayCount::Actual365Fixed => Decimal::from(365),
            DayCount::Actual360 => Decimal::from(360),
        }
    }
}

/// What is charged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LateFeeRule {
    /// A fixed amount in the item's currency.
    Flat { amount: Decimal },
    /// A percentage of the open amount.
    Percent { percent: Decimal },
    /// Simple annual interest on the open amount, accrued daily from the due date. In the EU the B2B
    /// statutory rate is the central bank reference rate plus 8 percentage points.
    AnnualInterest {
        percent: Decimal,
        day_count: DayCount,
    },
}

/// A late-fee rule with its grace period: nothing is charged while the item is at most `grace_days`
/// late. Once past it, interest counts from the due date itself, as statutory interest does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateFeePolicy {
    pub rule: LateFeeRule,
    pub grace_days: u32,
}

impl LateFeePolicy {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let (field, value) = match self.rule {
            LateFeeRule::Flat { amount } => ("rule.amount", amount),
            LateFeeRule::Percent { percent } | LateFeeRule::AnnualInterest { percent, .. } => {
                ("rule.percent", percent)
            }
        };
        if value < Decimal::ZERO {
            return Err(ValidationError::new(field, Rule::NotNegative));
        }
        Ok(())
    }

    /// The fee due on `item` as of `today`; `None` when nothing is owed (not late past grace, settled,
    /// disputed, or a zero fee).
    pub fn fee(&self, item: &OpenItem, today: NaiveDate) -> Result<Option<Money>, ValidationError> {
        self.validate()?;
        let late = item.days_overdue(today);
        if item.is_settled() || item.disputed || late <= i64::from(self.grace_days) {
            return Ok(None);
        }
        let currency = item.open.currency();
        let overflow = || ValidationError::new("fee", Rule::Overflow);
        let hundred = Decimal::ONE_HUNDRED;
        let amount = match self.rule {
            LateFeeRule::Flat { amount } => amount,
            LateFeeRule::Percent { percent } => item
                .open
                .amount()
                .checked_mul(percent)
                .and_then(|a| a.checked_div(hundred))
                .ok_or_else(overflow)?,
            LateFeeRule::AnnualInterest { percent, day_count } => item
                .open
                .amount()
                .checked_mul(percent)
                .and_then(|a| a.checked_mul(Decimal::from(late)))
                .and_then(|a| a.checked_div(hundred))
                .and_then(|a| a.checked_div(day_count.year_days()))
                .ok_or_else(overflow)?,
        };
        let fee = Money::rounded(amount, currency, Rounding::HalfAwayFromZero);
        Ok((!fee.is_zero()).then_some(fee))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::InvoiceId;
    use crate::money::Currency;
    use crate::receivables::ItemRef;
    use rust_decimal_macros::dec;

    fn item(open: &str, days_late: i64) -> OpenItem {
        let today = NaiveDate::from_ymd_opt(2026, 6, 30).unwrap();
        let open = Money::parse(open, Currency::parse("EUR").unwrap()).unwrap();
        OpenItem {
            item: ItemRef {
                invoice_id: InvoiceId::parse("019a4d5e-0000-7000-8000-000000000701").unwrap(),
                instalment: 0,
            },
            number: "INV-1".into(),
            issue_date: today - chrono::TimeDelta::days(days_late + 30),
            due_date: today - chrono::TimeDelta::days(days_late),
            amount: open,
            open,
            discount: None,
            disputed: false,
        }
    }

    fn fee(rule: LateFeeRule, grace: u32, open: &str, late: i64) -> Option<Decimal> {
        let policy = LateFeePolicy {
            rule,
            grace_days: grace,
        };
        policy
            .fee(
                &item(open, late),
                NaiveDate::from_ymd_opt(2026, 6, 30).unwrap(),
            )
            .unwrap()
            .map(|m| m.amount())
    }

    #[test]
    fn fees_are_flat_percent_or_daily_interest_after_grace() {
        let flat = LateFeeRule::Flat { amount: dec!(40) };
        let percent = LateFeeRule::Percent { percent: dec!(1.5) };
        // 10,000.00 at 12.15 % a year (4.15 % reference + 8 points), 30 days, Actual/365:
        // 10000 × 0.1215 × 30 / 365 = 99.863… → 99.86.
        let interest = LateFeeRule::AnnualInterest {
            percent: dec!(12.15),
            day_count: DayCount::Actual365Fixed,
        };
        let interest_360 = LateFeeRule::AnnualInterest {
            percent: dec!(12.15),
            day_count: DayCount::Actual360,
        };
        assert_eq!(fee(flat, 5, "100", 5), None, "within grace");
        assert_eq!(fee(flat, 5, "100", 6), Some(dec!(40.00)));
        assert_eq!(fee(percent, 0, "1234.56", 1), Some(dec!(18.52)));
        assert_eq!(fee(interest, 0, "10000", 30), Some(dec!(99.86)));
        assert_eq!(
            fee(interest, 14, "10000", 30),
            Some(dec!(99.86)),
            "interest counts from the due date"
        );
        assert_eq!(fee(interest_360, 0, "10000", 30), Some(dec!(101.25)));
        assert_eq!(fee(interest, 0, "10000", 0), None);
    }

    #[test]
    fn a_negative_rule_is_refused() {
        let policy = LateFeePolicy {
            rule: LateFeeRule::Percent { percent: dec!(-1) },
            grace_days: 0,
        };
        assert_eq!(policy.validate().unwrap_err().field, "rule.percent");
    }
}
