//! A customer's position: what every decision about the account reads, bounded by what is open rather
//! than by the customer's history. The balance and unapplied credit per currency as running totals, the
//! items of invoices with something still open, the allocations on them not yet reversed (what voiding
//! an invoice gives back), and how many entries the account has.
//!
//! An invoice whose every item is settled can never be reopened for good (voiding it reverses its
//! allocations and closes what they reopened), so [`Position::settle_out`] sets it aside as a
//! [`SettledInvoice`]; an event that names it again (a void, a credit note, a payment naming it, a
//! dispute) is applied after [`Position::restore`] puts it back, and it leaves again settled. The
//! entries (what a statement lists) are not part of the position: each operation appends the ones it
//! makes to the journal it is given.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::account::{Entry, EntryKind, PaymentMethod};
use super::allocation::{AllocationPlan, Instruction, allocate, allocate_credit_note};
use super::{ItemRef, OpenItem};
use crate::ids::InvoiceId;
use crate::money::{Currency, Money};
use crate::validation::{Rule, ValidationError};

/// An allocation not reversed: what reversing it gives back to the item and to unapplied credit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Allocated {
    /// The allocation entry's `seq`.
    pub seq: u64,
    pub item: ItemRef,
    pub amount: Money,
    /// The early-payment discount taken with it, when one was.
    pub discount: Option<Money>,
}

/// A settled invoice set aside from the position: its items and the allocations that settled them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SettledInvoice {
    pub invoice_id: InvoiceId,
    pub items: Vec<OpenItem>,
    pub allocations: Vec<Allocated>,
}

/// What decisions about a customer's account read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Position {
    /// What the customer owes per currency (negative when in credit): the running total of the entries.
    balance: BTreeMap<Currency, Money>,
    unapplied: BTreeMap<Currency, Money>,
    items: Vec<OpenItem>,
    allocations: Vec<Allocated>,
    /// How many entries the account has; the next one is numbered one more.
    entries: u64,
}

/// The entries an operation appends.
pub type Journal = Vec<Entry>;

/// One entry to append.
struct Line<'a> {
    date: NaiveDate,
    reference: &'a str,
    kind: EntryKind,
    amount: Money,
    item: Option<ItemRef>,
    method: Option<PaymentMethod>,
    reverses: Option<u64>,
}

impl Position {
    /// The items of invoices with something open (and of any restored settled invoice).
    pub fn items(&self) -> &[OpenItem] {
        &self.items
    }

    /// The allocations not reversed on the position's items, oldest first.
    pub fn allocations(&self) -> &[Allocated] {
        &self.allocations
    }

    /// How many entries the account has.
    pub fn entry_count(&self) -> u64 {
        self.entries
    }

    /// Customer credit not yet applied to an invoice or refunded.
    pub fn unapplied(&self, currency: Currency) -> Money {
        self.unapplied
            .get(&currency)
            .copied()
            .unwrap_or_else(|| Money::zero(currency))
    }

    /// What the customer owes in `currency` (negative when in credit): the sum of the entries.
    pub fn balance(&self, currency: Currency) -> Result<Money, ValidationError> {
        Ok(self
            .balance
            .get(&currency)
            .copied()
            .unwrap_or_else(|| Money::zero(currency)))
    }

    /// Currencies the account has entries in.
    pub fn currencies(&self) -> Vec<Currency> {
        self.balance.keys().copied().collect()
    }

    /// What a statement covers: the customer's own currency, even with nothing in it yet, and every
    /// other the account has entries in, in code order.
    pub fn statement_currencies(&self, customer_currency: Currency) -> Vec<Currency> {
        let mut currencies = self.currencies();
        if !currencies.contains(&customer_currency) {
            currencies.push(customer_currency);
            currencies.sort();
        }
        currencies
    }

    /// Whether the position holds `invoice`'s items.
    pub fn holds(&self, invoice: InvoiceId) -> bool {
        self.items.iter().any(|i| i.item.invoice_id == invoice)
    }

    /// Takes out every invoice whose items are all settled, with its allocations, in the order the
    /// invoices first appear among the items. Linear in the items and allocations (with a set of the
    /// invoices still open): a position of many open invoices is read on every page of the portal and
    /// every change.
    pub fn settle_out(&mut self) -> Vec<SettledInvoice> {
        // The common case, a position read back as it was stored: nothing settled to take out.
        if !self.items.iter().any(OpenItem::is_settled) {
            return Vec::new();
        }
        let open: BTreeSet<InvoiceId> = self
            .items
            .iter()
            .filter(|i| !i.is_settled())
            .map(|i| i.item.invoice_id)
            .collect();
        if self.items.iter().all(|i| open.contains(&i.item.invoice_id)) {
            return Vec::new();
        }
        let mut settled: Vec<SettledInvoice> = Vec::new();
        let mut at: BTreeMap<InvoiceId, usize> = BTreeMap::new();
        for item in std::mem::take(&mut self.items) {
            let invoice_id = item.item.invoice_id;
            if open.contains(&invoice_id) {
                self.items.push(item);
                continue;
            }
            let index = *at.entry(invoice_id).or_insert_with(|| {
                settled.push(SettledInvoice {
                    invoice_id,
                    items: Vec::new(),
                    allocations: Vec::new(),
                });
                settled.len() - 1
            });
            settled[index].items.push(item);
        }
        for allocation in std::mem::take(&mut self.allocations) {
            match at.get(&allocation.item.invoice_id) {
                Some(&index) => settled[index].allocations.push(allocation),
                None => self.allocations.push(allocation),
            }
        }
        settled
    }

    /// Puts a settled invoice back, for an event that names it.
    pub fn restore(&mut self, invoice: SettledInvoice) {
        self.items.extend(invoice.items);
        self.allocations.extend(invoice.allocations);
        self.allocations.sort_by_key(|a| a.seq);
    }

    fn push(&mut self, journal: &mut Journal, line: Line) -> Result<u64, ValidationError> {
        let currency = line.amount.currency();
        let balance = self.balance(currency)?;
        let balance = match line.kind.balance_sign() {
            1 => balance.checked_add(line.amount)?,
            -1 => balance.checked_sub(line.amount)?,
            _ => balance,
        };
        self.balance.insert(currency, balance);
        self.entries += 1;
        journal.push(Entry {
            seq: self.entries,
            date: line.date,
            reference: line.reference.to_owned(),
            kind: line.kind,
            amount: line.amount,
            item: line.item,
            reverses: line.reverses,
            method: line.method,
        });
        Ok(self.entries)
    }

    /// Records an issued invoice (or fee invoice) by its instalments.
    pub fn invoice(
        &mut self,
        journal: &mut Journal,
        reference: &str,
        date: NaiveDate,
        instalments: Vec<OpenItem>,
        kind: EntryKind,
    ) -> Result<(), ValidationError> {
        if !matches!(kind, EntryKind::Invoice | EntryKind::FeeInvoice) {
            return Err(ValidationError::new(
                "kind",
                Rule::Matches {
                    expected: "invoice or fee_invoice".into(),
                },
            ));
        }
        let first = instalments
            .first()
            .ok_or_else(|| ValidationError::new("instalments", Rule::Required))?;
        let total = Money::sum(
            first.amount.currency(),
            instalments.iter().map(|i| i.amount),
        )?;
        if self
            .items
            .iter()
            .any(|i| instalments.iter().any(|n| n.item == i.item))
        {
            return Err(ValidationError::new(
                "invoice_id",
                Rule::Matches {
                    expected: "an invoice not yet on the account".into(),
                },
            ));
        }
        self.push(journal, Line::new(date, reference, kind, total))?;
        self.items.extend(instalments);
        Ok(())
    }

    /// Records money received (`method` given) or a credit note, and allocates it; what no item takes
    /// becomes unapplied credit.
    pub fn settle(
        &mut self,
        journal: &mut Journal,
        reference: &str,
        date: NaiveDate,
        amount: Money,
        instruction: &Instruction,
        method: Option<PaymentMethod>,
    ) -> Result<AllocationPlan, ValidationError> {
        let plan = match method {
            Some(_) => allocate(amount, date, &self.items, instruction)?,
            None => allocate_credit_note(amount, date, &self.items, instruction)?,
        };
        // Money received carries its method; a credit note is a document, not money.
        let kind = if method.is_some() {
            EntryKind::Payment
        } else {
            EntryKind::CreditNote
        };
        let mut line = Line::new(date, reference, kind, amount);
        line.method = method;
        self.push(journal, line)?;
        let credit = self.unapplied(amount.currency()).checked_add(amount)?;
        self.unapplied.insert(amount.currency(), credit);
        self.apply(journal, reference, date, &plan)?;
        Ok(plan)
    }

    /// Applies unapplied credit in `currency` to open items.
    pub fn apply_credit(
        &mut self,
        journal: &mut Journal,
        reference: &str,
        date: NaiveDate,
        currency: Currency,
        instruction: &Instruction,
    ) -> Result<AllocationPlan, ValidationError> {
        let credit = self.unapplied(currency);
        if credit.is_zero() {
            return Err(ValidationError::new("unapplied", Rule::Positive));
        }
        let plan = allocate(credit, date, &self.items, instruction)?;
        self.apply(journal, reference, date, &plan)?;
        Ok(plan)
    }

    fn apply(
        &mut self,
        journal: &mut Journal,
        reference: &str,
        date: NaiveDate,
        plan: &AllocationPlan,
    ) -> Result<(), ValidationError> {
        for line in &plan.lines {
            let item = self
                .items
                .iter_mut()
                .find(|i| i.item == line.item)
                .ok_or_else(|| ValidationError::new("item", Rule::Required))?;
            item.open = item
                .open
                .checked_sub(line.amount)?
                .checked_sub(line.discount)?;
            let currency = line.amount.currency();
            let credit = self.unapplied(currency).checked_sub(line.amount)?;
            self.unapplied.insert(currency, credit);
            let mut allocation = Line::new(date, reference, EntryKind::Allocation, line.amount);
            allocation.item = Some(line.item);
            let seq = self.push(journal, allocation)?;
            let discount = (!line.discount.is_zero()).then_some(line.discount);
            if let Some(discount) = discount {
                let mut taken = Line::new(date, reference, EntryKind::DiscountTaken, discount);
                taken.item = Some(line.item);
                self.push(journal, taken)?;
            }
            self.allocations.push(Allocated {
                seq,
                item: line.item,
                amount: line.amount,
                discount,
            });
        }
        Ok(())
    }

    /// Records a refund that was paid out whatever the customer's credit: money that has left is a fact.
    /// Returns the part that exceeded the credit (zero when none); the account then shows it as owed.
    pub fn record_refund(
        &mut self,
        journal: &mut Journal,
        reference: &str,
        date: NaiveDate,
        amount: Money,
        method: PaymentMethod,
    ) -> Result<Money, ValidationError> {
        if amount.amount() <= rust_decimal::Decimal::ZERO {
            return Err(ValidationError::new("amount", Rule::Positive));
        }
        let credit = self.unapplied(amount.currency());
        let left = credit.checked_sub(amount)?;
        let excess = if left.amount().is_sign_negative() {
            Money::zero(amount.currency()).checked_sub(left)?
        } else {
            Money::zero(amount.currency())
        };
        self.unapplied.insert(amount.currency(), left);
        let mut line = Line::new(date, reference, EntryKind::Refund, amount);
        line.method = Some(method);
        self.push(journal, line)?;
        Ok(excess)
    }

    /// Voids an invoice: money allocated to it returns to unapplied credit (a payment never disappears
    /// with the invoice it paid), and what is open on each instalment is no longer owed. Returns the
    /// amount taken off the balance.
    pub fn void(
        &mut self,
        journal: &mut Journal,
        reference: &str,
        date: NaiveDate,
        invoice: InvoiceId,
    ) -> Result<Money, ValidationError> {
        let first = self
            .items
            .iter()
            .find(|i| i.item.invoice_id == invoice)
            .ok_or_else(|| ValidationError::new("invoice_id", Rule::Required))?;
        let currency = first.amount.currency();
        let allocations: Vec<u64> = self
            .allocations
            .iter()
            .filter(|a| a.item.invoice_id == invoice)
            .map(|a| a.seq)
            .collect();
        for seq in allocations {
            self.reverse_allocation(journal, reference, date, seq)?;
        }
        let mut voided = Money::zero(currency);
        let mut closed = Vec::new();
        for item in self
            .items
            .iter_mut()
            .filter(|i| i.item.invoice_id == invoice)
        {
            if !item.open.is_zero() {
                closed.push((item.item, item.open));
                voided = voided.checked_add(item.open)?;
                item.open = Money::zero(currency);
            }
        }
        for (item, open) in closed {
            let mut line = Line::new(date, reference, EntryKind::Void, open);
            line.item = Some(item);
            self.push(journal, line)?;
        }
        Ok(voided)
    }

    /// Marks an invoice's instalments as disputed (dunning pauses) or no longer disputed.
    pub fn set_disputed(
        &mut self,
        invoice: InvoiceId,
        disputed: bool,
    ) -> Result<(), ValidationError> {
        let mut found = false;
        for item in self
            .items
            .iter_mut()
            .filter(|i| i.item.invoice_id == invoice)
        {
            item.disputed = disputed;
            found = true;
        }
        if found {
            Ok(())
        } else {
            Err(ValidationError::new("invoice_id", Rule::Required))
        }
    }

    /// Writes off (part of) an open item as bad debt.
    pub fn write_off(
        &mut self,
        journal: &mut Journal,
        reference: &str,
        date: NaiveDate,
        item: ItemRef,
        amount: Money,
    ) -> Result<(), ValidationError> {
        let open = self
            .items
            .iter_mut()
            .find(|i| i.item == item)
            .ok_or_else(|| ValidationError::new("item", Rule::Required))?;
        if amount.amount() <= rust_decimal::Decimal::ZERO || amount.amount() > open.open.amount() {
            return Err(ValidationError::new(
                "amount",
                Rule::Range {
                    min: "0".into(),
                    max: open.open.amount().to_string(),
                },
            ));
        }
        open.open = open.open.checked_sub(amount)?;
        let mut line = Line::new(date, reference, EntryKind::WriteOff, amount);
        line.item = Some(item);
        self.push(journal, line)?;
        Ok(())
    }

    /// Undoes a live allocation (and the discount taken with it): the item reopens and the money returns
    /// to unapplied credit. The original entries stay; the correction is new entries.
    pub fn reverse_allocation(
        &mut self,
        journal: &mut Journal,
        reference: &str,
        date: NaiveDate,
        seq: u64,
    ) -> Result<(), ValidationError> {
        let at = self
            .allocations
            .iter()
            .position(|a| a.seq == seq)
            .ok_or_else(|| ValidationError::new("allocation", Rule::Required))?;
        let original = self.allocations[at];
        let item = self
            .items
            .iter_mut()
            .find(|i| i.item == original.item)
            .ok_or_else(|| ValidationError::new("item", Rule::Required))?;
        item.open = item.open.checked_add(original.amount)?;
        if let Some(discount) = original.discount {
            item.open = item.open.checked_add(discount)?;
        }
        self.allocations.remove(at);
        let currency = original.amount.currency();
        let credit = self.unapplied(currency).checked_add(original.amount)?;
        self.unapplied.insert(currency, credit);
        let mut reversal = Line::new(
            date,
            reference,
            EntryKind::AllocationReversal,
            original.amount,
        );
        reversal.item = Some(original.item);
        reversal.reverses = Some(seq);
        self.push(journal, reversal)?;
        if let Some(discount) = original.discount {
            // A discount no longer earned is owed again.
            let mut owed = Line::new(date, reference, EntryKind::DiscountReversal, discount);
            owed.item = Some(original.item);
            self.push(journal, owed)?;
        }
        Ok(())
    }
}

impl<'a> Line<'a> {
    fn new(date: NaiveDate, reference: &'a str, kind: EntryKind, amount: Money) -> Self {
        Self {
            date,
            reference,
            kind,
            amount,
            item: None,
            method: None,
            reverses: None,
        }
    }
}
