//! Payments of an invoice: those recorded on this device and still in the outbox (awaiting sync), and
//! the server's `payment` records with the allocation core decided there. Read in one transaction, so a
//! payment is never shown twice nor missed while a sync reply lands. Nothing here adds money up: the
//! screen shows the allocation as the server recorded it.

use remit_core::ids::InvoiceId;
use remit_core::receivables::allocation::AllocationLine;
use remit_core::receivables::payment::{Payment, RecordPayment};
use remit_core::sync::{Command, EntityKind};

use super::outbox::read_outbox;
use super::records::read_all;
use super::schema::{OUTBOX, store_of};
use super::{Store, StoreResult};

fn payments() -> &'static str {
    store_of(EntityKind::Payment)
}

/// An invoice's payments, oldest first (payment ids are UUIDv7, made when the payment is recorded).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InvoicePayments {
    /// Recorded on this device naming the invoice; the server has not answered yet.
    pub pending: Vec<RecordPayment>,
    /// The server's records that name the invoice or apply money to it.
    pub recorded: Vec<Payment>,
}

/// The allocation lines of `payment` that apply money to `invoice` (one per instalment).
pub fn applied_to(payment: &Payment, invoice: InvoiceId) -> Vec<AllocationLine> {
    payment
        .allocation
        .lines
        .iter()
        .filter(|line| line.item.invoice_id == invoice)
        .copied()
        .collect()
}

impl Store {
    /// The payments of `invoice`: pending in the outbox, and as the server recorded them.
    pub async fn payments_for_invoice(&self, invoice: InvoiceId) -> StoreResult<InvoicePayments> {
        let tx = self.read(&[payments(), OUTBOX])?;
        let mut recorded: Vec<Payment> = read_all::<Payment>(&tx, payments())
            .await?
            .into_iter()
            .filter(|p| {
                p.received.named_invoices().contains(&invoice) || !applied_to(p, invoice).is_empty()
            })
            .collect();
        recorded.sort_by_key(|p| p.received.id);
        let mut pending: Vec<RecordPayment> = read_outbox(&tx)
            .await?
            .iter()
            .filter_map(|m| match Command::decode(m) {
                Ok(Command::RecordPayment(p)) if p.named_invoices().contains(&invoice) => Some(p),
                _ => None,
            })
            .filter(|p| recorded.iter().all(|r| r.received.id != p.id))
            .collect();
        pending.sort_by_key(|p| p.id);
        Ok(InvoicePayments { pending, recorded })
    }
}
