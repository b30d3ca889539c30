//! Payments and refunds as the sync protocol carries them, and the decision the server takes when one
//! arrives. Both are facts: money that moved is recorded, never refused for a business rule; what breaks
//! a rule becomes an [`ExceptionKind`] for a person.

use chrono::NaiveDate;
use serde::{Deserialize, Deserializer, Serialize};

use super::account::{Account, PaymentMethod};
use super::allocation::{AllocationLine, AllocationPlan, Instruction};
use super::exception::ExceptionKind;
use crate::ids::{CustomerId, InvoiceId, OrganisationId, PaymentId, RefundId};
use crate::money::Money;
use crate::settings::Settings;
use crate::validation::{Rule, ValidationError, optional_text};
use crate::wire;

/// The arguments of `payment.record`: money received from a customer, with where it should go.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordPayment {
    pub id: PaymentId,
    pub organisation_id: OrganisationId,
    pub customer_id: CustomerId,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub method: PaymentMethod,
    /// The bank's or the customer's reference (remittance advice).
    #[serde(default)]
    pub reference: String,
    pub instruction: Instruction,
}

/// A payment as recorded, with the allocation the server decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payment {
    #[serde(flatten)]
    pub received: RecordPayment,
    pub allocation: AllocationPlan,
}

impl<'de> Deserialize<'de> for Payment {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        wire::object(deserializer, |fields| {
            Ok(Self {
                allocation: fields.take("allocation")?,
                received: fields.rest().decode()?,
            })
        })
    }
}

/// The arguments of `payment.refund`: customer credit paid back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundPayment {
    pub id: RefundId,
    pub organisation_id: OrganisationId,
    pub customer_id: CustomerId,
    /// The payment whose money is returned, when the refund is for one.
    #[serde(default)]
    pub payment_id: Option<PaymentId>,
    pub amount: Money,
    pub paid_on: NaiveDate,
    pub method: PaymentMethod,
    #[serde(default)]
    pub reference: String,
    /// The gateway's own id of the refund when it was made in the gateway (its dashboard) and reported
    /// by it; none when Remit is to send the refund to the gateway that took the payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway_refund: Option<String>,
}

const MAX_REFERENCE: usize = 200;

fn positive(field: &str, amount: &Money) -> Result<(), ValidationError> {
    if amount.amount().is_sign_negative() || amount.is_zero() {
        return Err(ValidationError::new(field, Rule::Positive));
    }
    Ok(())
}

impl RecordPayment {
    pub fn validate(&self) -> Result<(), ValidationError> {
        positive("amount", &self.amount)?;
        optional_text("reference", &self.reference, MAX_REFERENCE)?;
        if let Instruction::Named(invoices) = &self.instruction
            && invoices.is_empty()
        {
            return Err(ValidationError::new("instruction.invoices", Rule::Required));
        }
        Ok(())
    }

    /// Invoices the remittance advice names.
    pub fn named_invoices(&self) -> &[InvoiceId] {
        match &self.instruction {
            Instruction::Named(invoices) => invoices,
            Instruction::OldestDueFirst => &[],
        }
    }
}

impl Payment {
    /// The allocation lines that apply money to `invoice` (one per instalment).
    pub fn applied_to(&self, invoice: InvoiceId) -> impl Iterator<Item = &AllocationLine> {
        self.allocation
            .lines
            .iter()
            .filter(move |line| line.item.invoice_id == invoice)
    }

    /// Whether the payment belongs with `invoice`: the remittance advice names it, or the allocation
    /// applied money to it.
    pub fn concerns(&self, invoice: InvoiceId) -> bool {
        self.received.named_invoices().contains(&invoice)
            || self.applied_to(invoice).next().is_some()
    }
}

impl RefundPayment {
    pub fn validate(&self) -> Result<(), ValidationError> {
        positive("amount", &self.amount)?;
        optional_text("reference", &self.reference, MAX_REFERENCE)?;
        match &self.gateway_refund {
            Some(id) => crate::validation::required_text("gateway_refund", id, MAX_REFERENCE),
            None => Ok(()),
        }
    }
}

/// The outcome of recording money received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub payment: Payment,
    pub exceptions: Vec<ExceptionKind>,
}

/// Records a payment on the customer's account. `voided` are the named invoices voided meanwhile.
/// Money a named invoice cannot take (voided, or already paid by the time this arrives) becomes
/// unapplied credit and an exception; nothing is refused.
pub fn receive(
    account: &mut Account,
    payment: &RecordPayment,
    voided: &[InvoiceId],
    settings: &Settings,
) -> Result<Received, ValidationError> {
    payment.validate()?;
    let plan = account.receive(
        &payment.id.to_string(),
        payment.received_on,
        payment.amount,
        payment.method,
        &payment.instruction,
    )?;
    let mut exceptions: Vec<ExceptionKind> = payment
        .named_invoices()
        .iter()
        .filter(|id| voided.contains(id))
        .map(|&invoice_id| ExceptionKind::PaymentForVoidedInvoice {
            payment_id: payment.id,
            invoice_id,
        })
        .collect();
    if !payment.named_invoices().is_empty() && !plan.unapplied.is_zero() {
        exceptions.push(ExceptionKind::Overpayment {
            payment_id: payment.id,
            unapplied: plan.unapplied,
        });
    }
    if let Some(locked_until) = settings.period_locked_until
        && settings.is_locked(payment.received_on)
    {
        exceptions.push(ExceptionKind::PaymentInClosedPeriod {
            payment_id: payment.id,
            received_on: payment.received_on,
            locked_until,
        });
    }
    Ok(Received {
        payment: Payment {
            received: payment.clone(),
            allocation: plan,
        },
        exceptions,
    })
}

/// Records a refund on the customer's account; a refund beyond the customer's credit is recorded too,
/// with an exception for the excess.
pub fn refund(
    account: &mut Account,
    refund: &RefundPayment,
) -> Result<Vec<ExceptionKind>, ValidationError> {
    refund.validate()?;
    let excess = account.record_refund(
        &refund.id.to_string(),
        refund.paid_on,
        refund.amount,
        refund.method,
    )?;
    Ok(if excess.is_zero() {
        Vec::new()
    } else {
        vec![ExceptionKind::RefundExceedsCredit {
            refund_id: refund.id,
            excess,
        }]
    })
}
