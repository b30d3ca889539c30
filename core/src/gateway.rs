//! Paying online from the customer's portal: what the customer chose to pay and how core will allocate
//! it, and how a payment gateway's reports become Remit's facts.
//!
//! - [`plan_checkout`] reads the customer's choice (invoices ticked, any amount typed) against their
//!   open items and returns the amount to pay and the allocation core will make of it: oldest due first
//!   by default, the ticked invoices first when some are ticked, an early-payment discount taken inside
//!   its window, and what no invoice takes as credit. The page shows it before the customer pays.
//! - A [`Checkout`] is one attempt to pay: the server keeps it (never synced), the gateway's hosted page
//!   collects the card.
//! - [`decide_gateway_event`] turns what a gateway reports (paid, pending, failed, refunded) into
//!   commands the organisation's system client applies, with ids made from the gateway's own ids
//!   ([`gateway_payment_id`], [`gateway_refund_id`]): a report delivered twice, out of order, or racing
//!   the customer's return to the success page records one payment.
//! - A refund a billing user records for a gateway payment is sent to the gateway
//!   ([`OutboundRefund`], decided with the refund); the gateway's refusal raises an exception item
//!   ([`decide_refund_refused`]).
//! - Checkouts are throttled per link and per client address ([`CHECKOUT_THROTTLE_PER_LINK`],
//!   [`CHECKOUT_THROTTLE_PER_ADDRESS`]) against card testing.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::access::LoginThrottle;
use crate::decide::{Decision, invalid};
use crate::ids::{
    CheckoutId, CustomerId, ExceptionId, InvoiceId, MailId, NaturalKey, OrganisationId, PaymentId,
    PortalLinkId, RefundId,
};
use crate::mail::{MailedDocument, MailedKind, SendMail};
use crate::money::{Currency, Money};
use crate::receivables::OpenItem;
use crate::receivables::account::PaymentMethod;
use crate::receivables::allocation::{AllocationPlan, Instruction, allocate};
use crate::receivables::exception::{ExceptionItem, ExceptionKind};
use crate::receivables::payment::{Payment, RecordPayment, RefundPayment};
use crate::sync::{Command, MutationError};
use crate::validation::{Rule, ValidationError};

/// A payment gateway Remit can take cards through.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Built in, for trials and tests: a hosted card page marked TEST MODE, no money moves.
    Sandbox,
    /// Stripe Checkout.
    Stripe,
}

impl Provider {
    pub const ALL: [Provider; 2] = [Provider::Sandbox, Provider::Stripe];

    pub fn name(self) -> &'static str {
        match self {
            Provider::Sandbox => "sandbox",
            Provider::Stripe => "stripe",
        }
    }

    pub fn parse(name: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == name.trim())
            .ok_or_else(|| {
                ValidationError::new(
                    "provider",
                    Rule::Matches {
                        expected: "sandbox or stripe".into(),
                    },
                )
            })
    }
}

/// Checkouts a portal link may start within the window: a customer retrying a card now and then
/// never meets it; a script testing stolen cards through one link does.
pub const CHECKOUT_THROTTLE_PER_LINK: LoginThrottle = LoginThrottle {
    max_failures: 10,
    window_ms: 60 * 60 * 1000,
};

/// Checkouts one client address may start within the window, over every link.
pub const CHECKOUT_THROTTLE_PER_ADDRESS: LoginThrottle = LoginThrottle {
    max_failures: 20,
    window_ms: 60 * 60 * 1000,
};

/// The most one online payment may be, in the currency's minor units (the largest amount card gateways
/// take in one charge).
pub const MAX_MINOR_UNITS: i64 = 99_999_999;

/// What the customer chose on the portal's payment form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PayChoice {
    /// The invoices ticked.
    pub invoices: Vec<InvoiceId>,
    /// The amount typed, as typed; empty to pay what the ticked invoices ask.
    pub amount: String,
}

/// What the customer will pay and how core will allocate it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckoutPlan {
    pub amount: Money,
    /// Where the payment goes: the ticked invoices in the order of their due dates, or oldest due first.
    pub instruction: Instruction,
    /// The allocation core will make when the payment arrives today (the preview).
    pub allocation: AllocationPlan,
    /// The early-payment discounts the allocation takes.
    pub discount: Money,
}

impl CheckoutPlan {
    /// The amount in the currency's minor units, as gateways take it (JPY 0 decimals, KWD 3).
    pub fn minor_units(&self) -> i64 {
        minor_units(self.amount)
    }
}

/// `amount` in its currency's minor units.
pub fn minor_units(amount: Money) -> i64 {
    let scaled = amount.amount() * Decimal::from(10_i64.pow(amount.currency().minor_units()));
    i64::try_from(scaled.trunc()).unwrap_or(i64::MAX)
}

/// An amount a gateway reports in `currency`'s minor units, as money.
pub fn from_minor_units(minor: i64, currency: Currency) -> Money {
    Money::exact(Decimal::new(minor, currency.minor_units()), currency)
        .unwrap_or_else(|_| Money::zero(currency))
}

/// What `item` asks on `today`: its open amount, less its early-payment discount inside the window.
fn asked_on(item: &OpenItem, today: NaiveDate) -> Result<Money, ValidationError> {
    match item.discount {
        Some(window) if today <= window.until && !item.is_settled() => {
            item.open.checked_sub(window.amount)
        }
        _ => Ok(item.open),
    }
}

/// Reads the customer's choice against their open items in `currency` (the payment form's currency) on
/// `today`. A ticked invoice that is not an open invoice of theirs in that currency, an amount that is
/// not money in the currency's minor units, nothing chosen, or more than [`MAX_MINOR_UNITS`] is refused,
/// naming the field (`invoices[i]` or `amount`).
pub fn plan_checkout(
    choice: &PayChoice,
    items: &[OpenItem],
    currency: Currency,
    today: NaiveDate,
) -> Result<CheckoutPlan, ValidationError> {
    let open: Vec<&OpenItem> = items
        .iter()
        .filter(|i| i.amount.currency() == currency && !i.is_settled())
        .collect();
    let mut ticked: Vec<&OpenItem> = Vec::new();
    for (i, id) in choice.invoices.iter().enumerate() {
        let of_invoice: Vec<&OpenItem> = open
            .iter()
            .copied()
            .filter(|item| item.item.invoice_id == *id)
            .collect();
        if of_invoice.is_empty() {
            return Err(ValidationError::new(
                format!("invoices[{i}]"),
                Rule::Matches {
                    expected: format!("an invoice of yours still open in {}", currency.code()),
                },
            ));
        }
        ticked.extend(of_invoice);
    }
    ticked.sort_by(|a, b| {
        (a.due_date, a.issue_date, &a.number, a.item.instalment).cmp(&(
            b.due_date,
            b.issue_date,
            &b.number,
            b.item.instalment,
        ))
    });
    let mut named: Vec<InvoiceId> = Vec::new();
    for item in &ticked {
        if !named.contains(&item.item.invoice_id) {
            named.push(item.item.invoice_id);
        }
    }
    let amount = if choice.amount.trim().is_empty() {
        if named.is_empty() {
            return Err(ValidationError::new("amount", Rule::Required));
        }
        Money::sum(
            currency,
            ticked
                .iter()
                .map(|item| asked_on(item, today))
                .collect::<Result<Vec<_>, _>>()?,
        )?
    } else {
        Money::parse(&choice.amount, currency)?
    };
    if amount.amount() <= Decimal::ZERO {
        return Err(ValidationError::new("amount", Rule::Positive));
    }
    let max = from_minor_units(MAX_MINOR_UNITS, currency);
    if amount.amount() > max.amount() {
        return Err(ValidationError::new(
            "amount",
            Rule::Range {
                min: currency.minor_unit().to_string(),
                max: max.amount().to_string(),
            },
        ));
    }
    let instruction = if named.is_empty() {
        Instruction::OldestDueFirst
    } else {
        Instruction::Named(named)
    };
    let owned: Vec<OpenItem> = open.into_iter().cloned().collect();
    let allocation = allocate(amount, today, &owned, &instruction)?;
    let discount = Money::sum(currency, allocation.lines.iter().map(|l| l.discount))?;
    Ok(CheckoutPlan {
        amount,
        instruction,
        allocation,
        discount,
    })
}

/// Where a checkout stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum CheckoutState {
    /// The customer is on the gateway's page (or left it).
    Open,
    /// Paid by a method that settles later; the gateway reports the outcome.
    Pending,
    /// Paid: the gateway's payment, recorded as the payment `payment_id` of `amount` received on
    /// `paid_on`, its receipt mailed to `receipt_to`. A later report of the same payment is recorded
    /// from these, whatever day or address it carries, so it repeats the first exactly.
    Paid {
        gateway_payment: String,
        payment_id: PaymentId,
        amount: Money,
        paid_on: NaiveDate,
        receipt_to: Option<String>,
    },
    /// The payment failed after the customer left the page (a method that settles later).
    Failed { reason: String },
}

impl CheckoutState {
    pub fn name(&self) -> &'static str {
        match self {
            CheckoutState::Open => "open",
            CheckoutState::Pending => "pending",
            CheckoutState::Paid { .. } => "paid",
            CheckoutState::Failed { .. } => "failed",
        }
    }
}

/// One attempt to pay online, as the server keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkout {
    pub id: CheckoutId,
    pub organisation_id: OrganisationId,
    pub customer_id: CustomerId,
    /// The portal link the customer paid through.
    pub link_id: PortalLinkId,
    pub provider: Provider,
    pub amount: Money,
    pub instruction: Instruction,
    pub state: CheckoutState,
}

/// The id of the payment a gateway's payment `gateway_payment` is recorded as: the same for every
/// report of it, on every server process.
pub fn gateway_payment_id(provider: Provider, gateway_payment: &str) -> PaymentId {
    PaymentId::derived(
        &NaturalKey::new("gateway payment")
            .part(provider.name())
            .part(gateway_payment),
    )
}

/// The id of the refund a refund made in the gateway (its dashboard) is recorded as.
pub fn gateway_refund_id(provider: Provider, gateway_refund: &str) -> RefundId {
    RefundId::derived(
        &NaturalKey::new("gateway refund")
            .part(provider.name())
            .part(gateway_refund),
    )
}

/// The id of the mail that sends a payment's receipt: one receipt per payment.
pub fn receipt_mail_id(payment: PaymentId) -> MailId {
    MailId::derived(&NaturalKey::new("receipt").ordered_after(payment.as_uuid()))
}

/// What a gateway reported, read by the shell from its webhook or its hosted page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayEvent {
    /// The checkout is paid: `amount` moved under the gateway's payment id, on the organisation's
    /// business day `paid_on`.
    Paid {
        checkout: CheckoutId,
        gateway_payment: String,
        amount: Money,
        paid_on: NaiveDate,
        /// The address the payer gave the gateway, for the receipt.
        payer_email: Option<String>,
    },
    /// The customer finished the page with a method that settles later.
    Pending { checkout: CheckoutId },
    /// A method that settles later failed.
    Failed {
        checkout: CheckoutId,
        reason: String,
    },
    /// Money of the gateway's payment went back to the customer under the gateway's refund id.
    Refunded {
        gateway_payment: String,
        gateway_refund: String,
        amount: Money,
        refunded_on: NaiveDate,
        /// The refund Remit asked for, when the gateway names it (a refund sent from the workspace):
        /// already recorded, never again.
        remit_refund: Option<RefundId>,
    },
}

/// What [`decide_gateway_event`] reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayFacts<'a> {
    pub provider: Provider,
    /// The checkout the event names, when it is found.
    pub checkout: Option<&'a Checkout>,
    /// For a refund: the payment recorded for the gateway's payment, when it is.
    pub payment: Option<&'a Payment>,
    /// The customer's address on file, for the receipt when the payer gave none.
    pub customer_email: Option<&'a str>,
}

/// What to do with a gateway's report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GatewayDecision {
    /// Nothing: the event is about something Remit did not start, or changes nothing.
    Ignore { reason: &'static str },
    /// Ask the gateway to report again later (answer with a retryable status): the event refers to a
    /// payment not recorded yet.
    Later { reason: &'static str },
    /// Store the checkout's new state (when it changes), and apply the commands as the organisation's
    /// system client, in order. Every command's id comes from the gateway's ids, so applying them again
    /// changes nothing.
    Apply {
        state: Option<CheckoutState>,
        commands: Vec<Command>,
    },
}

/// Decides what a gateway's report changes. A payment is a fact: it is recorded whatever it breaks
/// (allocated as the checkout asked when its currency is the checkout's, oldest due first otherwise),
/// with its receipt mailed to the payer. A later report never takes a paid checkout back.
pub fn decide_gateway_event(event: &GatewayEvent, facts: &GatewayFacts) -> GatewayDecision {
    match event {
        GatewayEvent::Paid {
            checkout,
            gateway_payment,
            amount,
            paid_on,
            payer_email,
        } => {
            let Some(found) = facts.checkout.filter(|c| c.id == *checkout) else {
                return GatewayDecision::Ignore {
                    reason: "no checkout of this organisation has the id",
                };
            };
            paid(
                found,
                gateway_payment,
                *amount,
                *paid_on,
                payer_email,
                facts,
            )
        }
        GatewayEvent::Pending { checkout } | GatewayEvent::Failed { checkout, .. } => {
            let Some(found) = facts.checkout.filter(|c| c.id == *checkout) else {
                return GatewayDecision::Ignore {
                    reason: "no checkout of this organisation has the id",
                };
            };
            let next = match event {
                GatewayEvent::Failed { reason, .. } => CheckoutState::Failed {
                    reason: reason.clone(),
                },
                _ => CheckoutState::Pending,
            };
            match found.state {
                CheckoutState::Open | CheckoutState::Pending if found.state != next => {
                    GatewayDecision::Apply {
                        state: Some(next),
                        commands: Vec::new(),
                    }
                }
                CheckoutState::Paid { .. } => GatewayDecision::Ignore {
                    reason: "the checkout is paid: a late report does not take it back",
                },
                _ => GatewayDecision::Ignore {
                    reason: "the checkout is already in that state",
                },
            }
        }
        GatewayEvent::Refunded {
            gateway_payment,
            gateway_refund,
            amount,
            refunded_on,
            remit_refund,
        } => {
            if remit_refund.is_some() {
                return GatewayDecision::Ignore {
                    reason: "the refund was sent from Remit and is recorded there",
                };
            }
            let Some(payment) = facts.payment else {
                return GatewayDecision::Later {
                    reason: "the refunded payment is not recorded yet",
                };
            };
            if payment.received.id != gateway_payment_id(facts.provider, gateway_payment) {
                return GatewayDecision::Ignore {
                    reason: "the payment found is not the refunded one",
                };
            }
            let refund = RefundPayment {
                id: gateway_refund_id(facts.provider, gateway_refund),
                organisation_id: payment.received.organisation_id,
                customer_id: payment.received.customer_id,
                payment_id: Some(payment.received.id),
                amount: *amount,
                paid_on: *refunded_on,
                method: PaymentMethod::Card,
                reference: gateway_refund.clone(),
                gateway_refund: Some(gateway_refund.clone()),
            };
            GatewayDecision::Apply {
                state: None,
                commands: vec![Command::RefundPayment(refund)],
            }
        }
    }
}

fn paid(
    checkout: &Checkout,
    gateway_payment: &str,
    amount: Money,
    paid_on: NaiveDate,
    payer_email: &Option<String>,
    facts: &GatewayFacts,
) -> GatewayDecision {
    let payment_id = gateway_payment_id(checkout.provider, gateway_payment);
    let to = payer_email
        .as_deref()
        .filter(|a| !a.trim().is_empty())
        .or(facts.customer_email.filter(|a| !a.trim().is_empty()))
        .map(|a| a.trim().to_owned());
    let (amount, paid_on, receipt_to) = match &checkout.state {
        CheckoutState::Paid {
            gateway_payment: recorded,
            ..
        } if recorded != gateway_payment => {
            return GatewayDecision::Ignore {
                reason: "the checkout was paid by another gateway payment",
            };
        }
        CheckoutState::Paid {
            amount,
            paid_on,
            receipt_to,
            ..
        } => (*amount, *paid_on, receipt_to.clone()),
        _ => (amount, paid_on, to),
    };
    let state = CheckoutState::Paid {
        gateway_payment: gateway_payment.to_owned(),
        payment_id,
        amount,
        paid_on,
        receipt_to: receipt_to.clone(),
    };
    let instruction = if amount.currency() == checkout.amount.currency() {
        checkout.instruction.clone()
    } else {
        Instruction::OldestDueFirst
    };
    let record = RecordPayment {
        id: payment_id,
        organisation_id: checkout.organisation_id,
        customer_id: checkout.customer_id,
        amount,
        received_on: paid_on,
        method: PaymentMethod::Card,
        reference: gateway_payment.to_owned(),
        instruction,
    };
    let mut commands = vec![Command::RecordPayment(record)];
    if let Some(to) = &receipt_to {
        let receipt = SendMail {
            id: receipt_mail_id(payment_id),
            organisation_id: checkout.organisation_id,
            document: MailedDocument {
                kind: MailedKind::Receipt,
                id: payment_id.as_uuid(),
            },
            to: to.clone(),
            subject: String::new(),
            message: String::new(),
        };
        // An address the mail rules refuse gets no receipt; the payment is recorded all the same.
        if receipt.validate().is_ok() {
            commands.push(Command::SendMail(receipt));
        }
    }
    GatewayDecision::Apply {
        state: (checkout.state != state).then_some(state),
        commands,
    }
}

/// A refund to send to the gateway that took the payment; the refund's id is the idempotency key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboundRefund {
    pub refund_id: RefundId,
    pub organisation_id: OrganisationId,
    pub provider: Provider,
    pub gateway_payment: String,
    pub amount: Money,
}

/// A payment taken by a gateway, as the server keeps it beside the payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayCharge {
    pub provider: Provider,
    pub gateway_payment: String,
}

/// The refund to send for `refund`, when it returns money of a gateway's payment and was not made in
/// the gateway itself.
pub fn outbound_refund(
    refund: &RefundPayment,
    charge: Option<&GatewayCharge>,
) -> Option<OutboundRefund> {
    let charge = charge?;
    if refund.gateway_refund.is_some() {
        return None;
    }
    Some(OutboundRefund {
        refund_id: refund.id,
        organisation_id: refund.organisation_id,
        provider: charge.provider,
        gateway_payment: charge.gateway_payment.clone(),
        amount: refund.amount,
    })
}

/// Why the sandbox gateway refuses a refund.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SandboxRefusal {
    /// The refund is not in the payment's currency.
    #[error("currency_mismatch: the refund is in {asked}, the payment in {paid}")]
    OtherCurrency { asked: String, paid: String },
    /// The refund is more than what is left of the payment.
    #[error("amount_too_large: the refund of {asked} is more than the {left} left of the payment")]
    TooLarge { asked: Money, left: Money },
}

/// What the sandbox gateway answers a refund of `asked` from its payment `paid`, of which `refunded`
/// went back already: like a card gateway, it refunds at most what is left of the payment, in the
/// payment's currency.
pub fn sandbox_refund(paid: Money, refunded: &[Money], asked: Money) -> Result<(), SandboxRefusal> {
    let currency = paid.currency();
    let other = |asked: Currency| SandboxRefusal::OtherCurrency {
        asked: asked.code().to_owned(),
        paid: currency.code().to_owned(),
    };
    if asked.currency() != currency {
        return Err(other(asked.currency()));
    }
    // What went back in another currency cannot be told apart from the payment: nothing is left.
    let left = Money::sum(currency, refunded.iter().copied())
        .and_then(|back| paid.checked_sub(back))
        .unwrap_or(Money::zero(currency));
    if asked.amount() > left.amount() {
        return Err(SandboxRefusal::TooLarge { asked, left });
    }
    Ok(())
}

/// The arguments of `refund.refused`: the gateway refused a refund Remit sent it. Sent by the
/// organisation's system client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundRefused {
    pub organisation_id: OrganisationId,
    pub refund_id: RefundId,
    /// What the gateway said, as it said it.
    pub reason: String,
}

impl RefundRefused {
    const MAX_REASON: usize = 500;

    /// The exception item the refusal raises: one per refund.
    pub fn exception_id(&self) -> ExceptionId {
        ExceptionId::derived(
            &NaturalKey::new("refund refused").ordered_after(self.refund_id.as_uuid()),
        )
    }

    pub fn validate(&self) -> Result<(), ValidationError> {
        crate::validation::required_text("reason", &self.reason, Self::MAX_REASON)
    }
}

/// What a `refund.refused` is decided on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRefusedFacts {
    /// The refund as recorded, when it is the organisation's.
    pub refund: Option<RefundPayment>,
    /// The exception item already raised for it.
    pub raised: Option<ExceptionItem>,
}

/// Decides a `refund.refused`: an exception item for a person (the money is still the customer's
/// credit in Remit but did not reach them). Raised once per refund.
pub fn decide_refund_refused(
    command: &RefundRefused,
    facts: &RefundRefusedFacts,
) -> Result<Decision, MutationError> {
    let id = command.exception_id();
    if facts.raised.is_some() {
        return Ok(Decision::unchanged(
            "exception",
            id,
            "the refusal is already raised",
        ));
    }
    let Some(refund) = &facts.refund else {
        return Err(invalid("refund_id", "a refund of the organisation"));
    };
    let item = ExceptionItem::raise(
        id,
        command.organisation_id,
        Some(refund.customer_id),
        ExceptionKind::RefundRefusedByGateway {
            refund_id: refund.id,
            amount: refund.amount,
            reason: command.reason.clone(),
        },
    );
    let audit = json!({
        "op": "put", "entity": "exception", "id": id, "refund": refund.id,
        "kind": "refund_refused_by_gateway", "exceptions": 1,
    });
    Ok(Decision::exception(item, audit))
}

#[cfg(test)]
mod tests;
