//! What is still open on one issued invoice, as a device knows it: the instalments as issued, less what
//! the server's allocations applied to them, less its credit notes (each allocated to the invoice as the
//! server allocates it, by [`allocate`]), less what the payments recorded here and not yet allocated will
//! take once they arrive (allocated here exactly as the server will).
//!
//! The app shows the next unpaid due date and pre-fills the payment form from this; the server's
//! account ([`super::account::Account`]) stays the record.

use chrono::NaiveDate;

use super::OpenItem;
use super::allocation::{AllocationLine, Instruction, allocate, allocate_credit_note};
use super::payment::{Payment, RecordPayment};
use crate::document::issued::{CreditNote, Invoice};
use crate::ids::InvoiceId;
use crate::money::{Currency, Money};
use crate::terms::ScheduledPayment;
use crate::validation::ValidationError;

/// One invoice's instalments with what is open on each.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceBalance {
    currency: Currency,
    items: Vec<OpenItem>,
}

impl InvoiceBalance {
    /// The instalments of an invoice issued on `issue_date` with `schedule`, nothing paid yet.
    pub fn new(
        invoice_id: InvoiceId,
        number: &str,
        issue_date: NaiveDate,
        currency: Currency,
        schedule: &[ScheduledPayment],
    ) -> Self {
        Self {
            currency,
            items: OpenItem::for_invoice(invoice_id, number, issue_date, schedule),
        }
    }

    /// What is open on `invoice` after the server's `recorded` payments, its issued `credit_notes`
    /// (those of other invoices are skipped) and this device's `pending` payments (oldest first, as they
    /// will reach the server). A voided invoice has nothing open.
    pub fn of(
        invoice: &Invoice,
        recorded: &[Payment],
        credit_notes: &[CreditNote],
        pending: &[RecordPayment],
    ) -> Result<Self, ValidationError> {
        let snapshot = &invoice.snapshot;
        let mut balance = Self::new(
            invoice.id,
            snapshot.number.as_str(),
            snapshot.issue_date,
            snapshot.document.currency,
            &snapshot.schedule,
        );
        if invoice.voided.is_some() {
            for item in &mut balance.items {
                item.open = Money::zero(balance.currency);
            }
            return Ok(balance);
        }
        for payment in recorded {
            balance.settle(payment.applied_to(invoice.id))?;
        }
        let mut credited: Vec<&CreditNote> = credit_notes
            .iter()
            .filter(|c| c.invoice_id == invoice.id)
            .collect();
        credited.sort_by_key(|c| (c.snapshot.issue_date, c.place.position));
        for note in credited {
            balance.credit(note)?;
        }
        for payment in pending {
            balance.expect(payment)?;
        }
        Ok(balance)
    }

    /// Takes off what allocation `lines` applied (and the discounts they granted) to these instalments;
    /// lines for other invoices are skipped.
    pub fn settle<'a>(
        &mut self,
        lines: impl IntoIterator<Item = &'a AllocationLine>,
    ) -> Result<(), ValidationError> {
        for line in lines {
            if let Some(item) = self.items.iter_mut().find(|i| i.item == line.item) {
                item.open = item
                    .open
                    .checked_sub(line.amount)?
                    .checked_sub(line.discount)?;
            }
        }
        Ok(())
    }

    /// Takes off what a credit note of the invoice applies to it: allocated to the invoice as the
    /// server's account takes it (as a payment naming it would be, without an early-payment discount).
    pub fn credit(&mut self, note: &CreditNote) -> Result<(), ValidationError> {
        let Some(invoice_id) = self.items.first().map(|i| i.item.invoice_id) else {
            return Ok(());
        };
        let plan = allocate_credit_note(
            note.snapshot.totals.amount_due,
            note.snapshot.issue_date,
            &self.items,
            &Instruction::Named(vec![invoice_id]),
        )?;
        self.settle(&plan.lines)
    }

    /// Takes off what a payment recorded on this device, not yet allocated by the server, will apply
    /// here. Money goes to the named invoices in the order named, so only a payment that names this
    /// invoice first is known to reach it; one in another currency never does.
    pub fn expect(&mut self, payment: &RecordPayment) -> Result<(), ValidationError> {
        let Some(invoice_id) = self.items.first().map(|i| i.item.invoice_id) else {
            return Ok(());
        };
        if payment.named_invoices().first() != Some(&invoice_id)
            || payment.amount.currency() != self.currency
        {
            return Ok(());
        }
        let plan = allocate(
            payment.amount,
            payment.received_on,
            &self.items,
            &Instruction::Named(vec![invoice_id]),
        )?;
        self.settle(&plan.lines)
    }

    /// What is still owed on the invoice.
    pub fn open(&self) -> Result<Money, ValidationError> {
        self.items
            .iter()
            .try_fold(Money::zero(self.currency), |sum, item| {
                sum.checked_add(item.open)
            })
    }

    /// The amount a new payment for the invoice starts from: what is still open, if anything is.
    pub fn suggested_payment(&self) -> Option<Money> {
        self.open().ok().filter(|open| !open.is_zero())
    }

    /// The due date of the first instalment not yet settled; `None` once everything is paid.
    pub fn next_due_date(&self) -> Option<NaiveDate> {
        self.items
            .iter()
            .filter(|item| !item.is_settled())
            .map(|item| item.due_date)
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CustomerId, OrganisationId, PaymentId};
    use crate::receivables::ItemRef;
    use crate::receivables::account::PaymentMethod;
    use crate::receivables::allocation::AllocationPlan;

    fn eur(text: &str) -> Money {
        Money::parse(text, Currency::parse("EUR").unwrap()).unwrap()
    }

    fn date(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    fn invoice_id() -> InvoiceId {
        InvoiceId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f").unwrap()
    }

    fn other_invoice() -> InvoiceId {
        InvoiceId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e60").unwrap()
    }

    /// Two instalments of 60 and 40, due in January and March.
    fn two_instalments() -> InvoiceBalance {
        let schedule = [
            ScheduledPayment {
                due_date: date("2026-01-31"),
                amount: eur("60.00"),
                discount: None,
            },
            ScheduledPayment {
                due_date: date("2026-03-31"),
                amount: eur("40.00"),
                discount: None,
            },
        ];
        InvoiceBalance::new(
            invoice_id(),
            "INV-1",
            date("2026-01-01"),
            Currency::parse("EUR").unwrap(),
            &schedule,
        )
    }

    fn pending(amount: &str, invoices: Vec<InvoiceId>) -> RecordPayment {
        RecordPayment {
            id: PaymentId::parse("019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e70").unwrap(),
            organisation_id: OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap(),
            customer_id: CustomerId::parse("019a4d5e-0000-7000-8000-000000000002").unwrap(),
            amount: eur(amount),
            received_on: date("2026-01-10"),
            method: PaymentMethod::BankTransfer,
            reference: String::new(),
            instruction: Instruction::Named(invoices),
        }
    }

    fn line(invoice_id: InvoiceId, instalment: u16, amount: &str) -> AllocationLine {
        AllocationLine {
            item: ItemRef {
                invoice_id,
                instalment,
            },
            amount: eur(amount),
            discount: eur("0"),
        }
    }

    #[test]
    fn a_credit_note_of_the_invoice_takes_off_what_the_server_applies_and_others_nothing() {
        use crate::decide::issuing::credit_note;
        use crate::document::issue::CreditScope;
        use crate::document::issued::IssueCreditNote;
        use crate::fixtures;
        use rust_decimal_macros::dec;

        // 4 × 250 NOK at 25 %: 1,250.00; two of the four credited: 625.00.
        let invoice = fixtures::issued(vec![fixtures::line(
            "Net repair",
            dec!(4),
            dec!(250),
            dec!(25),
        )]);
        let request = IssueCreditNote {
            credit_note_id: crate::ids::CreditNoteId::parse("019a4d5e-0000-7000-8000-0000000000a9")
                .unwrap(),
            organisation_id: invoice.organisation_id,
            invoice_id: invoice.id,
            issue_date: date("2026-11-25"),
            scope: CreditScope::Lines(vec![(0, dec!(2))]),
            note: String::new(),
        };
        let note = credit_note(&request, &invoice, &[], &fixtures::nordlys(), None).unwrap();
        let mut elsewhere = note.clone();
        elsewhere.invoice_id = other_invoice();
        let nok = |text| Money::parse(text, Currency::parse("NOK").unwrap()).unwrap();
        let balance = InvoiceBalance::of(&invoice, &[], &[note.clone(), elsewhere], &[]).unwrap();
        assert_eq!(balance.open().unwrap(), nok("625.00"));
        let mut whole = note.clone();
        whole.snapshot.totals.amount_due = nok("1250.00");
        let balance = InvoiceBalance::of(&invoice, &[], &[whole], &[]).unwrap();
        assert_eq!(balance.open().unwrap(), nok("0.00"));
        assert_eq!(balance.suggested_payment(), None);
    }

    #[test]
    fn nothing_paid_leaves_the_total_open_and_the_first_instalment_next() {
        let balance = two_instalments();
        assert_eq!(balance.open().unwrap(), eur("100.00"));
        assert_eq!(balance.suggested_payment(), Some(eur("100.00")));
        assert_eq!(balance.next_due_date(), Some(date("2026-01-31")));
    }

    #[test]
    fn a_partial_payment_leaves_what_is_still_open() {
        let mut balance = two_instalments();
        balance
            .settle(&[
                line(invoice_id(), 0, "25.00"),
                line(other_invoice(), 0, "5.00"),
            ])
            .unwrap();
        assert_eq!(balance.open().unwrap(), eur("75.00"));
        assert_eq!(balance.suggested_payment(), Some(eur("75.00")));
        assert_eq!(balance.next_due_date(), Some(date("2026-01-31")));
    }

    #[test]
    fn the_next_due_date_is_the_first_unpaid_instalments_not_the_last() {
        let mut balance = two_instalments();
        balance.settle(&[line(invoice_id(), 0, "60.00")]).unwrap();
        assert_eq!(balance.next_due_date(), Some(date("2026-03-31")));
        balance.settle(&[line(invoice_id(), 1, "40.00")]).unwrap();
        assert_eq!(balance.next_due_date(), None);
        assert_eq!(balance.suggested_payment(), None);
    }

    #[test]
    fn a_pending_payment_is_allocated_as_the_server_will() {
        let mut balance = two_instalments();
        balance
            .expect(&pending("70.00", vec![invoice_id()]))
            .unwrap();
        // 60 settles the first instalment, 10 goes to the second.
        assert_eq!(balance.open().unwrap(), eur("30.00"));
        assert_eq!(balance.next_due_date(), Some(date("2026-03-31")));
    }

    #[test]
    fn a_pending_payment_naming_another_invoice_first_takes_nothing_known_here() {
        let mut balance = two_instalments();
        balance
            .expect(&pending("70.00", vec![other_invoice(), invoice_id()]))
            .unwrap();
        assert_eq!(balance.open().unwrap(), eur("100.00"));
    }

    #[test]
    fn an_overpayment_settles_everything_and_suggests_nothing() {
        let mut balance = two_instalments();
        balance
            .expect(&pending("150.00", vec![invoice_id()]))
            .unwrap();
        assert!(balance.open().unwrap().is_zero());
        assert_eq!(balance.suggested_payment(), None);
    }

    #[test]
    fn a_payment_concerns_the_invoices_it_names_or_pays() {
        let named = Payment {
            received: pending("10.00", vec![invoice_id()]),
            allocation: AllocationPlan {
                lines: vec![],
                unapplied: eur("10.00"),
            },
        };
        assert!(named.concerns(invoice_id()));
        assert!(!named.concerns(other_invoice()));
        let mut unnamed = named.clone();
        unnamed.received.instruction = Instruction::OldestDueFirst;
        unnamed.allocation.lines = vec![line(other_invoice(), 0, "10.00")];
        assert!(unnamed.concerns(other_invoice()));
        assert!(!unnamed.concerns(invoice_id()));
        assert_eq!(unnamed.applied_to(other_invoice()).count(), 1);
        assert_eq!(unnamed.applied_to(invoice_id()).count(), 0);
    }
}
