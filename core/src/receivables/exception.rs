//! Exception items: facts from the field that broke a business rule.
//!
//! An invoice issued offline under a leased number, or a payment already received, happened: the server
//! never refuses it. When such a fact breaks a rule (the period was closed, the invoice was voided
//! meanwhile, the open amount the device saw was stale), the server records it as it is and raises an
//! exception item for a person, who resolves it by a credit note, customer credit or a reallocation.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use crate::ids::{CustomerId, ExceptionId, InvoiceId, OrganisationId, PaymentId, RefundId, UserId};
use crate::money::Money;
use crate::numbering::InvoiceNumber;
use crate::validation::{ValidationError, optional_text};
use crate::wire::{self, Fields};

/// What went against the rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExceptionKind {
    /// An invoice was issued offline with a date in a closed period.
    IssuedInClosedPeriod {
        invoice_id: InvoiceId,
        number: InvoiceNumber,
        issue_date: NaiveDate,
        locked_until: NaiveDate,
    },
    /// An invoice issued offline is dated before the last document of its series.
    IssueDateOutOfOrder {
        invoice_id: InvoiceId,
        number: InvoiceNumber,
        issue_date: NaiveDate,
        last_date: NaiveDate,
    },
    /// Two devices issued the same draft: the customer received two invoices for one sale.
    DraftIssuedTwice {
        draft_id: InvoiceId,
        numbers: Vec<InvoiceNumber>,
    },
    /// A device issued its copy of a draft that another device had changed meanwhile.
    DraftChangedElsewhere {
        invoice_id: InvoiceId,
        number: InvoiceNumber,
    },
    /// A payment named an invoice that was voided meanwhile: its money is customer credit.
    PaymentForVoidedInvoice {
        payment_id: PaymentId,
        invoice_id: InvoiceId,
    },
    /// A payment named invoices that no longer needed all of it: the rest is customer credit.
    Overpayment {
        payment_id: PaymentId,
        unapplied: Money,
    },
    /// A payment was received on a day in a closed period.
    PaymentInClosedPeriod {
        payment_id: PaymentId,
        received_on: NaiveDate,
        locked_until: NaiveDate,
    },
    /// A refund paid out more than the customer's credit: the excess is owed again.
    RefundExceedsCredit { refund_id: RefundId, excess: Money },
    /// The gateway that took a payment refused the refund Remit sent it: the refund is recorded, but
    /// the money did not reach the customer.
    RefundRefusedByGateway {
        refund_id: RefundId,
        amount: Money,
        /// What the gateway said.
        reason: String,
    },
    /// An invoice issued offline breaks a rule of EN 16931 (a server-numbered issue would have been
    /// refused): it cannot be sent as an e-invoice until it is credited and issued again.
    NotAnEInvoice {
        invoice_id: InvoiceId,
        number: InvoiceNumber,
        /// The field where the value is entered and the broken rule in words, with its id
        /// (`settings.seller.tax_id must be given: … (BR-S-02)`).
        problem: String,
    },
}

impl<'de> Deserialize<'de> for ExceptionKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, Self::read)
    }
}

impl ExceptionKind {
    const VARIANTS: &[&str] = &[
        "issued_in_closed_period",
        "issue_date_out_of_order",
        "draft_issued_twice",
        "draft_changed_elsewhere",
        "payment_for_voided_invoice",
        "overpayment",
        "payment_in_closed_period",
        "refund_exceeds_credit",
        "refund_refused_by_gateway",
        "not_an_e_invoice",
    ];

    fn read(fields: &mut Fields) -> Result<Self, serde_json::Error> {
        let kind = fields.tag("kind")?;
        Ok(match kind.as_str() {
            "issued_in_closed_period" => Self::IssuedInClosedPeriod {
                invoice_id: fields.take("invoice_id")?,
                number: fields.take("number")?,
                issue_date: fields.take("issue_date")?,
                locked_until: fields.take("locked_until")?,
            },
            "issue_date_out_of_order" => Self::IssueDateOutOfOrder {
                invoice_id: fields.take("invoice_id")?,
                number: fields.take("number")?,
                issue_date: fields.take("issue_date")?,
                last_date: fields.take("last_date")?,
            },
            "draft_issued_twice" => Self::DraftIssuedTwice {
                draft_id: fields.take("draft_id")?,
                numbers: fields.take("numbers")?,
            },
            "draft_changed_elsewhere" => Self::DraftChangedElsewhere {
                invoice_id: fields.take("invoice_id")?,
                number: fields.take("number")?,
            },
            "payment_for_voided_invoice" => Self::PaymentForVoidedInvoice {
                payment_id: fields.take("payment_id")?,
                invoice_id: fields.take("invoice_id")?,
            },
            "overpayment" => Self::Overpayment {
                payment_id: fields.take("payment_id")?,
                unapplied: fields.take("unapplied")?,
            },
            "payment_in_closed_period" => Self::PaymentInClosedPeriod {
                payment_id: fields.take("payment_id")?,
                received_on: fields.take("received_on")?,
                locked_until: fields.take("locked_until")?,
            },
            "refund_exceeds_credit" => Self::RefundExceedsCredit {
                refund_id: fields.take("refund_id")?,
                excess: fields.take("excess")?,
            },
            "refund_refused_by_gateway" => Self::RefundRefusedByGateway {
                refund_id: fields.take("refund_id")?,
                amount: fields.take("amount")?,
                reason: fields.take("reason")?,
            },
            "not_an_e_invoice" => Self::NotAnEInvoice {
                invoice_id: fields.take("invoice_id")?,
                number: fields.take("number")?,
                problem: fields.take("problem")?,
            },
            _ => return Err(wire::unknown(&kind, Self::VARIANTS)),
        })
    }
}

impl ExceptionKind {
    /// A sentence for the person who resolves it.
    pub fn describe(&self) -> String {
        match self {
            Self::IssuedInClosedPeriod {
                number,
                issue_date,
                locked_until,
                ..
            } => format!(
                "{number} was issued offline on {issue_date}, in the period closed until {locked_until}"
            ),
            Self::IssueDateOutOfOrder {
                number,
                issue_date,
                last_date,
                ..
            } => format!(
                "{number} is dated {issue_date}, before {last_date}, the last document of its series"
            ),
            Self::DraftIssuedTwice { numbers, .. } => format!(
                "one draft was issued twice, as {}: credit the duplicate",
                numbers
                    .iter()
                    .map(InvoiceNumber::as_str)
                    .collect::<Vec<_>>()
                    .join(" and ")
            ),
            Self::DraftChangedElsewhere { number, .. } => format!(
                "{number} was issued from a copy of the draft that another device had changed"
            ),
            Self::PaymentForVoidedInvoice { .. } => {
                "a payment named a voided invoice; its money is customer credit".to_owned()
            }
            Self::Overpayment { unapplied, .. } => format!(
                "a payment exceeded what its invoices still owed; {} {} is customer credit",
                unapplied.amount(),
                unapplied.currency()
            ),
            Self::PaymentInClosedPeriod {
                received_on,
                locked_until,
                ..
            } => format!(
                "a payment received on {received_on} falls in the period closed until {locked_until}"
            ),
            Self::RefundExceedsCredit { excess, .. } => format!(
                "a refund exceeded the customer's credit by {} {}",
                excess.amount(),
                excess.currency()
            ),
            Self::RefundRefusedByGateway { amount, reason, .. } => format!(
                "the payment gateway refused a refund of {} {} ({reason}); the money is still the \
                 customer's credit",
                amount.amount(),
                amount.currency()
            ),
            Self::NotAnEInvoice {
                number, problem, ..
            } => format!(
                "{number} was issued offline but cannot be an e-invoice: {problem}; credit it and \
                 issue it again"
            ),
        }
    }
}

/// How a person settled an exception.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Remedy {
    CreditNote,
    CustomerCredit,
    Reallocation,
    Refund,
    /// Looked at; nothing to correct.
    Accepted,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExceptionResolution {
    pub remedy: Remedy,
    pub note: String,
    pub resolved_by: UserId,
}

/// An exception item, open until a person resolves it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExceptionItem {
    pub id: ExceptionId,
    pub organisation_id: OrganisationId,
    pub customer_id: Option<CustomerId>,
    #[serde(flatten)]
    pub kind: ExceptionKind,
    pub message: String,
    pub resolution: Option<ExceptionResolution>,
}

impl<'de> Deserialize<'de> for ExceptionItem {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, |fields| {
            Ok(Self {
                id: fields.take("id")?,
                organisation_id: fields.take("organisation_id")?,
                customer_id: fields.take("customer_id")?,
                message: fields.take("message")?,
                resolution: fields.take("resolution")?,
                kind: ExceptionKind::read(&mut fields.rest())?,
            })
        })
    }
}

impl ExceptionItem {
    pub fn raise(
        id: ExceptionId,
        organisation_id: OrganisationId,
        customer_id: Option<CustomerId>,
        kind: ExceptionKind,
    ) -> Self {
        Self {
            id,
            organisation_id,
            customer_id,
            message: kind.describe(),
            kind,
            resolution: None,
        }
    }
}

/// The arguments of `exception.resolve`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolveException {
    pub id: ExceptionId,
    pub organisation_id: OrganisationId,
    pub remedy: Remedy,
    #[serde(default)]
    pub note: String,
}

impl ResolveException {
    pub const MAX_NOTE: usize = 2000;

    pub fn validate(&self) -> Result<(), ValidationError> {
        optional_text("note", &self.note, Self::MAX_NOTE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use rust_decimal::Decimal;

    #[test]
    fn an_exception_tells_a_person_what_happened() {
        let eur = Currency::parse("EUR").unwrap();
        let kind = ExceptionKind::Overpayment {
            payment_id: PaymentId::parse("019a4d5e-0000-7000-8000-0000000000b1").unwrap(),
            unapplied: Money::exact(Decimal::new(2550, 2), eur).unwrap(),
        };
        let item = ExceptionItem::raise(
            ExceptionId::parse("019a4d5e-0000-7000-8000-0000000000e1").unwrap(),
            OrganisationId::parse("019a4d5e-0000-7000-8000-000000000001").unwrap(),
            None,
            kind,
        );
        assert_eq!(
            item.message,
            "a payment exceeded what its invoices still owed; 25.50 EUR is customer credit"
        );
        let json = serde_json::to_value(&item).unwrap();
        assert_eq!(json["kind"], "overpayment");
        assert_eq!(json["unapplied"]["amount"], "25.50");
        assert_eq!(serde_json::from_value::<ExceptionItem>(json).unwrap(), item);
    }

    #[test]
    fn two_numbers_for_one_draft_are_both_named() {
        let kind = ExceptionKind::DraftIssuedTwice {
            draft_id: InvoiceId::parse("019a4d5e-0000-7000-8000-0000000000d1").unwrap(),
            numbers: vec![
                InvoiceNumber::parse("INV-L1-000003").unwrap(),
                InvoiceNumber::parse("INV-L2-000001").unwrap(),
            ],
        };
        assert_eq!(
            kind.describe(),
            "one draft was issued twice, as INV-L1-000003 and INV-L2-000001: credit the duplicate"
        );
    }
}
