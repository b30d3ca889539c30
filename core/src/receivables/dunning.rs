//! Dunning: reminders for late payers, escalating by a schedule each organisation sets.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::OpenItem;
use crate::money::Money;
use crate::validation::{Rule, ValidationError};

/// One step of the schedule: from `days_overdue` on, an item is at `level`, and a reminder at this
/// level carries `fee` (in the items' currency; zero for none).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DunningStage {
    pub level: u8,
    pub days_overdue: u32,
    pub fee: Decimal,
}

/// The organisation's dunning schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DunningSchedule {
    pub stages: Vec<DunningStage>,
    /// Days overdue after which the account is handed to collections; `None` never.
    pub collections_after_days: Option<u32>,
}

impl Default for DunningSchedule {
    /// Friendly at 7 days, firmer with a fee at 21, final notice at 35, collections at 60.
    fn default() -> Self {
        Self {
            stages: vec![
                DunningStage {
                    level: 1,
                    days_overdue: 7,
                    fee: Decimal::ZERO,
                },
                DunningStage {
                    level: 2,
                    days_overdue: 21,
                    fee: Decimal::new(5, 0),
                },
                DunningStage {
                    level: 3,
                    days_overdue: 35,
                    fee: Decimal::ZERO,
                },
            ],
            collections_after_days: Some(60),
        }
    }
}

/// Where an item stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "level", rename_all = "snake_case")]
pub enum DunningLevel {
    /// Not overdue enough for a reminder, settled, or paused by a dispute.
    None,
    Reminder(u8),
    Collections,
}

/// The reminder to send now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reminder {
    pub level: DunningLevel,
    /// The overdue items it lists.
    pub items: Vec<OpenItem>,
    /// Fee of this level; it becomes its own numbered fee invoice, never an edit of an invoice.
    pub fee: Option<Money>,
}

impl DunningSchedule {
    pub fn validate(&self) -> Result<(), ValidationError> {
        let ordered = self
            .stages
            .windows(2)
            .all(|w| w[0].level < w[1].level && w[0].days_overdue < w[1].days_overdue);
        if !ordered {
            return Err(ValidationError::new(
                "stages",
                Rule::Matches {
                    expected: "levels and days in increasing order".into(),
                },
            ));
        }
        if let Some(i) = self.stages.iter().position(|s| s.fee < Decimal::ZERO) {
            return Err(ValidationError::new(
                format!("stages[{i}].fee"),
                Rule::NotNegative,
            ));
        }
        Ok(())
    }

    /// The level of one item on `today`.
    pub fn level(&self, item: &OpenItem, today: NaiveDate) -> DunningLevel {
        if item.is_settled() || item.disputed {
            return DunningLevel::None;
        }
        let late = item.days_overdue(today);
        if self
            .collections_after_days
            .is_some_and(|d| late >= i64::from(d))
        {
            return DunningLevel::Collections;
        }
        self.stages
            .iter()
            .rev()
            .find(|s| late >= i64::from(s.days_overdue))
            .map_or(DunningLevel::None, |s| DunningLevel::Reminder(s.level))
    }

    /// The reminder a customer should get on `today`, given the highest level already sent, in one
    /// currency's items: the highest level any item has reached, listing every overdue item. `None` when
    /// no item has reached a level above the one already sent.
    pub fn reminder(
        &self,
        items: &[OpenItem],
        today: NaiveDate,
        already_sent: DunningLevel,
    ) -> Result<Option<Reminder>, ValidationError> {
        self.validate()?;
        let level = items
            .iter()
            .map(|i| self.level(i, today))
            .max()
            .unwrap_or(DunningLevel::None);
        if level == DunningLevel::None || level <= already_sent {
            return Ok(None);
        }
        let overdue: Vec<OpenItem> = items
            .iter()
            .filter(|i| self.level(i, today) != DunningLevel::None)
            .cloned()
            .collect();
        let fee = match level {
            DunningLevel::Reminder(n) => self
                .stages
                .iter()
                .find(|s| s.level == n && !s.fee.is_zero())
                .map(|s| {
                    Money::rounded(
                        s.fee,
                        overdue[0].open.currency(),
                        crate::money::Rounding::HalfAwayFromZero,
                    )
                }),
            _ => None,
        };
        Ok(Some(Reminder {
            level,
            items: overdue,
            fee,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::InvoiceId;
    use crate::money::Currency;
    use crate::receivables::ItemRef;
    use rust_decimal_macros::dec;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
    }

    fn item(n: u8, days_late: i64) -> OpenItem {
        let open = Money::parse("100", Currency::parse("EUR").unwrap()).unwrap();
        OpenItem {
            item: ItemRef {
                invoice_id: InvoiceId::parse(&format!("019a4d5e-0000-7000-8000-0000000006{n:02x}"))
                    .unwrap(),
                instalment: 0,
            },
            number: format!("INV-{n}"),
            issue_date: today() - chrono::TimeDelta::days(days_late + 30),
            due_date: today() - chrono::TimeDelta::days(days_late),
            amount: open,
            open,
            discount: None,
            disputed: false,
        }
    }

    #[test]
    fn levels_follow_the_schedule() {
        let s = DunningSchedule::default();
        for (late, level) in [
            (0, DunningLevel::None),
            (6, DunningLevel::None),
            (7, DunningLevel::Reminder(1)),
            (20, DunningLevel::Reminder(1)),
            (21, DunningLevel::Reminder(2)),
            (35, DunningLevel::Reminder(3)),
            (59, DunningLevel::Reminder(3)),
            (60, DunningLevel::Collections),
        ] {
            assert_eq!(s.level(&item(1, late), today()), level, "{late} days late");
        }
    }

    #[test]
    fn a_dispute_pauses_dunning() {
        let mut disputed = item(1, 40);
        disputed.disputed = true;
        let s = DunningSchedule::default();
        assert_eq!(s.level(&disputed, today()), DunningLevel::None);
        assert_eq!(
            s.reminder(&[disputed], today(), DunningLevel::None)
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_reminder_escalates_once_and_carries_its_fee() {
        let s = DunningSchedule::default();
        let items = [item(1, 22), item(2, 8), item(3, 2)];
        let r = s
            .reminder(&items, today(), DunningLevel::Reminder(1))
            .unwrap()
            .unwrap();
        assert_eq!(r.level, DunningLevel::Reminder(2));
        assert_eq!(r.items.len(), 2, "only overdue items are listed");
        assert_eq!(r.fee.unwrap().amount(), dec!(5.00));
        assert_eq!(
            s.reminder(&items, today(), DunningLevel::Reminder(2))
                .unwrap(),
            None
        );
    }

    #[test]
    fn a_schedule_must_escalate() {
        let mut s = DunningSchedule::default();
        s.stages.swap(0, 1);
        assert_eq!(s.validate().unwrap_err().field, "stages");
        let mut s = DunningSchedule::default();
        s.stages[1].fee = dec!(-1);
        assert_eq!(s.validate().unwrap_err().field, "stages[1].fee");
    }
}
