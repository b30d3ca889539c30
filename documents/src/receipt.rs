//! A receipt for a recorded payment, laid out as rows: the parties, the payment (when, how much, how,
//! the reference given), every allocation line core decided with the invoice it paid, what became
//! credit on the account, and the amount received. Every amount is one core decided; this module only
//! formats and places them.

use std::collections::BTreeMap;

use remit_core::document::issue::Party;
use remit_core::ids::InvoiceId;
use remit_core::money::Money;
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::AllocationLine;
use remit_core::receivables::payment::Payment;

use crate::RenderError;
use crate::layout::{BODY, Flow, LEADING, Row};
use crate::locale::{Arg, Localizer};
use crate::parts;
use crate::text::{Face, Fonts};

/// What a receipt prints: the payment as recorded, with its allocation, and who received it from whom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptDocument {
    /// The organisation, as its settings name it (the seller of its invoices).
    pub seller: Party,
    pub customer: Party,
    pub payment: Payment,
    /// The number (BT-1) of every invoice the allocation applied money to.
    pub invoice_numbers: BTreeMap<InvoiceId, String>,
}

/// The `$method` the payment method's message selects its wording by.
fn method_id(method: PaymentMethod) -> &'static str {
    match method {
        PaymentMethod::BankTransfer => "bank-transfer",
        PaymentMethod::Card => "card",
        PaymentMethod::Cash => "cash",
        PaymentMethod::Cheque => "cheque",
        PaymentMethod::DirectDebit => "direct-debit",
        PaymentMethod::Collections => "collections",
    }
}

/// Rows of one receipt, built against the fonts (for measuring) and the customer's language.
pub struct Writer<'a> {
    pub fonts: &'a Fonts,
    pub l10n: &'a Localizer,
    pub receipt: &'a ReceiptDocument,
    pub width: f32,
}

impl Writer<'_> {
    /// Lays out the whole receipt.
    pub fn write(&self, flow: &mut Flow, logo: Option<(f32, f32)>) -> Result<(), RenderError> {
        let title = self.l10n.label("receipt-title")?;
        flow.place(parts::heading(self.fonts, self.width, title, logo));
        flow.place(self.parties()?);
        self.allocation(flow)?;
        let thanks = vec![(Face::Regular, self.l10n.label("receipt-thanks")?)];
        for row in parts::paragraphs(self.fonts, self.width, thanks) {
            flow.place(row);
        }
        Ok(())
    }

    /// The seller and the customer on the left, the payment's facts on the right.
    fn parties(&self) -> Result<Row, RenderError> {
        let l = self.l10n;
        let r = self.receipt;
        let received = &r.payment.received;
        let mut left = vec![(Face::Bold, l.label("seller")?)];
        left.extend(parts::party_lines(l, &r.seller)?);
        left.push((Face::Regular, String::new()));
        left.push((Face::Bold, l.label("received-from")?));
        left.extend(parts::party_lines(l, &r.customer)?);
        let method = l.text(
            "payment-method-name",
            &[("method", Arg::Text(method_id(received.method)))],
        )?;
        let mut right = vec![
            (l.label("received-on")?, l.date(received.received_on)?),
            (l.label("amount-received")?, l.money(received.amount)?),
            (l.label("payment-method")?, method),
        ];
        if !received.reference.trim().is_empty() {
            right.push((l.label("payment-reference")?, received.reference.clone()));
        }
        Ok(parts::beside(self.fonts, self.width, left, right))
    }

    /// The invoice an allocation line paid: its number, and which instalment when not the first.
    fn invoice(&self, line: &AllocationLine) -> Result<String, RenderError> {
        let number = self
            .receipt
            .invoice_numbers
            .get(&line.item.invoice_id)
            .ok_or(RenderError::Inconsistent(
                "an allocation line's invoice number",
            ))?;
        if line.item.instalment == 0 {
            return Ok(number.clone());
        }
        let instalment = self
            .l10n
            .quantity((u32::from(line.item.instalment) + 1).into())?;
        self.l10n.text(
            "invoice-instalment",
            &[
                ("number", Arg::Text(number)),
                ("instalment", Arg::Text(&instalment)),
            ],
        )
    }

    fn allocation(&self, flow: &mut Flow) -> Result<(), RenderError> {
        let (l, f, w) = (self.l10n, self.fonts, self.width);
        let applied = w - 120.0;
        let mut header = Row::new(2.0 * LEADING + 4.0);
        header.text(0.0, 0.0, Face::Bold, BODY + 1.0, l.label("applied-to")?);
        header.text(0.0, LEADING, Face::Bold, BODY, l.label("column-invoice")?);
        let label = l.label("column-applied")?;
        header.text_right(f, applied, LEADING, Face::Bold, BODY, label);
        let label = l.label("column-discount")?;
        header.text_right(f, w, LEADING, Face::Bold, BODY, label);
        header.rule(0.0, w, 2.0 * LEADING + 1.0, 0.6);
        flow.start_table(header);
        let allocation = &self.receipt.payment.allocation;
        for line in &allocation.lines {
            let mut row = Row::new(LEADING);
            row.text(0.0, 0.0, Face::Regular, BODY, self.invoice(line)?);
            row.text_right(f, applied, 0.0, Face::Regular, BODY, l.money(line.amount)?);
            row.text_right(f, w, 0.0, Face::Regular, BODY, l.money(line.discount)?);
            flow.place(row);
        }
        if allocation.lines.is_empty() {
            let mut row = Row::new(LEADING);
            row.text(0.0, 0.0, Face::Regular, BODY, l.label("nothing-applied")?);
            flow.place(row);
        }
        flow.end_table();
        flow.place(parts::closing_rule(w));
        if !allocation.unapplied.is_zero() {
            flow.place(self.total("credited", allocation.unapplied, Face::Regular)?);
        }
        let amount = self.receipt.payment.received.amount;
        flow.place(self.total("total-received", amount, Face::Bold)?);
        flow.place(Row::new(LEADING));
        Ok(())
    }

    fn total(&self, id: &str, amount: Money, face: Face) -> Result<Row, RenderError> {
        let mut row = Row::new(LEADING);
        row.text(self.width - 250.0, 0.0, face, BODY, self.l10n.label(id)?);
        let amount = self.l10n.money(amount)?;
        row.text_right(self.fonts, self.width, 0.0, face, BODY, amount);
        Ok(row)
    }
}
