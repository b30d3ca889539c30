//! What lists of invoices and customers are sorted, filtered and searched by, decided here once so the
//! app's IndexedDB indexes and any server list agree.
//!
//! An invoice's [`InvoiceListing`] is stored beside it: its [`InvoiceStatus`] (open, paid or void: what
//! changes with the records, never with the clock), the due date that matters for it, its number and
//! the words a search finds it by. "Overdue" is not a status: it is an open invoice whose due date is
//! before today, so it changes with the clock alone ([`InvoiceFilter::bounds`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::balance::InvoiceBalance;
use crate::document::issued::Invoice;
use crate::ids::InvoiceId;
use crate::money::Money;
use crate::receivables::payment::Payment;
use crate::search;
use crate::validation::ValidationError;

/// Where an invoice stands, as its records say.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Something is still owed on it.
    Open,
    /// Nothing is owed: paid, credited, or both.
    Paid,
    /// Voided: it never was owed.
    Void,
}

impl InvoiceStatus {
    /// The word stored and indexed.
    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceStatus::Open => "open",
            InvoiceStatus::Paid => "paid",
            InvoiceStatus::Void => "void",
        }
    }
}

/// What an invoice is listed by, stored beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceListing {
    pub status: InvoiceStatus,
    /// While open: the due date of the first instalment not yet settled. Otherwise the last
    /// instalment's due date (the issue date when it has no schedule).
    pub due_date: NaiveDate,
    pub issue_date: NaiveDate,
    /// The number folded ([`search::fold`]), which sorts and prefix-matches as typed.
    pub number: String,
    /// The words a search finds it by: its number's and the buyer's name's ([`search::words`]).
    pub words: Vec<String>,
    /// What is still owed.
    pub open: Money,
}

impl InvoiceListing {
    /// The listing of `invoice`, whose payments and credit notes `balance` has taken off
    /// ([`InvoiceBalance::of`]).
    pub fn of(invoice: &Invoice, balance: &InvoiceBalance) -> Result<Self, ValidationError> {
        let snapshot = &invoice.snapshot;
        let open = balance.open()?;
        let status = if invoice.voided.is_some() {
            InvoiceStatus::Void
        } else if open.is_zero() {
            InvoiceStatus::Paid
        } else {
            InvoiceStatus::Open
        };
        let last_due = snapshot
            .schedule
            .iter()
            .map(|s| s.due_date)
            .max()
            .unwrap_or(snapshot.issue_date);
        let due_date = match status {
            InvoiceStatus::Open => balance.next_due_date().unwrap_or(last_due),
            InvoiceStatus::Paid | InvoiceStatus::Void => last_due,
        };
        Ok(Self {
            status,
            due_date,
            issue_date: snapshot.issue_date,
            number: search::fold(snapshot.number.as_str()),
            words: search::words(&format!("{} {}", snapshot.number, snapshot.buyer.name)),
            open,
        })
    }

    /// The listing of `invoice` with none of its payments or credit notes known.
    pub fn unpaid(invoice: &Invoice) -> Result<Self, ValidationError> {
        Self::of(invoice, &InvoiceBalance::of(invoice, &[], &[], &[])?)
    }

    /// Open, and its due date is before `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status == InvoiceStatus::Open && self.due_date < today
    }
}

/// The invoices a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceFilter {
    /// Every issued invoice, newest first.
    #[default]
    All,
    /// Open ones, soonest due first.
    Open,
    /// Open ones due before today, longest overdue first.
    Overdue,
    /// Paid ones, latest due first.
    Paid,
    /// Voided ones, latest due first.
    Void,
}

/// A filter as a range of `(status, due date)`: the status, and the due dates from `from` (inclusive)
/// to `before` (exclusive), either end open when `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusBounds {
    pub status: InvoiceStatus,
    pub from: Option<NaiveDate>,
    pub before: Option<NaiveDate>,
    /// Latest due date first.
    pub newest_first: bool,
}

impl InvoiceFilter {
    pub const ALL: [InvoiceFilter; 5] = [
        InvoiceFilter::All,
        InvoiceFilter::Open,
        InvoiceFilter::Overdue,
        InvoiceFilter::Paid,
        InvoiceFilter::Void,
    ];

    /// The range of `(status, due date)` this filter reads on `today`; `None` for every invoice.
    pub fn bounds(self, today: NaiveDate) -> Option<StatusBounds> {
        let of = |status, before, newest_first| StatusBounds {
            status,
            from: None,
            before,
            newest_first,
        };
        match self {
            InvoiceFilter::All => None,
            InvoiceFilter::Open => Some(of(InvoiceStatus::Open, None, false)),
            InvoiceFilter::Overdue => Some(of(InvoiceStatus::Open, Some(today), false)),
            InvoiceFilter::Paid => Some(of(InvoiceStatus::Paid, None, true)),
            InvoiceFilter::Void => Some(of(InvoiceStatus::Void, None, true)),
        }
    }

    /// Whether an invoice listed as `listing` belongs here on `today`.
    pub fn admits(self, listing: &InvoiceListing, today: NaiveDate) -> bool {
        match self.bounds(today) {
            None => true,
            Some(b) => {
                listing.status == b.status
                    && b.from.is_none_or(|from| listing.due_date >= from)
                    && b.before.is_none_or(|before| listing.due_date < before)
            }
        }
    }

    /// The word the list's filter shows.
    pub fn label(self) -> &'static str {
        match self {
            InvoiceFilter::All => "All",
            InvoiceFilter::Open => "Open",
            InvoiceFilter::Overdue => "Overdue",
            InvoiceFilter::Paid => "Paid",
            InvoiceFilter::Void => "Void",
        }
    }
}

impl Payment {
    /// Every invoice the payment concerns ([`Payment::concerns`]): those it names, then those its
    /// allocation applied money to, each once.
    pub fn invoices(&self) -> Vec<InvoiceId> {
        let mut out: Vec<InvoiceId> = self.received.named_invoices().to_vec();
        for line in &self.allocation.lines {
            if !out.contains(&line.item.invoice_id) {
                out.push(line.item.invoice_id);
            }
        }
        out
    }
}

/// What a customer is listed by, stored beside it: the name folded (the list's order) and its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerListing {
    pub name: String,
    pub words: Vec<String>,
}

impl CustomerListing {
    pub fn of(name: &str) -> Self {
        Self {
            name: search::fold(name.trim()),
            words: search::words(name),
        }
    }
}

#[cfg(test)]
mod tests;
