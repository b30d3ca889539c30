//! How money received settles open items.
//!
//! A payment is applied to the invoices named on the remittance advice, in the order named; without a
//! remittance advice, to the oldest due first. What is left over is never guessed onto an invoice: it
//! becomes explicit unapplied credit. An early-payment discount is taken when the payment arrives inside
//! its window and settles the item with the discount deducted.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use super::{ItemRef, OpenItem};
use crate::ids::InvoiceId;
use crate::money::Money;
use crate::validation::{Rule, ValidationError};
use crate::wire::{self, Fields};

/// Where money received should go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "invoices", rename_all = "snake_case")]
pub enum Instruction {
    /// Oldest due date first (then oldest issue date, then number).
    OldestDueFirst,
    /// These invoices, in this order (each invoice's instalments oldest due first).
    Named(Vec<InvoiceId>),
}

impl<'de> Deserialize<'de> for Instruction {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, Self::read)
    }
}

impl Instruction {
    const VARIANTS: &[&str] = &["oldest_due_first", "named"];

    fn read(fields: &mut Fields) -> Result<Self, serde_json::Error> {
        let kind = fields.tag("kind")?;
        Ok(match kind.as_str() {
            "oldest_due_first" => {
                fields.take::<()>("invoices")?;
                Self::OldestDueFirst
            }
            "named" => Self::Named(fields.take("invoices")?),
            _ => return Err(wire::unknown(&kind, Self::VARIANTS)),
        })
    }
}

/// Part of an amount applied to one open item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationLine {
    pub item: ItemRef,
    /// Money applied.
    pub amount: Money,
    /// Early-payment discount taken on the item (zero when none).
    pub discount: Money,
}

/// The outcome of allocating an amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllocationPlan {
    pub lines: Vec<AllocationLine>,
    /// What no open item took: customer credit, to apply later or refund.
    pub unapplied: Money,
}

/// Allocates `amount`, received on `on`, over a customer's open items. Items in other currencies are
/// never touched (balances are per currency).
pub fn allocate(
    amount: Money,
    on: NaiveDate,
    items: &[OpenItem],
    instruction: &Instruction,
) -> Result<AllocationPlan, ValidationError> {
    allocate_as(amount, (on, true), items, instruction)
}

/// Allocates a credit note as [`allocate`] does money received, except that it earns no early-payment
/// discount: a credit note corrects what an invoice asks, it is no money paid early (a full credit note
/// settles its invoice exactly and leaves no credit).
pub fn allocate_credit_note(
    amount: Money,
    on: NaiveDate,
    items: &[OpenItem],
    instruction: &Instruction,
) -> Result<AllocationPlan, ValidationError> {
    allocate_as(amount, (on, false), items, instruction)
}

/// [`allocate`] on `on`, taking early-payment discounts when `earns_discount`.
fn allocate_as(
    amount: Money,
    (on, earns_discount): (NaiveDate, bool),
    items: &[OpenItem],
    instruction: &Instruction,
) -> Result<AllocationPlan, ValidationError> {
    if amount.amount().is_sign_negative() || amount.is_zero() {
        return Err(ValidationError::new("amount", Rule::Positive));
    }
    let currency = amount.currency();
    let mut order: Vec<&OpenItem> = items
        .iter()
        .filter(|i| i.amount.currency() == currency && !i.is_settled())
        .collect();
    order.sort_by(|a, b| {
        (a.due_date, a.issue_date, &a.number, a.item.instalment).cmp(&(
            b.due_date,
            b.issue_date,
            &b.number,
            b.item.instalment,
        ))
    });
    if let Instruction::Named(invoices) = instruction {
        for (i, id) in invoices.iter().enumerate() {
            let known = items.iter().find(|item| item.item.invoice_id == *id);
            match known {
                None => {
                    return Err(ValidationError::new(
                        format!("invoices[{i}]"),
                        Rule::Matches {
                            expected: "an invoice of this customer".into(),
                        },
                    ));
                }
                Some(item) if item.amount.currency() != currency => {
                    return Err(ValidationError::new(
                        format!("invoices[{i}]"),
                        Rule::SameCurrency,
                    ));
                }
                Some(_) => {}
            }
        }
        order.retain(|item| invoices.contains(&item.item.invoice_id));
        order.sort_by_key(|item| invoices.iter().position(|id| *id == item.item.invoice_id));
    }

    let mut remaining = amount;
    let mut lines = Vec::new();
    for item in order {
        if remaining.is_zero() {
            break;
        }
        let discount = item
            .discount
            .filter(|d| earns_discount && on <= d.until && d.amount.amount() < item.open.amount())
            .map(|d| d.amount);
        let (applied, discount) = match discount {
            Some(d) => {
                let settles_with = item.open.checked_sub(d)?;
                if remaining.amount() >= settles_with.amount() {
                    (settles_with, d)
                } else {
                    (remaining, Money::zero(currency))
                }
            }
            None if remaining.amount() >= item.open.amount() => (item.open, Money::zero(currency)),
            None => (remaining, Money::zero(currency)),
        };
        remaining = remaining.checked_sub(applied)?;
        lines.push(AllocationLine {
            item: item.item,
            amount: applied,
            discount,
        });
    }
    Ok(AllocationPlan {
        lines,
        unapplied: remaining,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::receivables::DiscountWindow;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    fn eur(amount: Decimal) -> Money {
        Money::exact(amount, Currency::parse("EUR").unwrap()).unwrap()
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, day).unwrap()
    }

    fn invoice(n: u8) -> InvoiceId {
        InvoiceId::parse(&format!("019a4d5e-0000-7000-8000-0000000002{n:02x}")).unwrap()
    }

    fn item(n: u8, due: u32, open: Decimal) -> OpenItem {
        OpenItem {
            item: ItemRef {
                invoice_id: invoice(n),
                instalment: 0,
            },
            number: format!("INV-{n}"),
            issue_date: d(1),
            due_date: d(due),
            amount: eur(open),
            open: eur(open),
            discount: None,
            disputed: false,
        }
    }

    fn applied(plan: &AllocationPlan) -> Vec<(String, Decimal, Decimal)> {
        plan.lines
            .iter()
            .map(|l| {
                let n = l.item.invoice_id.to_string();
                (
                    n[n.len() - 2..].to_owned(),
                    l.amount.amount(),
                    l.discount.amount(),
                )
            })
            .collect()
    }

    #[test]
    fn without_advice_the_oldest_due_is_paid_first_and_the_rest_is_credit() {
        let items = [
            item(1, 20, dec!(100)),
            item(2, 10, dec!(50)),
            item(3, 30, dec!(70)),
        ];
        let plan = allocate(eur(dec!(200)), d(15), &items, &Instruction::OldestDueFirst).unwrap();
        assert_eq!(
            applied(&plan),
            vec![
                ("02".into(), dec!(50.00), dec!(0.00)),
                ("01".into(), dec!(100.00), dec!(0.00)),
                ("03".into(), dec!(50.00), dec!(0.00)),
            ]
        );
        assert!(plan.unapplied.is_zero());

        let plan = allocate(eur(dec!(300)), d(15), &items, &Instruction::OldestDueFirst).unwrap();
        assert_eq!(plan.unapplied.amount(), dec!(80.00));
    }

    #[test]
    fn a_remittance_advice_is_followed_and_nothing_is_guessed() {
        let items = [item(1, 20, dec!(100)), item(2, 10, dec!(50))];
        let plan = allocate(
            eur(dec!(120)),
            d(15),
            &items,
            &Instruction::Named(vec![invoice(1)]),
        )
        .unwrap();
        assert_eq!(
            applied(&plan),
            vec![("01".into(), dec!(100.00), dec!(0.00))]
        );
        assert_eq!(plan.unapplied.amount(), dec!(20.00));

        let e = allocate(
            eur(dec!(1)),
            d(15),
            &items,
            &Instruction::Named(vec![invoice(9)]),
        )
        .unwrap_err();
        assert_eq!(e.field, "invoices[0]");
    }

    #[test]
    fn the_early_payment_discount_is_taken_inside_its_window_only() {
        // 2/10 net 30 on 1,000.00: 980.00 paid on day 9 settles it with 20.00 discount taken.
        let mut skonto = item(1, 31, dec!(1000));
        skonto.discount = Some(DiscountWindow {
            until: d(11),
            amount: eur(dec!(20)),
        });
        let items = [skonto];
        let inside = allocate(eur(dec!(980)), d(10), &items, &Instruction::OldestDueFirst).unwrap();
        assert_eq!(
            applied(&inside),
            vec![("01".into(), dec!(980.00), dec!(20.00))]
        );
        let late = allocate(eur(dec!(980)), d(12), &items, &Instruction::OldestDueFirst).unwrap();
        assert_eq!(
            applied(&late),
            vec![("01".into(), dec!(980.00), dec!(0.00))]
        );
        let short = allocate(eur(dec!(500)), d(10), &items, &Instruction::OldestDueFirst).unwrap();
        assert_eq!(
            applied(&short),
            vec![("01".into(), dec!(500.00), dec!(0.00))]
        );
    }

    #[test]
    fn other_currencies_are_left_alone_and_amounts_must_be_positive() {
        let mut usd = item(1, 10, dec!(100));
        usd.amount = Money::exact(dec!(100), Currency::parse("USD").unwrap()).unwrap();
        usd.open = usd.amount;
        let plan = allocate(
            eur(dec!(10)),
            d(15),
            &[usd.clone()],
            &Instruction::OldestDueFirst,
        )
        .unwrap();
        assert!(plan.lines.is_empty());
        assert_eq!(
            allocate(
                eur(dec!(10)),
                d(15),
                &[usd],
                &Instruction::Named(vec![invoice(1)])
            )
            .unwrap_err()
            .rule,
            Rule::SameCurrency
        );
        assert_eq!(
            allocate(eur(dec!(0)), d(15), &[], &Instruction::OldestDueFirst)
                .unwrap_err()
                .rule,
            Rule::Positive
        );
    }

    proptest! {
        #[test]
        fn allocation_never_exceeds_the_payment_or_an_item(
            opens in prop::collection::vec((1i64..100_000, 1u32..28, prop::option::of(1i64..500)), 0..12),
            paid in 1i64..500_000,
            day in 1u32..28,
        ) {
            let items: Vec<OpenItem> = opens.iter().enumerate().map(|(n, (open, due, discount))| {
                let mut it = item(n as u8, *due, Decimal::new(*open, 2));
                it.discount = discount.map(|a| DiscountWindow { until: d(14), amount: eur(Decimal::new(a, 2)) });
                it
            }).collect();
            let payment = eur(Decimal::new(paid, 2));
            let plan = allocate(payment, d(day), &items, &Instruction::OldestDueFirst).unwrap();
            let total = Money::sum(payment.currency(), plan.lines.iter().map(|l| l.amount)).unwrap();
            prop_assert_eq!(total.checked_add(plan.unapplied).unwrap(), payment);
            prop_assert!(!plan.unapplied.amount().is_sign_negative());
            for line in &plan.lines {
                let it = items.iter().find(|i| i.item == line.item).unwrap();
                prop_assert!(line.amount.checked_add(line.discount).unwrap().amount() <= it.open.amount());
                prop_assert!(line.amount.amount() > Decimal::ZERO);
            }
        }
    }
}
