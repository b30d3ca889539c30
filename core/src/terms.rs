//! Payment terms: when an invoice falls due.
//!
//! Dates are calendar dates in the organisation's time zone; the shell computes "today" there and passes
//! it in. Nothing here reads a clock.

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::validation::{Rule, ValidationError};

/// When an invoice is due, relative to its issue date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
