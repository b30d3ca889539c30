//! Payment terms: when an invoice falls due.
//!
//! Dates are calendar dates in the organisation's time zone; the shell computes "today" there and passes
//! it in. Nothing here reads a clock.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize};

use crate::validation::{Rule, ValidationError};
use crate::wire::{self, Fields};

/// When an invoice is due, relative to its issue date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PaymentTerms {
    /// Due on the issue date.
    DueOnReceipt,
    /// Due `days` after the issue date ("net 30").
    Net { days: u16 },
    /// Due `days` after the last day of the issue date's month ("net 30 EOM": an invoice of 2026-01-15
    /// is due 2026-03-02, the 31st of January plus 30 days).
    NetEndOfMonth { days: u16 },
    /// Due on the last day of the month after the issue date's month ("end of following month", what
    /// some businesses mean by EOM — a separate, named rule rather than a reinterpretation of the other).
    EndOfFollowingMonth,
    /// Due on `day` of the month after the issue date's month; a day the month lacks becomes its last day
    /// (the 31st in February is the 28th or 29th).
    DayOfNextMonth { day: u8 },
}

impl<'de> Deserialize<'de> for PaymentTerms {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, Self::read)
    }
}

impl PaymentTerms {
    const VARIANTS: &[&str] = &[
        "due_on_receipt",
        "net",
        "net_end_of_month",
        "end_of_following_month",
        "day_of_next_month",
    ];

    fn read(fields: &mut Fields) -> Result<Self, serde_json::Error> {
        let kind = fields.tag("kind")?;
        Ok(match kind.as_str() {
            "due_on_receipt" => Self::DueOnReceipt,
            "net" => Self::Net {
                days: fields.take("days")?,
            },
            "net_end_of_month" => Self::NetEndOfMonth {
                days: fields.take("days")?,
            },
            "end_of_following_month" => Self::EndOfFollowingMonth,
            "day_of_next_month" => Self::DayOfNextMonth {
                day: fields.take("day")?,
            },
            _ => return Err(wire::unknown(&kind, Self::VARIANTS)),
        })
    }
}

impl PaymentTerms {
    pub const MAX_DAYS: u16 = 365;

    pub fn validate(&self) -> Result<(), ValidationError> {
        match *self {
            PaymentTerms::Net { days } | PaymentTerms::NetEndOfMonth { days }
                if days > Self::MAX_DAYS =>
            {
                Err(ValidationError::new(
                    "terms.days",
                    Rule::Range {
                        min: "0".into(),
                        max: Self::MAX_DAYS.to_string(),
                    },
                ))
            }
            PaymentTerms::DayOfNextMonth { day } if !(1..=31).contains(&day) => {
                Err(ValidationError::new(
                    "terms.day",
                    Rule::Range {
                        min: "1".into(),
                        max: "31".into(),
                    },
                ))
            }
            _ => Ok(()),
        }
    }

    /// The due date of an invoice issued on `issue_date`.
    pub fn due_date(&self, issue_date: NaiveDate) -> Result<NaiveDate, ValidationError> {
        self.validate()?;
        let overflow = || ValidationError::new("due_date", Rule::Overflow);
        match *self {
            PaymentTerms::DueOnReceipt => Ok(issue_date),
            PaymentTerms::Net { days } => issue_date
                .checked_add_days(Days::new(u64::from(days)))
                .ok_or_else(overflow),
            PaymentTerms::NetEndOfMonth { days } => end_of_month(issue_date)
                .and_then(|eom| eom.checked_add_days(Days::new(u64::from(days))))
                .ok_or_else(overflow),
            PaymentTerms::EndOfFollowingMonth => issue_date
                .checked_add_months(Months::new(1))
                .and_then(end_of_month)
                .ok_or_else(overflow),
            PaymentTerms::DayOfNextMonth { day } => {
                let next = first_of_month(issue_date)
                    .and_then(|first| first.checked_add_months(Months::new(1)))
                    .ok_or_else(overflow)?;
                let last = end_of_month(next).ok_or_else(overflow)?;
                Ok(next.with_day(u32::from(day)).unwrap_or(last))
            }
        }
    }
}

fn first_of_month(date: NaiveDate) -> Option<NaiveDate> {
    date.with_day(1)
}

fn end_of_month(date: NaiveDate) -> Option<NaiveDate> {
    first_of_month(date)?
        .checked_add_months(Months::new(1))?
        .pred_opt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_plan_is_due_when_its_latest_instalment_is() {
        let part = |percent: u32, terms| Instalment {
            percent: rust_decimal::Decimal::from(percent),
            terms,
        };
        let plan = PaymentPlan {
            instalments: vec![
                part(50, PaymentTerms::EndOfFollowingMonth),
                part(50, PaymentTerms::Net { days: 10 }),
            ],
            discount: None,
        };
        assert_eq!(plan.due_date(d("2026-01-15")), Ok(d("2026-02-28")));
        let late = PaymentPlan::single(PaymentTerms::DayOfNextMonth { day: 0 });
        let refused = late.due_date(d("2026-01-15")).unwrap_err();
        assert!(refused.field.starts_with("instalments[0]."), "{refused:?}");
    }

    #[test]
    fn due_dates_around_month_ends_and_leap_years() {
        use PaymentTerms::*;
        let cases = [
            (DueOnReceipt, "2026-01-15", "2026-01-15"),
            (Net { days: 30 }, "2026-01-15", "2026-02-14"),
            (Net { days: 30 }, "2026-12-15", "2027-01-14"),
            (Net { days: 0 }, "2026-03-31", "2026-03-31"),
            (NetEndOfMonth { days: 30 }, "2026-01-15", "2026-03-02"),
            (NetEndOfMonth { days: 30 }, "2028-01-15", "2028-03-01"),
            (NetEndOfMonth { days: 0 }, "2028-02-03", "2028-02-29"),
            (EndOfFollowingMonth, "2026-01-31", "2026-02-28"),
            (EndOfFollowingMonth, "2028-01-31", "2028-02-29"),
            (EndOfFollowingMonth, "2026-12-01", "2027-01-31"),
            (DayOfNextMonth { day: 10 }, "2026-01-31", "2026-02-10"),
            (DayOfNextMonth { day: 31 }, "2026-01-05", "2026-02-28"),
            (DayOfNextMonth { day: 30 }, "2028-01-05", "2028-02-29"),
            (DayOfNextMonth { day: 15 }, "2026-12-20", "2027-01-15"),
        ];
        for (terms, issued, due) in cases {
            assert_eq!(
                terms.due_date(d(issued)),
                Ok(d(due)),
                "{terms:?} from {issued}"
            );
        }
    }

    #[test]
    fn impossible_terms_are_refused_naming_the_field() {
        assert_eq!(
            PaymentTerms::Net { days: 400 }
                .due_date(d("2026-01-01"))
                .unwrap_err()
                .field,
            "terms.days"
        );
        assert_eq!(
            PaymentTerms::DayOfNextMonth { day: 0 }
                .validate()
                .unwrap_err()
                .field,
            "terms.day"
        );
        assert_eq!(
            PaymentTerms::Net { days: 30 }
                .due_date(NaiveDate::MAX)
                .unwrap_err()
                .rule,
            Rule::Overflow
        );
    }

    #[test]
    fn terms_serialize_with_a_named_kind() {
        let json = serde_json::to_value(PaymentTerms::NetEndOfMonth { days: 30 }).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"kind": "net_end_of_month", "days": 30})
        );
    }
}

/// Whether an early-payment discount also reduces the VAT charged (a VAT correction is booked with the
/// discount) or only the amount received (the VAT stays as invoiced). Jurisdictions differ; it is an
/// explicit setting, never assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DiscountVat {
    #[default]
    ReducesVat,
    GrossOnly,
}

/// "2/10": `percent` off when paid within `days` of the issue date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct EarlyPaymentDiscount {
    pub percent: rust_decimal::Decimal,
    pub days: u16,
    #[serde(default)]
    pub vat: DiscountVat,
}

/// One portion of an instalment plan: `percent` of the total, due by `terms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Instalment {
    pub percent: rust_decimal::Decimal,
    pub terms: PaymentTerms,
}

/// How an invoice is to be paid: one or more instalments, and an optional early-payment discount
/// ("2/10 net 30" is one instalment of 100 % at net 30 with a 2 % discount within 10 days).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PaymentPlan {
    pub instalments: Vec<Instalment>,
    pub discount: Option<EarlyPaymentDiscount>,
}

/// An instalment as it falls due: its date, amount, and the discount window on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduledPayment {
    pub due_date: NaiveDate,
    pub amount: crate::money::Money,
    /// The last day the discount may be taken, and its amount.
    pub discount: Option<(NaiveDate, crate::money::Money)>,
}

impl PaymentPlan {
    /// One instalment, no discount.
    pub fn single(terms: PaymentTerms) -> Self {
        Self {
            instalments: vec![Instalment {
                percent: rust_decimal::Decimal::ONE_HUNDRED,
                terms,
            }],
            discount: None,
        }
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        use rust_decimal::Decimal;
        if self.instalments.is_empty() {
            return Err(ValidationError::new("instalments", Rule::Required));
        }
        for (i, inst) in self.instalments.iter().enumerate() {
            inst.terms
                .validate()
                .map_err(|e| e.within(&format!("instalments[{i}]")))?;
            if inst.percent <= Decimal::ZERO {
                return Err(ValidationError::new(
                    format!("instalments[{i}].percent"),
                    Rule::Positive,
                ));
            }
        }
        let total: Decimal = self.instalments.iter().map(|i| i.percent).sum();
        if total != Decimal::ONE_HUNDRED {
            return Err(ValidationError::new(
                "instalments",
                Rule::Matches {
                    expected: "percentages adding up to 100".into(),
                },
            ));
        }
        if let Some(d) = self.discount
            && (d.percent <= Decimal::ZERO || d.percent >= Decimal::ONE_HUNDRED)
        {
            return Err(ValidationError::new(
                "discount.percent",
                Rule::Range {
                    min: "0".into(),
                    max: "100".into(),
                },
            ));
        }
        Ok(())
    }

    /// The due date of the last instalment, counted from `issue_date` (BT-9 of a document on these terms).
    pub fn due_date(&self, issue_date: NaiveDate) -> Result<NaiveDate, ValidationError> {
        let mut due = issue_date;
        for (i, instalment) in self.instalments.iter().enumerate() {
            let date = instalment
                .terms
                .due_date(issue_date)
                .map_err(|e| e.within(&format!("instalments[{i}]")))?;
            due = due.max(date);
        }
        Ok(due)
    }

    /// Splits `total` into its instalments. Each portion is rounded to the currency; the last absorbs the
    /// rounding so the portions always add up to the total exactly.
    pub fn schedule(
        &self,
        issue_date: NaiveDate,
        total: crate::money::Money,
    ) -> Result<Vec<ScheduledPayment>, ValidationError> {
        use crate::money::{Money, Rounding};
        use rust_decimal::Decimal;
        self.validate()?;
        let currency = total.currency();
        let portion = |percent: Decimal| -> Result<Money, ValidationError> {
            let amount = total
                .amount()
                .checked_mul(percent)
                .and_then(|a| a.checked_div(Decimal::ONE_HUNDRED))
                .ok_or_else(|| ValidationError::new("total", Rule::Overflow))?;
            Ok(Money::rounded(amount, currency, Rounding::HalfAwayFromZero))
        };
        let mut scheduled = Vec::with_capacity(self.instalments.len());
        let mut assigned = Money::zero(currency);
        for (i, inst) in self.instalments.iter().enumerate() {
            let amount = if i + 1 == self.instalments.len() {
                total.checked_sub(assigned)?
            } else {
                portion(inst.percent)?
            };
            assigned = assigned.checked_add(amount)?;
            let discount = match self.discount {
                Some(d) => {
                    let until = issue_date
                        .checked_add_days(Days::new(u64::from(d.days)))
                        .ok_or_else(|| ValidationError::new("discount.days", Rule::Overflow))?;
                    let value = amount
                        .amount()
                        .checked_mul(d.percent)
                        .and_then(|a| a.checked_div(Decimal::ONE_HUNDRED))
                        .ok_or_else(|| ValidationError::new("discount", Rule::Overflow))?;
                    Some((
                        until,
                        Money::rounded(value, currency, Rounding::HalfAwayFromZero),
                    ))
                }
                None => None,
            };
            scheduled.push(ScheduledPayment {
                due_date: inst
                    .terms
                    .due_date(issue_date)
                    .map_err(|e| e.within(&format!("instalments[{i}]")))?,
                amount,
                discount,
            });
        }
        Ok(scheduled)
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;
    use crate::money::{Currency, Money};
    use rust_decimal_macros::dec;

    fn d(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn eur(text: &str) -> Money {
        Money::parse(text, Currency::parse("EUR").unwrap()).unwrap()
    }

    #[test]
    fn two_ten_net_thirty_offers_the_discount_for_ten_days() {
        let plan = PaymentPlan {
            discount: Some(EarlyPaymentDiscount {
                percent: dec!(2),
                days: 10,
                vat: DiscountVat::ReducesVat,
            }),
            ..PaymentPlan::single(PaymentTerms::Net { days: 30 })
        };
        let s = plan.schedule(d("2026-01-15"), eur("1000")).unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].due_date, d("2026-02-14"));
        assert_eq!(s[0].discount, Some((d("2026-01-25"), eur("20"))));
    }

    #[test]
    fn instalments_always_add_up_to_the_total() {
        let third = Instalment {
            percent: dec!(33.3333),
            terms: PaymentTerms::Net { days: 30 },
        };
        let plan = PaymentPlan {
            instalments: vec![
                third,
                Instalment {
                    terms: PaymentTerms::Net { days: 60 },
                    ..third
                },
                Instalment {
                    percent: dec!(33.3334),
                    terms: PaymentTerms::Net { days: 90 },
                },
            ],
            discount: None,
        };
        let s = plan.schedule(d("2026-01-01"), eur("100")).unwrap();
        let amounts: Vec<_> = s.iter().map(|p| p.amount.amount().to_string()).collect();
        assert_eq!(amounts, vec!["33.33", "33.33", "33.34"]);
        let dues: Vec<_> = s.iter().map(|p| p.due_date.to_string()).collect();
        assert_eq!(dues, vec!["2026-01-31", "2026-03-02", "2026-04-01"]);
    }

    #[test]
    fn a_plan_must_cover_exactly_the_whole_amount() {
        let mut plan = PaymentPlan::single(PaymentTerms::Net { days: 30 });
        plan.instalments[0].percent = dec!(90);
        assert_eq!(plan.validate().unwrap_err().field, "instalments");
        plan.instalments[0].percent = dec!(100);
        plan.discount = Some(EarlyPaymentDiscount {
            percent: dec!(100),
            days: 5,
            vat: DiscountVat::GrossOnly,
        });
        assert_eq!(plan.validate().unwrap_err().field, "discount.percent");
    }
}
