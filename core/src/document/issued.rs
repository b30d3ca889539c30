//! Issued invoices and credit notes as the organisation keeps them: the frozen [`Snapshot`], its
//! digest, the place of its number in a series, and (for an invoice) whether it was voided. They never
//! change after issue except for the void mark; corrections are credit notes.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use super::InvoiceDraft;
use super::issue::{CreditScope, Snapshot};
use crate::ids::{CreditNoteId, CustomerId, InvoiceId, LeaseId, OrganisationId};
use crate::numbering::InvoiceNumber;
use crate::validation::{Rule, ValidationError, optional_text, required_text};
use crate::wire::{self, Fields};

/// Where an issued document's number comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum NumberSource {
    /// The server assigns the next number of the organisation's series when the mutation applies.
    Server,
    /// The device already used this number of its lease (issued offline).
    Leased {
        lease_id: LeaseId,
        number: InvoiceNumber,
    },
}

impl<'de> Deserialize<'de> for NumberSource {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, Self::read)
    }
}

impl NumberSource {
    const VARIANTS: &[&str] = &["server", "leased"];

    fn read(fields: &mut Fields) -> Result<Self, serde_json::Error> {
        let kind = fields.tag("kind")?;
        Ok(match kind.as_str() {
            "server" => Self::Server,
            "leased" => Self::Leased {
                lease_id: fields.take("lease_id")?,
                number: fields.take("number")?,
            },
            _ => return Err(wire::unknown(&kind, Self::VARIANTS)),
        })
    }
}

/// The arguments of `invoice.issue`. The draft travels whole: an invoice issued offline is what the
/// customer received, whatever the server's copy of the draft says meanwhile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueInvoice {
    /// The new invoice's id (not the draft's: two devices issuing one draft make two invoices).
    pub invoice_id: InvoiceId,
    pub draft: InvoiceDraft,
    pub number: NumberSource,
}

impl IssueInvoice {
    pub fn validate(&self) -> Result<(), ValidationError> {
        self.draft.validate().map_err(|e| e.within("draft"))?;
        if self.draft.lines.is_empty() {
            return Err(ValidationError::new("draft.lines", Rule::Required));
        }
        Ok(())
    }
}

/// A number's place: the sequence it belongs to and its position in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SequencePlace {
    pub sequence: String,
    pub position: u64,
}

/// Why and when an invoice was voided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Voided {
    pub on: NaiveDate,
    pub reason: String,
}

/// An issued invoice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Invoice {
    pub id: InvoiceId,
    pub organisation_id: OrganisationId,
    pub customer_id: CustomerId,
    /// The draft it was issued from.
    pub draft_id: InvoiceId,
    pub place: SequencePlace,
    /// The lease its number came from, when issued offline.
    pub lease_id: Option<LeaseId>,
    pub snapshot: Snapshot,
    /// SHA-256 of the snapshot's canonical JSON.
    pub digest: String,
    pub voided: Option<Voided>,
}

impl Invoice {
    pub fn number(&self) -> &InvoiceNumber {
        &self.snapshot.number
    }
}

/// The arguments of `invoice.void`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VoidInvoice {
    pub invoice_id: InvoiceId,
    pub organisation_id: OrganisationId,
    pub on: NaiveDate,
    pub reason: String,
}

impl VoidInvoice {
    pub const MAX_REASON: usize = 1000;

    pub fn validate(&self) -> Result<(), ValidationError> {
        required_text("reason", &self.reason, Self::MAX_REASON)
    }
}

/// The arguments of `credit_note.issue`. Credit notes are numbered by the server (they are written at
/// a desk, online, not at a customer's door).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssueCreditNote {
    pub credit_note_id: CreditNoteId,
    pub organisation_id: OrganisationId,
    pub invoice_id: InvoiceId,
    pub issue_date: NaiveDate,
    pub scope: CreditScope,
    #[serde(default)]
    pub note: String,
}

impl IssueCreditNote {
    pub fn validate(&self) -> Result<(), ValidationError> {
        optional_text("note", &self.note, 5000)?;
        if let CreditScope::Lines(lines) = &self.scope
            && lines.is_empty()
        {
            return Err(ValidationError::new("scope.lines", Rule::Required));
        }
        Ok(())
    }
}

/// An issued credit note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditNote {
    pub id: CreditNoteId,
    pub organisation_id: OrganisationId,
    pub customer_id: CustomerId,
    pub invoice_id: InvoiceId,
    pub place: SequencePlace,
    pub snapshot: Snapshot,
    pub digest: String,
}
