//! Aged receivables: open amounts by how late they are.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::OpenItem;
use crate::money::{Currency, Money};
use crate::validation::{Rule, ValidationError};

/// What an item's age is counted from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AgingBasis {
    /// Days past due; items not yet due are "Current".
    #[default]
    DueDate,
    /// Days since the invoice date.
    InvoiceDate,
}

/// How receivables are bucketed. `bounds` are the inclusive upper ends, in days, of every bucket but the
/// last: `[30, 60, 90]` by due date gives Current, 1–30, 31–60, 61–90 and 90+.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingPolicy {
    pub basis: AgingBasis,
    pub bounds: Vec<u32>,
}

impl Default for AgingPolicy {
    fn default() -> Self {
        Self {
            basis: AgingBasis::DueDate,
            bounds: vec![30, 60, 90],
        }
    }
}

/// The open amount in one age range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingBucket {
    pub label: String,
    pub amount: Money,
}

/// Aged receivables in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingReport {
    pub currency: Currency,
    pub buckets: Vec<AgingBucket>,
    pub total: Money,
}

impl AgingPolicy {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let increasing = self.bounds.windows(2).all(|w| w[0] < w[1]);
        if self.bounds.is_empty() || !increasing || self.bounds[0] == 0 {
            return Err(ValidationError::new(
                "bounds",
                Rule::Matches {
                    expected: "increasing whole days above zero".into(),
                },
            ));
        }
        Ok(())
    }

    fn labels(&self) -> Vec<String> {
        let mut labels = Vec::with_capacity(self.bounds.len() + 2);
        let mut from = match self.basis {
            AgingBasis::DueDate => {
                labels.push("Current".to_owned());
                1
            }
            AgingBasis::InvoiceDate => 0,
        };
        for &to in &self.bounds {
            labels.push(format!("{from}–{to}"));
            from = to + 1;
        }
        labels.push(format!("{}+", from - 1));
        labels
    }

    /// The index of the bucket an age in days falls in.
    fn bucket(&self, age_days: i64) -> usize {
        let offset = usize::from(self.basis == AgingBasis::DueDate);
        if self.basis == AgingBasis::DueDate && age_days <= 0 {
            return 0;
        }
        self.bounds
            .iter()
            .position(|&b| age_days <= i64::from(b))
            .map_or(self.bounds.len() + offset, |i| i + offset)
    }
}

/// Ages open items on `today`, one report per currency of the items (ordered by currency code).
pub fn age(
    items: &[OpenItem],
    today: NaiveDate,
    policy: &AgingPolicy,
) -> Result<Vec<AgingReport>, ValidationError> {
    let mut currencies: Vec<Currency> = items.iter().map(|i| i.open.currency()).collect();
    currencies.sort();
    currencies.dedup();
    age_in(&currencies, items, today, policy)
}

/// Ages open items on `today`, one report per currency of `currencies` (an account's, whose settled
/// items have left its position), in that order.
pub fn age_in(
    currencies: &[Currency],
    items: &[OpenItem],
    today: NaiveDate,
    policy: &AgingPolicy,
) -> Result<Vec<AgingReport>, ValidationError> {
    policy.validate()?;
    let labels = policy.labels();
    currencies
        .iter()
        .copied()
        .map(|currency| {
            let mut buckets: Vec<AgingBucket> = labels
                .iter()
                .map(|label| AgingBucket {
                    label: label.clone(),
                    amount: Money::zero(currency),
                })
                .collect();
            for item in items
                .iter()
                .filter(|i| i.open.currency() == currency && !i.is_settled())
            {
                let from = match policy.basis {
                    AgingBasis::DueDate => item.due_date,
                    AgingBasis::InvoiceDate => item.issue_date,
                };
                let bucket = &mut buckets[policy.bucket((today - from).num_days())];
                bucket.amount = bucket.amount.checked_add(item.open)?;
            }
            let total = Money::sum(currency, buckets.iter().map(|b| b.amount))?;
            Ok(AgingReport {
                currency,
                buckets,
                total,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::InvoiceId;
    use crate::receivables::ItemRef;
    use rust_decimal_macros::dec;

    fn item(n: u8, issued: NaiveDate, due: NaiveDate, open: &str, currency: &str) -> OpenItem {
        let currency = Currency::parse(currency).unwrap();
        let open = Money::parse(open, currency).unwrap();
        OpenItem {
            item: ItemRef {
                invoice_id: InvoiceId::parse(&format!("019a4d5e-0000-7000-8000-0000000004{n:02x}"))
                    .unwrap(),
                instalment: 0,
            },
            number: format!("INV-{n}"),
            issue_date: issued,
            due_date: due,
            amount: open,
            open,
            discount: None,
            disputed: false,
        }
    }

    fn day(offset: i64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 30).unwrap() - chrono::TimeDelta::days(offset)
    }

    #[test]
    fn items_fall_in_the_bucket_of_their_days_past_due() {
        let today = day(0);
        let items = [
            item(1, day(10), day(-5), "100", "EUR"), // not yet due
            item(2, day(40), day(0), "1", "EUR"),    // due today: current
            item(3, day(40), day(1), "2", "EUR"),    // 1 day late
            item(4, day(80), day(30), "3", "EUR"),   // 30 days
            item(5, day(80), day(31), "4", "EUR"),   // 31 days
            item(6, day(200), day(91), "5", "EUR"),  // 91 days
            item(7, day(200), day(91), "7", "USD"),
        ];
        let reports = age(&items, today, &AgingPolicy::default()).unwrap();
        let eur: Vec<_> = reports[0]
            .buckets
            .iter()
            .map(|b| (b.label.as_str(), b.amount.amount()))
            .collect();
        assert_eq!(
            eur,
            vec![
                ("Current", dec!(101.00)),
                ("1–30", dec!(5.00)),
                ("31–60", dec!(4.00)),
                ("61–90", dec!(0.00)),
                ("90+", dec!(5.00)),
            ]
        );
        assert_eq!(reports[0].total.amount(), dec!(115.00));
        assert_eq!(
            (reports[1].currency.code(), reports[1].total.amount()),
            ("USD", dec!(7.00))
        );
    }

    #[test]
    fn aging_by_invoice_date_has_no_current_bucket() {
        let policy = AgingPolicy {
            basis: AgingBasis::InvoiceDate,
            bounds: vec![30, 60],
        };
        let reports = age(&[item(1, day(45), day(15), "10", "EUR")], day(0), &policy).unwrap();
        let labels: Vec<_> = reports[0]
            .buckets
            .iter()
            .map(|b| b.label.as_str())
            .collect();
        assert_eq!(labels, vec!["0–30", "31–60", "60+"]);
        assert_eq!(reports[0].buckets[1].amount.amount(), dec!(10.00));
    }

    #[test]
    fn bounds_must_increase() {
        for bounds in [vec![], vec![30, 30], vec![0, 30], vec![60, 30]] {
            let policy = AgingPolicy {
                basis: AgingBasis::DueDate,
                bounds,
            };
            assert_eq!(age(&[], day(0), &policy).unwrap_err().field, "bounds");
        }
    }
}
