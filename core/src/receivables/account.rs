//! A customer's account: an append-only list of entries, and the open items and unapplied credit they
//! leave. Nothing is ever edited: a wrong allocation is corrected by a reversal entry.
//!
//! The balance of a customer in a currency is
//! invoices + fee invoices − credit notes − payments − discounts taken − write-offs − voids + refunds,
//! and always equals the sum of the open items less the unapplied credit.

use std::ops::Deref;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::allocation::{AllocationPlan, Instruction};
use super::position::Position;
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

/// A customer's account: its [`Position`] (what decisions read) and the entries recorded on it (what
/// statements read). A replayed account ([`super::events::replay`]) holds every entry; one opened at a
/// stored position ([`Account::open`]) holds the entries recorded on it since.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Account {
    position: Position,
    entries: Vec<Entry>,
}

impl Deref for Account {
    type Target = Position;

    fn deref(&self) -> &Position {
        &self.position
    }
}

impl Account {
    /// The account at a stored position, with no entries recorded on it yet.
    pub fn open(position: Position) -> Self {
        Self {
            position,
            entries: Vec::new(),
        }
    }

    /// The position and the entries recorded on the account.
    pub fn into_parts(self) -> (Position, Vec<Entry>) {
        (self.position, self.entries)
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Records an issued invoice (or fee invoice) by its instalments.
    pub fn invoice(
        &mut self,
        reference: &str,
        date: NaiveDate,
        instalments: Vec<OpenItem>,
        kind: EntryKind,
    ) -> Result<(), ValidationError> {
        self.position
            .invoice(&mut self.entries, reference, date, instalments, kind)
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
        self.position.settle(
            &mut self.entries,
            reference,
            date,
            amount,
            instruction,
            Some(method),
        )
    }

    /// Records a credit note; it allocates like a payment.
    pub fn credit_note(
        &mut self,
        reference: &str,
        date: NaiveDate,
        amount: Money,
        instruction: &Instruction,
    ) -> Result<AllocationPlan, ValidationError> {
        self.position.settle(
            &mut self.entries,
            reference,
            date,
            amount,
            instruction,
            None,
        )
    }

    /// Applies unapplied credit in `currency` to open items.
    pub fn apply_credit(
        &mut self,
        reference: &str,
        date: NaiveDate,
        currency: Currency,
        instruction: &Instruction,
    ) -> Result<AllocationPlan, ValidationError> {
        self.position
            .apply_credit(&mut self.entries, reference, date, currency, instruction)
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
        self.position
            .record_refund(&mut self.entries, reference, date, amount, method)
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
        self.position
            .void(&mut self.entries, reference, date, invoice)
    }

    /// Marks an invoice's instalments as disputed (dunning pauses) or no longer disputed.
    pub fn set_disputed(
        &mut self,
        invoice: InvoiceId,
        disputed: bool,
    ) -> Result<(), ValidationError> {
        self.position.set_disputed(invoice, disputed)
    }

    /// Writes off (part of) an open item as bad debt.
    pub fn write_off(
        &mut self,
        reference: &str,
        date: NaiveDate,
        item: ItemRef,
        amount: Money,
    ) -> Result<(), ValidationError> {
        self.position
            .write_off(&mut self.entries, reference, date, item, amount)
    }

    /// Undoes an allocation (and the discount taken with it): the item reopens and the money returns to
    /// unapplied credit. The original entries stay; the correction is new entries.
    pub fn reverse_allocation(
        &mut self,
        reference: &str,
        date: NaiveDate,
        seq: u64,
    ) -> Result<(), ValidationError> {
        if self.entries.iter().any(|e| e.reverses == Some(seq)) {
            return Err(ValidationError::new(
                "allocation",
                Rule::Matches {
                    expected: "an allocation not reversed yet".into(),
                },
            ));
        }
        self.position
            .reverse_allocation(&mut self.entries, reference, date, seq)
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

    /// Found by the convergence test's ledger check: a credit note inside an early-payment discount's
    /// window once took the discount as a payment would, so a full credit note left the customer the
    /// discount as credit.
    #[test]
    fn a_credit_note_earns_no_early_payment_discount() {
        let mut a = Account::default();
        let mut skonto = item(1, 0, 31, dec!(1000));
        skonto.discount = Some(DiscountWindow {
            until: d(11),
            amount: eur(dec!(20)),
        });
        a.invoice("INV-1", d(1), vec![skonto.clone()], EntryKind::Invoice)
            .unwrap();
        let plan = a
            .credit_note("CN-1", d(5), eur(dec!(1000)), &Instruction::OldestDueFirst)
            .unwrap();
        assert!(a.items()[0].is_settled());
        assert!(plan.lines.iter().all(|l| l.discount.is_zero()));
        assert!(plan.unapplied.is_zero());
        assert!(a.unapplied(eur(dec!(0)).currency()).is_zero());
        assert_reconciles(&a);

        // Money received inside the window still takes it.
        let mut b = Account::default();
        b.invoice("INV-1", d(1), vec![skonto], EntryKind::Invoice)
            .unwrap();
        let paid = b
            .receive(
                "PAY-1",
                d(5),
                eur(dec!(980)),
                PaymentMethod::BankTransfer,
                &Instruction::OldestDueFirst,
            )
            .unwrap();
        assert_eq!(paid.lines[0].discount, eur(dec!(20)));
        assert!(b.items()[0].is_settled());
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
