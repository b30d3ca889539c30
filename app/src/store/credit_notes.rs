//! Credit notes on this device: the server's `credit_note` records, and those sent with
//! `credit_note.issue` that wait for the server's number (credit notes are numbered only there, so there
//! is no offline number to give them). Read in one transaction with the outbox, so a credit note is never
//! shown twice nor missed while a sync reply lands.

use remit_core::decide::issuing::credit_note;
use remit_core::document::issued::{CreditNote, Invoice, IssueCreditNote};
use remit_core::ids::{CreditNoteId, InvoiceId};
use remit_core::settings::Settings;
use remit_core::sync::{Command, EntityKind};

use super::outbox::read_outbox;
use super::records::read_all;
use super::schema::{OUTBOX, store_of};
use super::{Store, StoreResult};

fn credit_notes() -> &'static str {
    store_of(EntityKind::CreditNote)
}

/// A credit note as this device knows it.
#[derive(Debug, Clone, PartialEq)]
pub enum IssuedCreditNote {
    /// The server's record, with its number.
    Numbered(Box<CreditNote>),
    /// Sent for the next number of the credit-note series, which arrives with a pull.
    AwaitingNumber(Box<IssueCreditNote>),
}

impl IssuedCreditNote {
    pub fn id(&self) -> CreditNoteId {
        match self {
            IssuedCreditNote::Numbered(note) => note.id,
            IssuedCreditNote::AwaitingNumber(issue) => issue.credit_note_id,
        }
    }

    pub fn invoice_id(&self) -> InvoiceId {
        match self {
            IssuedCreditNote::Numbered(note) => note.invoice_id,
            IssuedCreditNote::AwaitingNumber(issue) => issue.invoice_id,
        }
    }
}

/// `credits` (an invoice's credit notes as [`Store::credit_notes_of`] lists them) as core issues them
/// on this device: the server's as recorded, and each one waiting for its number as core would issue it
/// after those before it. One core refuses here is left out: the server will refuse it too. The number
/// of a pending one is a stand-in (only the server numbers credit notes); the screens show its lines and
/// totals, and what is left to credit after all of them.
pub fn issued_here(
    invoice: &Invoice,
    credits: &[IssuedCreditNote],
    settings: &Settings,
) -> Vec<CreditNote> {
    let mut issued: Vec<CreditNote> = Vec::new();
    for credit in credits {
        match credit {
            IssuedCreditNote::Numbered(note) => issued.push((**note).clone()),
            IssuedCreditNote::AwaitingNumber(issue) => {
                if let Ok(note) = credit_note(issue, invoice, &issued, settings, None) {
                    issued.push(note);
                }
            }
        }
    }
    issued
}

impl Store {
    /// Every credit note on the device: the server's, oldest first (ids are UUIDv7, made at issue),
    /// then those waiting for their number, in the order they were sent.
    pub async fn credit_notes(&self) -> StoreResult<Vec<IssuedCreditNote>> {
        let tx = self.read(&[credit_notes(), OUTBOX])?;
        let mut numbered: Vec<CreditNote> = read_all(&tx, credit_notes()).await?;
        numbered.sort_by_key(|n| n.id);
        let awaiting: Vec<IssueCreditNote> = read_outbox(&tx)
            .await?
            .iter()
            .filter_map(|m| match Command::decode(m) {
                Ok(Command::IssueCreditNote(issue)) => Some(issue),
                _ => None,
            })
            .filter(|issue| numbered.iter().all(|n| n.id != issue.credit_note_id))
            .collect();
        Ok(numbered
            .into_iter()
            .map(|n| IssuedCreditNote::Numbered(Box::new(n)))
            .chain(
                awaiting
                    .into_iter()
                    .map(|i| IssuedCreditNote::AwaitingNumber(Box::new(i))),
            )
            .collect())
    }

    /// The credit notes of `invoice`, as [`Self::credit_notes`] orders them.
    pub async fn credit_notes_of(&self, invoice: InvoiceId) -> StoreResult<Vec<IssuedCreditNote>> {
        let mut all = self.credit_notes().await?;
        all.retain(|c| c.invoice_id() == invoice);
        Ok(all)
    }

    pub async fn credit_note(&self, id: CreditNoteId) -> StoreResult<Option<IssuedCreditNote>> {
        Ok(self
            .credit_notes()
            .await?
            .into_iter()
            .find(|c| c.id() == id))
    }
}
