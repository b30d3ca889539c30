//! Receivables: what customers owe, how money received settles it, and how it is reported.
//!
//! - [`OpenItem`]: one instalment of an issued invoice with what is still open on it. Open items are
//!   instalments, not whole invoices: each portion has its own due date and ages on its own.
//! - [`allocation`]: how a payment or credit note settles open items (named invoices, or oldest due
//!   first), early-payment discounts, and unapplied credit.
//! - [`balance`]: what is still open on one invoice as a device knows it, and its next due date.
//! - [`account`]: a customer's account as an append-only list of entries, its balance per currency.
//! - [`position`]: what decisions read of an account, bounded by what is open.
//! - [`statement`], [`aging`], [`dunning`]: what a customer is sent and how late they are.
//! - [`thread`]: a customer's question or dispute, its messages and how it ended.
//! - [`late_fee`]: what paying late costs; [`credit_limit`]: whether a new invoice may be issued.

pub mod account;
pub mod aging;
pub mod allocation;
pub mod balance;
pub mod credit_limit;
pub mod dispute;
pub mod dunning;
pub mod events;
pub mod exception;
pub mod late_fee;
pub mod listing;
pub mod payment;
pub mod position;
pub mod statement;
pub mod thread;

use std::fmt;

use chrono::NaiveDate;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

use crate::ids::InvoiceId;
use crate::money::Money;
use crate::terms::ScheduledPayment;

/// Which instalment of which invoice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ItemRef {
    pub invoice_id: InvoiceId,
    /// 0 for the first (or only) instalment.
    pub instalment: u16,
}

/// An early-payment discount still on offer for an open item: paying `open − amount` on or before
/// `until` settles the item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiscountWindow {
    pub until: NaiveDate,
    pub amount: Money,
}

/// One instalment of an issued invoice (or fee invoice), with what remains to be paid on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenItem {
    pub item: ItemRef,
    /// The invoice number (BT-1), for statements and reminders.
    pub number: String,
    #[serde(deserialize_with = "read_day")]
    pub issue_date: NaiveDate,
    #[serde(deserialize_with = "read_day")]
    pub due_date: NaiveDate,
    /// The instalment's original amount.
    pub amount: Money,
    /// What is still owed on it.
    pub open: Money,
    pub discount: Option<DiscountWindow>,
    /// An open dispute pauses dunning for the item.
    #[serde(default)]
    pub disputed: bool,
}

/// A day as chrono writes one (`2026-11-23`), read without chrono's general parser: a customer's
/// position holds two per open invoice, and every read of it decodes them all. Any other text is read
/// by chrono, with chrono's errors.
fn read_day<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveDate, D::Error> {
    struct Day;
    impl Visitor<'_> for Day {
        type Value = NaiveDate;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a date (YYYY-MM-DD)")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<NaiveDate, E> {
            iso_day(text).map_or_else(|| text.parse().map_err(E::custom), Ok)
        }
    }
    deserializer.deserialize_str(Day)
}

/// `YYYY-MM-DD` of a year from 0 to 9999, when `text` is one and names a day of the calendar.
fn iso_day(text: &str) -> Option<NaiveDate> {
    let b: &[u8; 10] = text.as_bytes().try_into().ok()?;
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let number = |digits: &[u8]| {
        digits.iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let year = i32::try_from(number(&b[0..4])?).ok()?;
    NaiveDate::from_ymd_opt(year, number(&b[5..7])?, number(&b[8..10])?)
}

impl OpenItem {
    /// The open items of a newly issued invoice: one per scheduled instalment.
    pub fn for_invoice(
        invoice_id: InvoiceId,
        number: &str,
        issue_date: NaiveDate,
        schedule: &[ScheduledPayment],
    ) -> Vec<OpenItem> {
        schedule
            .iter()
            .enumerate()
            .map(|(i, s)| OpenItem {
                item: ItemRef {
                    invoice_id,
                    instalment: i as u16,
                },
                number: number.to_owned(),
                issue_date,
                due_date: s.due_date,
                amount: s.amount,
                open: s.amount,
                discount: s
                    .discount
                    .map(|(until, amount)| DiscountWindow { until, amount }),
                disputed: false,
            })
            .collect()
    }

    pub fn is_settled(&self) -> bool {
        self.open.is_zero()
    }

    /// Whole days past the due date on `today` (0 when not yet due).
    pub fn days_overdue(&self, today: NaiveDate) -> i64 {
        (today - self.due_date).num_days().max(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_reads_as_chrono_reads_it() {
        let texts = [
            "2026-11-23",
            "0001-01-01",
            "9999-12-31",
            "2024-02-29",
            "2026-02-29",
            "2026-13-01",
            "2026-1-05",
            "2026-01-5x",
            "+12345-01-01",
            "2026/11/23",
            "",
        ];
        for text in texts {
            let json = serde_json::Value::String(text.to_owned());
            let read = read_day(&json).map_err(|e| e.to_string());
            let chrono = serde_json::from_value::<NaiveDate>(json).map_err(|e| e.to_string());
            assert_eq!(read, chrono, "{text}");
        }
    }
}
