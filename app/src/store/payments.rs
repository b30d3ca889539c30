//! Payments of an invoice: those recorded on this device and still in the outbox (awaiting sync), and
//! the server's `payment` records with the allocation core decided there; and its credit notes, which
//! take off what they credit; and the refunds of those payments (pending or recorded). Read in one
//! transaction, so a
//! payment is never shown twice nor missed while a sync reply lands. Which payments belong to an invoice
//! and what is still open on it are core's (`Payment::concerns`, `InvoiceBalance`).

use remit_core::document::issued::{CreditNote, Invoice};
use remit_core::ids::InvoiceId;
use remit_core::receivables::balance::InvoiceBalance;
use remit_core::receivables::payment::{Payment, RecordPayment, RefundPayment};
use remit_core::sync::{Command, EntityKind};
use remit_core::validation::ValidationError;

use super::outbox::read_outbox;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::Transaction;
use wasm_bindgen::JsValue;

use super::records::{decode, read_all};
use super::schema::{BY_INVOICE, OUTBOX, store_of};
use super::{Store, StoreResult};

fn payments() -> &'static str {
    store_of(EntityKind::Payment)
}

fn credit_notes() -> &'static str {
    store_of(EntityKind::CreditNote)
}

/// An invoice's payments, oldest first (payment ids are UUIDv7, made when the payment is recorded).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InvoicePayments {
    /// Recorded on this device naming the invoice; the server has not answered yet.
    pub pending: Vec<RecordPayment>,
    /// The server's records that name the invoice or apply money to it.
    pub recorded: Vec<Payment>,
    /// The credit notes the server issued against the invoice: they take off what they credit.
    pub credited: Vec<CreditNote>,
    /// Refunds of the recorded payments, recorded on this device and awaiting sync.
    pub pending_refunds: Vec<RefundPayment>,
    /// Refunds of the recorded payments as the server recorded them.
    pub refunds: Vec<RefundPayment>,
}

impl InvoicePayments {
    /// What is still open on `invoice` after these payments, as core counts it.
    pub fn balance(&self, invoice: &Invoice) -> Result<InvoiceBalance, ValidationError> {
        InvoiceBalance::of(invoice, &self.recorded, &self.credited, &self.pending)
    }
}

impl Store {
    /// The payments of `invoice`: pending in the outbox, and as the server recorded them.
    pub async fn payments_for_invoice(&self, invoice: InvoiceId) -> StoreResult<InvoicePayments> {
        let tx = self.read(&[
            payments(),
            credit_notes(),
            store_of(EntityKind::Refund),
            OUTBOX,
        ])?;
        let mut recorded: Vec<Payment> = of_invoice::<Payment>(&tx, payments(), invoice)
            .await?
            .into_iter()
            .filter(|p| p.concerns(invoice))
            .collect();
        recorded.sort_by_key(|p| p.received.id);
        let outbox = read_outbox(&tx).await?;
        let mut pending: Vec<RecordPayment> = outbox
            .iter()
            .filter_map(|m| match Command::decode(m) {
                Ok(Command::RecordPayment(p)) if p.named_invoices().contains(&invoice) => Some(p),
                _ => None,
            })
            .filter(|p| recorded.iter().all(|r| r.received.id != p.id))
            .collect();
        pending.sort_by_key(|p| p.id);
        let credited: Vec<CreditNote> = of_invoice::<CreditNote>(&tx, credit_notes(), invoice)
            .await?
            .into_iter()
            .filter(|c| c.invoice_id == invoice)
            .collect();
        let of_these = |r: &RefundPayment| {
            r.payment_id
                .is_some_and(|p| recorded.iter().any(|paid| paid.received.id == p))
        };
        let mut refunds: Vec<RefundPayment> =
            read_all::<RefundPayment>(&tx, store_of(EntityKind::Refund))
                .await?
                .into_iter()
                .filter(of_these)
                .collect();
        refunds.sort_by_key(|r| r.id);
        let pending_refunds: Vec<RefundPayment> = outbox
            .iter()
            .filter_map(|m| match Command::decode(m) {
                Ok(Command::RefundPayment(r)) if of_these(&r) => Some(r),
                _ => None,
            })
            .filter(|r| refunds.iter().all(|done| done.id != r.id))
            .collect();
        Ok(InvoicePayments {
            pending,
            recorded,
            credited,
            pending_refunds,
            refunds,
        })
    }
}

/// The rows of `store` its `by_invoice` index files under `invoice`.
async fn of_invoice<T: serde::de::DeserializeOwned>(
    tx: &Transaction<'_>,
    store: &str,
    invoice: InvoiceId,
) -> StoreResult<Vec<T>> {
    let handle = tx.object_store(store)?;
    handle
        .index(BY_INVOICE)?
        .get_all::<JsValue>()
        .with_query(invoice.to_string())
        .await?
        .map(|row| decode(&handle, &row?))
        .collect()
}
