//! A customer's account: an append-only list of entries, and the open items and unapplied credit they
//! leave. Nothing is ever edited: a wrong allocation is corrected by a reversal entry.
//!
//! The balance of a customer in a currency is
//! invoices + fee invoices − credit notes − payments − discounts taken − write-offs − voids + refunds,
//! and always equals the sum of the open items less the unapplied credit.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::allocation::{AllocationPlan, Instruction, allocate};
use super::{ItemRef, OpenItem};
use crate::ids::InvoiceId;
use crate::money::{Currency, Money};
use crate::validation::{Rule, ValidationError};

/// What an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Invoice,
    FeeInvoice,
    CreditNote,
    Payment,
    Refund,
    DiscountTaken,
    WriteOff,
    /// Money moved from unapplied credit onto an open item (no effect on the balance).
    Allocation,
    /// An allocation undone: the item reopens, the money returns to unapplied credit.
    AllocationReversal,
    /// A discount taken with a reversed allocation, owed again.
    DiscountReversal,
    /// What was still open on an invoice when it was voided: no longer owed.
    Void,
}

impl EntryKind {
    /// +1 when the entry raises what the customer owes, −1 when it lowers it, 0 when it only moves
    /// money between unapplied credit and open items.
    pub fn balance_sign(self) -> i8 {
        match self {
            EntryKind::Invoice
            | EntryKind::FeeInvoice
            | EntryKind::Refund
            | EntryKind::DiscountReversal => 1,
            EntryKind::CreditNote
            | EntryKind::Payment
            | EntryKind::DiscountTaken
            | EntryKind::WriteOff
            | EntryKind::Void => -1,
            EntryKind::Allocation | EntryKind::AllocationReversal => 0,
        }
    }
}

/// How money moved between the customer and the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    BankTransfer,
    Card,
    Cash,
    Cheque,
    DirectDebit,
    /// Collected by an external agency and passed on.
    Collections,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 6] = [
        PaymentMethod::BankTransfer,
        PaymentMethod::Card,
        PaymentMethod::Cash,
        PaymentMethod::Cheque,
        PaymentMethod::DirectDebit,
        PaymentMethod::Collections,
    ];

    /// The ways a customer pays the organisation itself; money collected by an agency arrives through
    /// the agency, not over the counter.
    pub const DIRECT: [PaymentMethod; 5] = [
        PaymentMethod::BankTransfer,
        PaymentMethod::Card,
        PaymentMethod::Cash,
        PaymentMethod::Cheque,
        PaymentMethod::DirectDebit,
    ];

    /// The wire name, as the method serializes (`bank_transfer`).
    pub fn name(self) -> &'static str {
        match self {
            PaymentMethod::BankTransfer => "bank_transfer",
            PaymentMethod::Card => "card",
            PaymentMethod::Cash => "cash",
            PaymentMethod::Cheque => "cheque",
            PaymentMethod::DirectDebit => "direct_debit",
            PaymentMethod::Collections => "collections",
        }
    }

    /// Reads a wire name back; anything else is an error on `field`.
    pub fn from_name(field: &str, name: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| ValidationError::new(field, Rule::Required))
    }
}

/// One entry on the account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position on the account, from 1.
    pub seq: u64,
    pub date: NaiveDate,
    /// Document or payment reference shown on statements.
    pub reference: String,
    pub kind: EntryKind,
    /// Always positive; [`EntryKind::balance_sign`] gives the direction.
    pub amount: Money,
    /// The open item an allocation, discount or write-off concerns.
    pub item: Option<ItemRef>,
    /// For a reversal: the `seq` of the entry it undoes.
    pub reverses: Option<u64>,
    /// For a payment or refund: how the money moved.
    #[serde(default)]
    pub method: Option<PaymentMethod>,
}

/// A customer's account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    entries: Vec<Entry>,
    items: Vec<OpenItem>,
    unapplied: BTreeMap<Currency, Money>,
}

impl Account {
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    pub fn items(&self) -> &[OpenItem] {
        &self.items
    }

    /// Customer credit not yet applied to an invoice or refunded.
    pub fn unapplied(&self, currency: Currency) -> Money {
        self.unapplied
            .get(&currency)
            .copied()
            .unwrap_or_else(|| Money::zero(currency))
    }

    /// What the customer owes in `currency` (negative when in credit), from the entries.
    pub fn balance(&self, currency: Currency) -> Result<Money, ValidationError> {
        self.entries
            .iter()
            .filter(|e| e.amount.currency() == currency)
            .try_fold(Money::zero(currency), |acc, e| {
                match e.kind.balance_sign() {
                    1 => acc.checked_add(e.amount),
                    -1 => acc.checked_sub(e.amount),
                    _ => Ok(acc),
                }
            })
    }

    /// Currencies the account has entries in.
    pub fn currencies(&self) -> Vec<Currency> {
        let mut currencies: Vec<Currency> =
            self.entries.iter().map(|e| e.amount.currency()).collect();
        currencies.sort();
        currencies.dedup();
        currencies
    }

    fn push(
        &mut self,
        date: NaiveDate,
        reference: &str,
        kind: EntryKind,
        amount: Money,
        item: Option<ItemRef>,
        method: Option<PaymentMethod>,
    ) -> u64 {
        let seq = self.entries.len() as u64 + 1;
        self.entries.push(Entry {
            seq,
            date,
            reference: reference.to_owned(),
            kind,
            amount,
            item,
            reverses: None,
            method,
        });
        seq
    }

    /// Records an issued invoice (or fee invoice) by its instalments.
    pub fn invoice(
        &mut self,
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
        self.push(date, reference, kind, total, None, None);
        self.items.extend(instalments);
        Ok(())
    }

    /// Records money received and allocates it; what no item takes becomes unapplied credit.
    pub fn receive(
        &mut self,
        reference: &str,
        date: NaiveDate,
        amount: Money,
        method: PaymentMethod,
        instruction: &Instruction,
    ) -> Result<AllocationPlan, ValidationError> {
        self.settle(reference, date, amount, instruction, Some(method))
    }

    /// Records a credit note; it allocates like a payment.
    pub fn credit_note(
        &mut self,
        reference: &str,
        date: NaiveDate,
        amount: Money,
        instruction: &Instruction,
    ) -> Result<AllocationPlan, ValidationError> {
        self.settle(reference, date, amount, instruction, None)
    }

    fn settle(
        &mut self,
        reference: &str,
        date: NaiveDate,
        amount: Money,
        instruction: &Instruction,
        method: Option<PaymentMethod>,
    ) -> Result<AllocationPlan, ValidationError> {
        let plan = allocate(amount, date, &self.items, instruction)?;
        // Money received carries its method; a credit note is a document, not money.
        let kind = if method.is_some() {
            EntryKind::Payment
        } else {
            EntryKind::CreditNote
        };
        self.push(date, reference, kind, amount, None, method);
        let credit = self.unapplied(amount.currency()).checked_add(amount)?;
        self.unapplied.insert(amount.currency(), credit);
        self.apply(reference, date, &plan)?;
        Ok(plan)
    }

    /// Applies unapplied credit in `currency` to open items.
    pub fn apply_credit(
        &mut self,
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
        self.apply(reference, date, &plan)?;
        Ok(plan)
    }

    fn apply(
        &mut self,
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
            self.push(
                date,
                reference,
                EntryKind::Allocation,
                line.amount,
                Some(line.item),
                None,
            );
            if !line.discount.is_zero() {
                self.push(
                    date,
                    reference,
                    EntryKind::DiscountTaken,
                    line.discount,
                    Some(line.item),
                    None,
                );
            }
        }
        Ok(())
    }

    /// Returns unapplied credit to the customer.
    pub fn refund(
        &mut self,
        reference: &str,
        date: NaiveDate,
        amount: Money,
        method: PaymentMethod,
    ) -> Result<(), ValidationError> {
        if amount.amount() <= rust_decimal::Decimal::ZERO {
            return Err(ValidationError::new("amount", Rule::Positive));
        }
        let credit = self.unapplied(amount.currency());
        if amount.amount() > credit.amount() {
            return Err(ValidationError::new(
                "amount",
                Rule::Range {
                    min: "0".into(),
                    max: credit.amount().to_string(),
                },
            ));
        }
        self.record_refund(reference, date, amount, method)
            .map(drop)
    }

    /// Records a refund that was paid out whatever the customer's credit: money that has left is a fact.
    /// Returns the part that exceeded the credit (zero when none); the account then shows it as owed.
    pub fn record_refund(
        &mut self,
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
        self.push(
            date,
            reference,
            EntryKind::Refund,
            amount,
            None,
            Some(method),
        );
        Ok(excess)
    }

    /// Voids an invoice: money allocated to it returns to unapplied credit (a payment never disappears
    /// with the invoice it paid), and what is open on each instalment is no longer owed. Returns the
    /// amount taken off the balance.
    pub fn void(
        &mut self,
        reference: &str,
        date: NaiveDate,
        invoice: InvoiceId,
    ) -> Result<Money, ValidationError> {
        let mine = |e: &Entry| e.item.is_some_and(|i| i.invoice_id == invoice);
        let first = self
            .items
            .iter()
            .find(|i| i.item.invoice_id == invoice)
            .ok_or_else(|| ValidationError::new("invoice_id", Rule::Required))?;
        let currency = first.amount.currency();
        let allocations: Vec<u64> = self
            .entries
            .iter()
            .filter(|e| e.kind == EntryKind::Allocation && mine(e))
            .filter(|e| !self.entries.iter().any(|r| r.reverses == Some(e.seq)))
            .map(|e| e.seq)
            .collect();
        for seq in allocations {
            self.reverse_allocation(reference, date, seq)?;
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
            self.push(date, reference, EntryKind::Void, open, Some(item), None);
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
        self.push(
            date,
            reference,
            EntryKind::WriteOff,
            amount,
            Some(item),
            None,
        );
        Ok(())
    }

    /// Undoes an allocation (and the discount taken with it): the item reopens and the money returns to
    /// unapplied credit. The original entries stay; the correction is new entries.
    pub fn reverse_allocation(
        &mut self,
        reference: &str,
        date: NaiveDate,
        seq: u64,
    ) -> Result<(), ValidationError> {
        let original = self
            .entries
            .iter()
            .find(|e| e.seq == seq && e.kind == EntryKind::Allocation)
            .cloned()
            .ok_or_else(|| ValidationError::new("allocation", Rule::Required))?;
        if self.entries.iter().any(|e| e.reverses == Some(seq)) {
            return Err(ValidationError::new(
                "allocation",
                Rule::Matches {
                    expected: "an allocation not reversed yet".into(),
                },
            ));
        }
        let discount = self
            .entries
            .iter()
            .find(|e| {
                e.seq == seq + 1 && e.kind == EntryKind::DiscountTaken && e.item == original.item
            })
            .map(|e| e.amount);
        let item_ref = original
            .item
            .ok_or_else(|| ValidationError::new("item", Rule::Required))?;
        let item = self
            .items
            .iter_mut()
            .find(|i| i.item == item_ref)
            .ok_or_else(|| ValidationError::new("item", Rule::Required))?;
        item.open = item.open.checked_add(original.amount)?;
        let currency = original.amount.currency();
        if let Some(discount) = discount {
            item.open = item.open.checked_add(discount)?;
        }
        let credit = self.unapplied(currency).checked_add(original.amount)?;
        self.unapplied.insert(currency, credit);
        let reversal = self.push(
            date,
            reference,
            EntryKind::AllocationReversal,
            original.amount,
            original.item,
            None,
        );
        self.entries[reversal as usize - 1].reverses = Some(seq);
        if let Some(discount) = discount {
            // A discount no longer earned is owed again.
            self.push(
                date,
                reference,
                EntryKind::DiscountReversal,
                discount,
                original.item,
                None,
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::InvoiceId;
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

    #[test]
    fn payment_method_names_are_the_wire_names() {
        for method in PaymentMethod::ALL {
            let wire = serde_json::to_string(&method).unwrap();
            assert_eq!(wire, format!("\"{}\"", method.name()));
            assert_eq!(
                PaymentMethod::from_name("method", method.name()),
                Ok(method)
            );
        }
        assert!(PaymentMethod::from_name("method", "Bank transfer").is_err());
        assert!(!PaymentMethod::DIRECT.contains(&PaymentMethod::Collections));
    }

    fn item(n: u8, instalment: u16, due: u32, amount: Decimal) -> OpenItem {
        OpenItem {
            item: ItemRef {
                invoice_id: InvoiceId::parse(&format!("019a4d5e-0000-7000-8000-0000000003{n:02x}"))
                    .unwrap(),
                instalment,
            },
            number: format!("INV-{n}"),
            issue_date: d(1),
            due_date: d(due),
            amount: eur(amount),
            open: eur(amount),
            discount: None,
            disputed: false,
        }
    }

    /// balance = Σ open − unapplied, the reconciliation every statement relies on.
    fn assert_reconciles(account: &Account) {
        let currency = Currency::parse("EUR").unwrap();
        let open = Money::sum(currency, account.items().iter().map(|i| i.open)).unwrap();
        assert_eq!(
            account.balance(currency).unwrap(),
            open.checked_sub(account.unapplied(currency)).unwrap()
        );
    }

    #[test]
    fn overpayment_becomes_credit_that_can_be_applied_or_refunded() {
        let mut a = Account::default();
        a.invoice(
            "INV-1",
            d(1),
            vec![item(1, 0, 10, dec!(100))],
            EntryKind::Invoice,
        )
        .unwrap();
        a.receive(
            "PAY-1",
            d(5),
            eur(dec!(150)),
            PaymentMethod::BankTransfer,
            &Instruction::OldestDueFirst,
        )
        .unwrap();
        assert_eq!(a.unapplied(eur(dec!(0)).currency()).amount(), dec!(50.00));
        assert_eq!(
            a.balance(eur(dec!(0)).currency()).unwrap().amount(),
            dec!(-50.00)
        );
        assert_reconciles(&a);

        a.invoice(
            "INV-2",
            d(6),
            vec![item(2, 0, 20, dec!(30))],
            EntryKind::Invoice,
        )
        .unwrap();
        a.apply_credit(
            "CREDIT",
            d(6),
            eur(dec!(0)).currency(),
            &Instruction::OldestDueFirst,
        )
        .unwrap();
        assert!(a.items()[1].is_settled());
        assert_reconciles(&a);

        assert!(
            a.refund("REF-1", d(7), eur(dec!(25)), PaymentMethod::BankTransfer)
                .is_err(),
            "only 20.00 credit is left"
        );
        a.refund("REF-1", d(7), eur(dec!(20)), PaymentMethod::BankTransfer)
            .unwrap();
        assert_eq!(
            a.balance(eur(dec!(0)).currency()).unwrap().amount(),
            dec!(0.00)
        );
        assert_reconciles(&a);
    }

    #[test]
    fn instalments_are_open_items_of_their_own() {
        let mut a = Account::default();
        a.invoice(
            "INV-1",
            d(1),
            vec![item(1, 0, 10, dec!(50)), item(1, 1, 25, dec!(50))],
            EntryKind::Invoice,
        )
        .unwrap();
        a.receive(
            "PAY-1",
            d(5),
            eur(dec!(60)),
            PaymentMethod::BankTransfer,
            &Instruction::OldestDueFirst,
        )
        .unwrap();
        let opens: Vec<_> = a.items().iter().map(|i| i.open.amount()).collect();
        assert_eq!(opens, vec![dec!(0.00), dec!(40.00)]);
    }

    #[test]
    fn a_reversed_allocation_reopens_the_item_and_keeps_the_history() {
        let mut a = Account::default();
        let mut skonto = item(1, 0, 31, dec!(1000));
        skonto.discount = Some(DiscountWindow {
            until: d(11),
            amount: eur(dec!(20)),
        });
        a.invoice("INV-1", d(1), vec![skonto], EntryKind::Invoice)
            .unwrap();
        a.receive(
            "PAY-1",
            d(9),
            eur(dec!(980)),
            PaymentMethod::BankTransfer,
            &Instruction::OldestDueFirst,
        )
        .unwrap();
        assert!(a.items()[0].is_settled());
        let allocation = a
            .entries()
            .iter()
            .find(|e| e.kind == EntryKind::Allocation)
            .unwrap()
            .seq;
        let before = a.entries().len();
        a.reverse_allocation("FIX-1", d(12), allocation).unwrap();
        assert_eq!(a.items()[0].open.amount(), dec!(1000.00));
        assert_eq!(a.unapplied(eur(dec!(0)).currency()).amount(), dec!(980.00));
        assert!(a.entries().len() > before);
        assert_reconciles(&a);
        assert!(
            a.reverse_allocation("FIX-2", d(12), allocation).is_err(),
            "reversed once only"
        );
    }

    #[test]
    fn a_write_off_cannot_exceed_what_is_open() {
        let mut a = Account::default();
        a.invoice(
            "INV-1",
            d(1),
            vec![item(1, 0, 10, dec!(100))],
            EntryKind::Invoice,
        )
        .unwrap();
        let item_ref = a.items()[0].item;
        assert!(
            a.write_off("WO-1", d(31), item_ref, eur(dec!(100.01)))
                .is_err()
        );
        a.write_off("WO-1", d(31), item_ref, eur(dec!(100)))
            .unwrap();
        assert_reconciles(&a);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Invoice(i64, u32),
        Pay(i64, bool),
        CreditNote(i64),
        ApplyCredit,
        Refund(i64),
        WriteOff(usize, i64),
        Reverse(usize),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (1i64..100_000, 1u32..28).prop_map(|(a, d)| Op::Invoice(a, d)),
            (1i64..150_000, any::<bool>()).prop_map(|(a, n)| Op::Pay(a, n)),
            (1i64..50_000).prop_map(Op::CreditNote),
            Just(Op::ApplyCredit),
            (1i64..50_000).prop_map(Op::Refund),
            (0usize..10, 1i64..50_000).prop_map(|(i, a)| Op::WriteOff(i, a)),
            (0usize..40).prop_map(Op::Reverse),
        ]
    }

    proptest! {
        #[test]
        fn the_balance_always_equals_open_items_less_unapplied_credit(ops in prop::collection::vec(op(), 1..40)) {
            let mut a = Account::default();
            let eur_ = eur(dec!(0)).currency();
            let mut n = 0u8;
            for op in ops {
                // Operations the rules refuse must leave the account unchanged.
                let before = a.clone();
                let result = match op {
                    Op::Invoice(amount, due) => {
                        n += 1;
                        a.invoice("I", d(1), vec![item(n, 0, due, Decimal::new(amount, 2))], EntryKind::Invoice)
                    }
                    Op::Pay(amount, named) => {
                        let instruction = match (named, a.items().first()) {
                            (true, Some(i)) => Instruction::Named(vec![i.item.invoice_id]),
                            _ => Instruction::OldestDueFirst,
                        };
                        a.receive("P", d(10), eur(Decimal::new(amount, 2)), PaymentMethod::BankTransfer, &instruction).map(|_| ())
                    }
                    Op::CreditNote(amount) => a.credit_note("C", d(10), eur(Decimal::new(amount, 2)), &Instruction::OldestDueFirst).map(|_| ()),
                    Op::ApplyCredit => a.apply_credit("A", d(11), eur_, &Instruction::OldestDueFirst).map(|_| ()),
                    Op::Refund(amount) => a.refund("R", d(12), eur(Decimal::new(amount, 2)), PaymentMethod::Cash),
                    Op::WriteOff(i, amount) => match a.items().get(i).map(|x| x.item) {
                        Some(item) => a.write_off("W", d(13), item, eur(Decimal::new(amount, 2))),
                        None => Ok(()),
                    },
                    Op::Reverse(seq) => a.reverse_allocation("X", d(14), seq as u64),
                };
                if result.is_err() {
                    prop_assert_eq!(&a, &before);
                }
                assert_reconciles(&a);
                prop_assert!(!a.unapplied(eur_).amount().is_sign_negative());
                for i in a.items() {
                    prop_assert!(!i.open.amount().is_sign_negative());
                }
            }
        }
    }
}
