//! Payments, refunds, disputes and exception items. Money received or paid out is a fact: it is
//! recorded whatever the customer's account says, and what does not fit becomes customer credit and
//! exception items. Only what makes the fact unreadable is refused: an id already used for something
//! else, a customer or invoice that is not the organisation's.

use serde_json::json;

use super::{
    Cause, Decision, FIRST_VERSION, Notice, Stored, Write, invalid, next_version, recorded_once,
};
use crate::document::issued::Invoice;
use crate::ids::InvoiceId;
use crate::receivables::account::Account;
use crate::receivables::dispute::{Dispute, OpenDispute, ResolveDispute};
use crate::receivables::events::AccountEvent;
use crate::receivables::exception::{ExceptionItem, ExceptionResolution, ResolveException};
use crate::receivables::payment::{self, Payment, RecordPayment, RefundPayment};
use crate::settings::Settings;
use crate::sync::mutation::MutationError;
use crate::sync::protocol::Record;

/// What a `payment.record` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFacts {
    pub cause: Cause,
    /// A payment already recorded under the id.
    pub stored: Option<Payment>,
    /// Whether the paying customer is the organisation's.
    pub customer_known: bool,
    /// The issued invoices the payment names, as found (a name that is not found is not here).
    pub named_invoices: Vec<Invoice>,
    /// The customer's account before the payment.
    pub account: Account,
    pub settings: Settings,
}

/// Which of the named invoices are voided; refuses names that are not the payer's issued invoices.
fn voided_among_named(
    received: &RecordPayment,
    found: &[Invoice],
) -> Result<Vec<InvoiceId>, MutationError> {
    let mut voided = Vec::new();
    for id in received.named_invoices() {
        match found.iter().find(|invoice| invoice.id == *id) {
            Some(invoice) if invoice.customer_id != received.customer_id => {
                return Err(invalid(
                    "instruction.invoices",
                    "invoices of the paying customer",
                ));
            }
            Some(invoice) if invoice.voided.is_some() => voided.push(*id),
            Some(_) => {}
            None => {
                return Err(invalid(
                    "instruction.invoices",
                    "issued invoices of the organisation",
                ));
            }
        }
    }
    Ok(voided)
}

/// Decides a `payment.record`: the payment with the allocation core makes, the account event, the
/// exception items for what does not fit, and the `payment.received` notice.
pub fn decide_payment_record(
    received: &RecordPayment,
    facts: &PaymentFacts,
) -> Result<Decision, MutationError> {
    let replay = facts.stored.as_ref().map(|p| &p.received);
    if let Some(replayed) =
        recorded_once(replay, received, "payment", received.id, "already recorded")
    {
        return replayed;
    }
    if !facts.customer_known {
        return Err(invalid("customer_id", "a customer of the organisation"));
    }
    let voided = voided_among_named(received, &facts.named_invoices)?;
    let mut account = facts.account.clone();
    let outcome = payment::receive(&mut account, received, &voided, &facts.settings)
        .map_err(MutationError::invalid)?;
    let customer = received.customer_id;
    let audit = json!({
        "op": "put", "entity": "payment", "id": received.id,
        "amount": received.amount.amount().to_string(), "currency": received.amount.currency(),
        "allocated": outcome.payment.allocation.lines.len(),
        "unapplied": outcome.payment.allocation.unapplied.amount().to_string(),
        "exceptions": outcome.exceptions.len(),
    });
    let write = Write::Record {
        record: Record::Payment(outcome.payment.clone()),
        customer: Some(customer),
        version: FIRST_VERSION,
    };
    Ok(Decision::store(write, audit)
        .with_event(customer, AccountEvent::Received(received.clone()))
        .raise(&facts.cause, Some(customer), outcome.exceptions)
        .notify(Notice::PaymentReceived(outcome.payment)))
}

/// What a `payment.refund` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundFacts {
    pub cause: Cause,
    /// A refund already recorded under the id.
    pub stored: Option<RefundPayment>,
    pub customer_known: bool,
    /// The payment the refund names, when it names one and it is found.
    pub payment: Option<Payment>,
    /// The customer's account before the refund.
    pub account: Account,
}

/// Decides a `payment.refund`: recorded, with an exception for what exceeds the customer's credit.
pub fn decide_payment_refund(
    refund: &RefundPayment,
    facts: &RefundFacts,
) -> Result<Decision, MutationError> {
    if let Some(replayed) = recorded_once(
        facts.stored.as_ref(),
        refund,
        "refund",
        refund.id,
        "already recorded",
    ) {
        return replayed;
    }
    if !facts.customer_known {
        return Err(invalid("customer_id", "a customer of the organisation"));
    }
    if refund.payment_id.is_some()
        && facts
            .payment
            .as_ref()
            .is_none_or(|p| p.received.customer_id != refund.customer_id)
    {
        return Err(invalid("payment_id", "a payment of the same customer"));
    }
    let mut account = facts.account.clone();
    let exceptions = payment::refund(&mut account, refund).map_err(MutationError::invalid)?;
    let customer = refund.customer_id;
    let audit = json!({
        "op": "put", "entity": "refund", "id": refund.id,
        "amount": refund.amount.amount().to_string(), "currency": refund.amount.currency(),
        "exceptions": exceptions.len(),
    });
    let write = Write::Record {
        record: Record::Refund(refund.clone()),
        customer: Some(customer),
        version: FIRST_VERSION,
    };
    Ok(Decision::store(write, audit)
        .with_event(customer, AccountEvent::Refunded(refund.clone()))
        .raise(&facts.cause, Some(customer), exceptions))
}

/// What a `dispute.open` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenDisputeFacts {
    /// A dispute already recorded under the id.
    pub stored: Option<Dispute>,
    /// The disputed invoice, when it is the organisation's.
    pub invoice: Option<Invoice>,
}

/// Decides a `dispute.open`: the dispute, the mark on the customer's account that pauses the invoice's
/// reminders, and the `dispute.opened` notice.
pub fn decide_dispute_open(
    open: &OpenDispute,
    facts: &OpenDisputeFacts,
) -> Result<Decision, MutationError> {
    let replay = facts.stored.as_ref().map(|d| &d.opened);
    if let Some(replayed) = recorded_once(replay, open, "dispute", open.id, "already open") {
        return replayed;
    }
    let Some(invoice) = &facts.invoice else {
        return Err(invalid(
            "invoice_id",
            "an issued invoice of the organisation",
        ));
    };
    let dispute = Dispute {
        customer_id: invoice.customer_id,
        opened: open.clone(),
        resolution: None,
    };
    let audit = json!({
        "op": "put", "entity": "dispute", "id": open.id,
        "invoice": invoice.number(), "reason": open.reason,
    });
    let write = Write::Record {
        record: Record::Dispute(dispute.clone()),
        customer: Some(dispute.customer_id),
        version: FIRST_VERSION,
    };
    let event = AccountEvent::Disputed {
        invoice_id: open.invoice_id,
        open: true,
    };
    Ok(Decision::store(write, audit)
        .with_event(dispute.customer_id, event)
        .notify(Notice::DisputeOpened(dispute)))
}

/// Decides a `dispute.resolve`: a dispute is resolved once, on or after the day it was opened.
pub fn decide_dispute_resolve(
    resolve: &ResolveDispute,
    stored: Option<&Stored<Dispute>>,
) -> Result<Decision, MutationError> {
    let Some(current) = stored else {
        return Err(invalid("id", "an open dispute of the organisation"));
    };
    let dispute = &current.record;
    if !dispute.is_open() {
        return Ok(Decision::unchanged(
            "dispute",
            resolve.id,
            "already resolved",
        ));
    }
    if resolve.resolved_on < dispute.opened.opened_on {
        return Err(invalid(
            "resolved_on",
            format!(
                "on or after {}, the day it was opened",
                dispute.opened.opened_on
            ),
        ));
    }
    let audit = json!({
        "op": "put", "entity": "dispute", "id": resolve.id, "outcome": resolve.outcome,
    });
    let mut resolved = dispute.clone();
    resolved.resolution = Some(resolve.clone());
    let event = AccountEvent::Disputed {
        invoice_id: dispute.opened.invoice_id,
        open: false,
    };
    let customer = dispute.customer_id;
    let write = Write::Record {
        record: Record::Dispute(resolved),
        customer: Some(customer),
        version: next_version(stored),
    };
    Ok(Decision::store(write, audit).with_event(customer, event))
}

/// Decides an `exception.resolve`: resolved once, by the user whose mutation it is.
pub fn decide_exception_resolve(
    resolve: &ResolveException,
    stored: Option<&Stored<ExceptionItem>>,
    cause: &Cause,
) -> Result<Decision, MutationError> {
    let Some(current) = stored else {
        return Err(invalid("id", "an exception item of the organisation"));
    };
    if current.record.resolution.is_some() {
        return Ok(Decision::unchanged(
            "exception",
            resolve.id,
            "already resolved",
        ));
    }
    let mut item = current.record.clone();
    item.resolution = Some(ExceptionResolution {
        remedy: resolve.remedy,
        note: resolve.note.trim().to_owned(),
        resolved_by: cause.user,
    });
    let audit =
        json!({ "op": "put", "entity": "exception", "id": item.id, "remedy": resolve.remedy });
    let customer = item.customer_id;
    let write = Write::Record {
        record: Record::Exception(item),
        customer,
        version: next_version(stored),
    };
    Ok(Decision::store(write, audit))
}
