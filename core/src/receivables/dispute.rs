//! Disputes: a customer contests an invoice. While a dispute is open the invoice's reminders pause;
//! resolving it records the outcome (a credit note, if one is due, is its own document).

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use crate::ids::{CustomerId, DisputeId, InvoiceId, OrganisationId};
use crate::validation::{ValidationError, optional_text, required_text};
use crate::wire;

/// The arguments of `dispute.open`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenDispute {
    pub id: DisputeId,
    pub organisation_id: OrganisationId,
    pub invoice_id: InvoiceId,
    pub opened_on: NaiveDate,
    pub reason: String,
}

/// How a dispute ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeOutcome {
    /// The customer was right: correct the invoice by a credit note.
    Upheld,
    /// The invoice stands.
    Rejected,
    /// The customer withdrew it.
    Withdrawn,
}

/// The arguments of `dispute.resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveDispute {
    pub id: DisputeId,
    pub organisation_id: OrganisationId,
    pub resolved_on: NaiveDate,
    pub outcome: DisputeOutcome,
    #[serde(default)]
    pub note: String,
}

/// A dispute as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dispute {
    #[serde(flatten)]
    pub opened: OpenDispute,
    pub customer_id: CustomerId,
    pub resolution: Option<ResolveDispute>,
}

impl<'de> Deserialize<'de> for Dispute {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, |fields| {
            Ok(Self {
                customer_id: fields.take("customer_id")?,
                resolution: fields.take("resolution")?,
                opened: fields.rest().decode()?,
            })
        })
    }
}

const MAX_TEXT: usize = 2000;

impl OpenDispute {
    pub fn validate(&self) -> Result<(), ValidationError> {
        required_text("reason", &self.reason, MAX_TEXT)
    }
}

impl ResolveDispute {
    pub fn validate(&self) -> Result<(), ValidationError> {
        optional_text("note", &self.note, MAX_TEXT)
    }
}

impl Dispute {
    pub fn is_open(&self) -> bool {
        self.resolution.is_none()
    }
}
