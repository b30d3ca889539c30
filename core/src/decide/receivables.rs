//! Payments, refunds, disputes and exception items. Money received or paid out is a fact: it is
//! recorded whatever the customer's account says, and what does not fit becomes customer credit and
//! exception items. Only what makes the fact unreadable is refused: an id already used for something
//! else, a customer or invoice that is not the organisation's.

use serde_json::json;

use super::{
    Cause, Decision, FIRST_VERSION, Notice, Stored, Write, invalid, next_version, recorded_once,
};
use crate::document::issued::Invoice;
use crate::gateway::{GatewayCharge, outbound_refund};
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
    /// The gateway that took the named payment, when a gateway took it: the refund is sent there.
    pub gateway: Option<GatewayCharge>,
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
    let outbound = outbound_refund(refund, facts.gateway.as_ref());
    let audit = json!({
        "op": "put", "entity": "refund", "id": refund.id,
        "amount": refund.amount.amount().to_string(), "currency": refund.amount.currency(),
        "exceptions": exceptions.len(), "to_gateway": outbound.is_some(),
    });
    let write = Write::Record {
        record: Record::Refund(refund.clone()),
        customer: Some(customer),
        version: FIRST_VERSION,
    };
    Ok(Decision::store(write, audit)
        .with_event(customer, AccountEvent::Refunded(refund.clone()))
        .raise(&facts.cause, Some(customer), exceptions)
        .refund_through(outbound))
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

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    use super::*;
    use crate::decide::Change;
    use crate::document::issued::Voided;
    use crate::fixtures;
    use crate::ids::{
        ClientId, CustomerId, DisputeId, ExceptionId, OrganisationId, PaymentId, RefundId, UserId,
    };
    use crate::money::{Currency, Money};
    use crate::receivables::ItemRef;
    use crate::receivables::account::PaymentMethod;
    use crate::receivables::allocation::{AllocationLine, AllocationPlan, Instruction};
    use crate::receivables::dispute::DisputeOutcome;
    use crate::receivables::exception::{ExceptionKind, Remedy};
    use crate::sync::MutationErrorKind;
    use crate::validation::ValidationError;

    fn id<T>(parse: fn(&str) -> Result<T, ValidationError>, n: u8) -> T {
        parse(&format!("019a4d5e-0000-7000-8000-0000000000{n:02x}")).unwrap()
    }

    fn org() -> OrganisationId {
        id(OrganisationId::parse, 0x01)
    }

    /// The customer of [`fixtures::draft`].
    fn payer() -> CustomerId {
        id(CustomerId::parse, 0x02)
    }

    fn someone_else() -> CustomerId {
        id(CustomerId::parse, 0x03)
    }

    fn cause() -> Cause {
        Cause {
            organisation: org(),
            user: id(UserId::parse, 0xa1),
            client: id(ClientId::parse, 0xc1),
            mutation_id: 7,
        }
    }

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn nok(amount: Decimal) -> Money {
        Money::exact(amount, Currency::parse("NOK").unwrap()).unwrap()
    }

    fn settings() -> Settings {
        let seller = fixtures::address("Kaigata 1", "8006", "Bodø", "NO");
        fixtures::settings_with_seller(org(), "Nordlys AS", seller)
    }

    /// The payer's first invoice: INV-2026-000001 of 2026-11-23, 1,250.00 NOK due 2026-12-07.
    fn invoice() -> Invoice {
        fixtures::issued(vec![fixtures::line(
            "Net repair",
            dec!(4),
            dec!(250),
            dec!(25),
        )])
    }

    fn invoiced(invoice: &Invoice) -> AccountEvent {
        AccountEvent::Invoiced {
            invoice_id: invoice.id,
            number: invoice.number().clone(),
            issue_date: invoice.snapshot.issue_date,
            schedule: invoice.snapshot.schedule.clone(),
        }
    }

    /// The payer's account after `events`.
    fn account(events: &[AccountEvent]) -> Account {
        let mut account = Account::default();
        for event in events {
            event.apply(&mut account).unwrap();
        }
        account
    }

    fn received(amount: Decimal, instruction: Instruction) -> RecordPayment {
        RecordPayment {
            id: id(PaymentId::parse, 0xb1),
            organisation_id: org(),
            customer_id: payer(),
            amount: nok(amount),
            received_on: day("2026-12-01"),
            method: PaymentMethod::BankTransfer,
            reference: "KID 1001".into(),
            instruction,
        }
    }

    fn payment_facts(named: Vec<Invoice>, account: Account) -> PaymentFacts {
        PaymentFacts {
            cause: cause(),
            stored: None,
            customer_known: true,
            named_invoices: named,
            account,
            settings: settings(),
        }
    }

    fn field(e: &MutationError) -> (MutationErrorKind, Option<&str>) {
        (e.kind, e.field.as_deref())
    }

    // payment.record

    #[test]
    fn a_payment_naming_an_open_invoice_settles_it_and_is_announced() {
        let invoice = invoice();
        let paid = received(dec!(1250.00), Instruction::Named(vec![invoice.id]));
        let facts = payment_facts(vec![invoice.clone()], account(&[invoiced(&invoice)]));

        let decision = decide_payment_record(&paid, &facts).unwrap();

        let payment = Payment {
            received: paid.clone(),
            allocation: AllocationPlan {
                lines: vec![AllocationLine {
                    item: ItemRef {
                        invoice_id: invoice.id,
                        instalment: 0,
                    },
                    amount: nok(dec!(1250.00)),
                    discount: nok(dec!(0)),
                }],
                unapplied: nok(dec!(0)),
            },
        };
        assert_eq!(
            decision,
            Decision {
                changes: vec![Change {
                    write: Write::Record {
                        record: Record::Payment(payment.clone()),
                        customer: Some(payer()),
                        version: 1,
                    },
                    account: Some((payer(), AccountEvent::Received(paid.clone()))),
                }],
                exceptions: vec![],
                notices: vec![Notice::PaymentReceived(payment)],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "put", "entity": "payment", "id": paid.id,
                    "amount": "1250.00", "currency": "NOK",
                    "allocated": 1, "unapplied": "0.00", "exceptions": 0,
                }),
            }
        );
    }

    #[test]
    fn the_same_payment_again_changes_nothing() {
        let invoice = invoice();
        let paid = received(dec!(1250.00), Instruction::Named(vec![invoice.id]));
        let mut facts = payment_facts(vec![invoice.clone()], account(&[invoiced(&invoice)]));
        let Write::Record {
            record: Record::Payment(recorded),
            ..
        } = decide_payment_record(&paid, &facts).unwrap().changes[0]
            .write
            .clone()
        else {
            panic!("a payment record");
        };
        facts.stored = Some(recorded);
        // The account already holds it: only the check against the stored payment keeps it from
        // being received twice.
        facts.account = account(&[invoiced(&invoice), AccountEvent::Received(paid.clone())]);

        assert_eq!(
            decide_payment_record(&paid, &facts),
            Ok(Decision::unchanged("payment", paid.id, "already recorded"))
        );
    }

    #[test]
    fn another_payment_under_a_recorded_id_is_refused_naming_the_id() {
        let earlier = received(dec!(100), Instruction::OldestDueFirst);
        let mut facts = payment_facts(vec![], Account::default());
        facts.stored = Some(Payment {
            received: earlier.clone(),
            allocation: AllocationPlan {
                lines: vec![],
                unapplied: earlier.amount,
            },
        });
        let other = RecordPayment {
            amount: nok(dec!(200)),
            ..earlier
        };

        let e = decide_payment_record(&other, &facts).unwrap_err();

        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("id")));
        assert!(e.message.contains("another payment"), "{e}");
    }

    #[test]
    fn a_payment_from_a_customer_the_organisation_does_not_have_is_refused() {
        let mut facts = payment_facts(vec![], Account::default());
        facts.customer_known = false;

        let e = decide_payment_record(&received(dec!(100), Instruction::OldestDueFirst), &facts)
            .unwrap_err();

        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("customer_id")));
    }

    #[test]
    fn a_payment_may_name_only_issued_invoices_of_the_payer() {
        let mut theirs = invoice();
        theirs.customer_id = someone_else();
        let paid = received(dec!(100), Instruction::Named(vec![theirs.id]));

        let foreign =
            decide_payment_record(&paid, &payment_facts(vec![theirs], Account::default()))
                .unwrap_err();
        let unknown =
            decide_payment_record(&paid, &payment_facts(vec![], Account::default())).unwrap_err();

        assert_eq!(
            field(&foreign),
            (MutationErrorKind::Invalid, Some("instruction.invoices"))
        );
        assert!(
            foreign.message.contains("of the paying customer"),
            "{foreign}"
        );
        assert_eq!(
            field(&unknown),
            (MutationErrorKind::Invalid, Some("instruction.invoices"))
        );
        assert!(unknown.message.contains("issued invoices"), "{unknown}");
    }

    #[test]
    fn a_payment_for_an_invoice_voided_meanwhile_is_recorded_as_credit_with_exceptions() {
        let mut invoice = invoice();
        let on = day("2026-11-28");
        let voided = AccountEvent::Voided {
            invoice_id: invoice.id,
            number: invoice.number().clone(),
            on,
        };
        let facts_account = account(&[invoiced(&invoice), voided]);
        invoice.voided = Some(Voided {
            on,
            reason: "Wrong customer".into(),
        });
        let paid = received(dec!(1250.00), Instruction::Named(vec![invoice.id]));
        let facts = payment_facts(vec![invoice.clone()], facts_account);

        let decision = decide_payment_record(&paid, &facts).unwrap();

        // Money is a fact: the payment is stored, all of it customer credit…
        let Write::Record {
            record: Record::Payment(payment),
            ..
        } = &decision.changes[0].write
        else {
            panic!("a payment record: {decision:?}");
        };
        assert_eq!(
            payment.allocation,
            AllocationPlan {
                lines: vec![],
                unapplied: nok(dec!(1250.00)),
            }
        );
        // …and a person hears why, under ids the mutation gives them.
        assert_eq!(
            decision.exceptions,
            vec![
                ExceptionItem::raise(
                    cause().exception_id(0),
                    org(),
                    Some(payer()),
                    ExceptionKind::PaymentForVoidedInvoice {
                        payment_id: paid.id,
                        invoice_id: invoice.id,
                    },
                ),
                ExceptionItem::raise(
                    cause().exception_id(1),
                    org(),
                    Some(payer()),
                    ExceptionKind::Overpayment {
                        payment_id: paid.id,
                        unapplied: nok(dec!(1250.00)),
                    },
                ),
            ]
        );
        assert_eq!(decision.audit["exceptions"], 2);
        // Deciding again, as a retried push does, raises the very same items.
        assert_eq!(decide_payment_record(&paid, &facts), Ok(decision));
    }

    #[test]
    fn a_payment_received_in_a_closed_period_is_recorded_with_an_exception() {
        let invoice = invoice();
        let paid = received(dec!(1250.00), Instruction::Named(vec![invoice.id]));
        let mut facts = payment_facts(vec![invoice.clone()], account(&[invoiced(&invoice)]));
        facts.settings.period_locked_until = Some(day("2026-12-31"));

        let decision = decide_payment_record(&paid, &facts).unwrap();

        assert_eq!(decision.changes.len(), 1);
        assert_eq!(
            decision.exceptions,
            vec![ExceptionItem::raise(
                cause().exception_id(0),
                org(),
                Some(payer()),
                ExceptionKind::PaymentInClosedPeriod {
                    payment_id: paid.id,
                    received_on: day("2026-12-01"),
                    locked_until: day("2026-12-31"),
                },
            )]
        );
        assert_eq!(decision.notices.len(), 1);
    }

    // payment.refund

    /// The payer's account holding `credit` NOK of unapplied credit from payment 0xb0.
    fn in_credit(credit: Decimal) -> (Payment, Account) {
        let paid = RecordPayment {
            id: id(PaymentId::parse, 0xb0),
            ..received(credit, Instruction::OldestDueFirst)
        };
        let payment = Payment {
            received: paid.clone(),
            allocation: AllocationPlan {
                lines: vec![],
                unapplied: paid.amount,
            },
        };
        (payment, account(&[AccountEvent::Received(paid)]))
    }

    fn refund(amount: Decimal, payment: Option<&Payment>) -> RefundPayment {
        RefundPayment {
            id: id(RefundId::parse, 0xd1),
            organisation_id: org(),
            customer_id: payer(),
            payment_id: payment.map(|p| p.received.id),
            amount: nok(amount),
            paid_on: day("2026-12-03"),
            method: PaymentMethod::BankTransfer,
            reference: String::new(),
            gateway_refund: None,
        }
    }

    fn refund_facts(payment: Option<Payment>, account: Account) -> RefundFacts {
        RefundFacts {
            cause: cause(),
            stored: None,
            customer_known: true,
            payment,
            account,
            gateway: None,
        }
    }

    #[test]
    fn a_refund_within_the_customers_credit_is_recorded_on_the_account() {
        let (payment, account) = in_credit(dec!(100));
        let refund = refund(dec!(60), Some(&payment));

        let decision = decide_payment_refund(&refund, &refund_facts(Some(payment), account));

        assert_eq!(
            decision,
            Ok(Decision {
                changes: vec![Change {
                    write: Write::Record {
                        record: Record::Refund(refund.clone()),
                        customer: Some(payer()),
                        version: 1,
                    },
                    account: Some((payer(), AccountEvent::Refunded(refund.clone()))),
                }],
                exceptions: vec![],
                notices: vec![],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "put", "entity": "refund", "id": refund.id,
                    "amount": "60.00", "currency": "NOK", "exceptions": 0,
                    "to_gateway": false,
                }),
            })
        );
    }

    #[test]
    fn a_refund_beyond_the_customers_credit_is_recorded_with_the_excess_as_an_exception() {
        let (_, account) = in_credit(dec!(100));
        let refund = refund(dec!(150), None);

        let decision = decide_payment_refund(&refund, &refund_facts(None, account)).unwrap();

        assert_eq!(decision.changes.len(), 1);
        assert_eq!(
            decision.exceptions,
            vec![ExceptionItem::raise(
                cause().exception_id(0),
                org(),
                Some(payer()),
                ExceptionKind::RefundExceedsCredit {
                    refund_id: refund.id,
                    excess: nok(dec!(50)),
                },
            )]
        );
    }

    #[test]
    fn a_refund_may_name_only_a_payment_of_the_same_customer() {
        let (mut theirs, account) = in_credit(dec!(100));
        let refund = refund(dec!(60), Some(&theirs));
        theirs.received.customer_id = someone_else();

        let foreign = decide_payment_refund(&refund, &refund_facts(Some(theirs), account.clone()))
            .unwrap_err();
        let unknown = decide_payment_refund(&refund, &refund_facts(None, account)).unwrap_err();

        assert_eq!(
            field(&foreign),
            (MutationErrorKind::Invalid, Some("payment_id"))
        );
        assert_eq!(
            field(&unknown),
            (MutationErrorKind::Invalid, Some("payment_id"))
        );
    }

    #[test]
    fn a_refund_to_a_customer_the_organisation_does_not_have_is_refused() {
        let (_, account) = in_credit(dec!(100));
        let mut facts = refund_facts(None, account);
        facts.customer_known = false;

        let e = decide_payment_refund(&refund(dec!(60), None), &facts).unwrap_err();

        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("customer_id")));
    }

    #[test]
    fn the_same_refund_again_changes_nothing_and_another_under_its_id_is_refused() {
        let (payment, account) = in_credit(dec!(100));
        let refund = refund(dec!(60), Some(&payment));
        let mut facts = refund_facts(Some(payment), account);
        facts.stored = Some(refund.clone());

        assert_eq!(
            decide_payment_refund(&refund, &facts),
            Ok(Decision::unchanged("refund", refund.id, "already recorded"))
        );
        let other = RefundPayment {
            amount: nok(dec!(70)),
            ..refund
        };
        let e = decide_payment_refund(&other, &facts).unwrap_err();
        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("id")));
        assert!(e.message.contains("another refund"), "{e}");
    }

    // dispute.open

    fn opened(on: &str) -> OpenDispute {
        OpenDispute {
            id: id(DisputeId::parse, 0xe1),
            organisation_id: org(),
            invoice_id: invoice().id,
            opened_on: day(on),
            reason: "Two nets were never delivered".into(),
        }
    }

    #[test]
    fn a_dispute_opens_on_the_invoices_customer_and_pauses_its_reminders() {
        let invoice = invoice();
        let open = opened("2026-11-25");
        let facts = OpenDisputeFacts {
            stored: None,
            invoice: Some(invoice.clone()),
        };

        let decision = decide_dispute_open(&open, &facts);

        let dispute = Dispute {
            opened: open.clone(),
            customer_id: payer(),
            resolution: None,
        };
        assert_eq!(
            decision,
            Ok(Decision {
                changes: vec![Change {
                    write: Write::Record {
                        record: Record::Dispute(dispute.clone()),
                        customer: Some(payer()),
                        version: 1,
                    },
                    account: Some((
                        payer(),
                        AccountEvent::Disputed {
                            invoice_id: invoice.id,
                            open: true,
                        },
                    )),
                }],
                exceptions: vec![],
                notices: vec![Notice::DisputeOpened(dispute)],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "put", "entity": "dispute", "id": open.id,
                    "invoice": "INV-2026-000001", "reason": "Two nets were never delivered",
                }),
            })
        );
    }

    #[test]
    fn the_same_dispute_again_changes_nothing_and_another_under_its_id_is_refused() {
        let open = opened("2026-11-25");
        let facts = OpenDisputeFacts {
            stored: Some(Dispute {
                opened: open.clone(),
                customer_id: payer(),
                resolution: None,
            }),
            invoice: Some(invoice()),
        };

        assert_eq!(
            decide_dispute_open(&open, &facts),
            Ok(Decision::unchanged("dispute", open.id, "already open"))
        );
        let other = OpenDispute {
            reason: "Wrong price".into(),
            ..open
        };
        let e = decide_dispute_open(&other, &facts).unwrap_err();
        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("id")));
    }

    #[test]
    fn a_dispute_about_an_invoice_the_organisation_did_not_issue_is_refused() {
        let facts = OpenDisputeFacts {
            stored: None,
            invoice: None,
        };

        let e = decide_dispute_open(&opened("2026-11-25"), &facts).unwrap_err();

        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("invoice_id")));
    }

    // dispute.resolve

    fn open_dispute(opened_on: &str, version: u64) -> Stored<Dispute> {
        Stored {
            version,
            record: Dispute {
                opened: opened(opened_on),
                customer_id: payer(),
                resolution: None,
            },
        }
    }

    fn resolve(on: &str) -> ResolveDispute {
        ResolveDispute {
            id: id(DisputeId::parse, 0xe1),
            organisation_id: org(),
            resolved_on: day(on),
            outcome: DisputeOutcome::Upheld,
            note: "Credit the two nets".into(),
        }
    }

    #[test]
    fn a_dispute_cannot_be_resolved_before_the_day_it_was_opened() {
        let stored = open_dispute("2026-11-25", 1);

        let e = decide_dispute_resolve(&resolve("2026-11-24"), Some(&stored)).unwrap_err();

        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("resolved_on")));
        assert!(
            e.message
                .contains("on or after 2026-11-25, the day it was opened"),
            "{e}"
        );
    }

    #[test]
    fn a_dispute_resolved_the_day_it_was_opened_resumes_the_invoices_reminders() {
        let stored = open_dispute("2026-11-25", 1);
        let resolve = resolve("2026-11-25");

        let decision = decide_dispute_resolve(&resolve, Some(&stored));

        let resolved = Dispute {
            resolution: Some(resolve.clone()),
            ..stored.record.clone()
        };
        assert_eq!(
            decision,
            Ok(Decision {
                changes: vec![Change {
                    write: Write::Record {
                        record: Record::Dispute(resolved),
                        customer: Some(payer()),
                        version: 2,
                    },
                    account: Some((
                        payer(),
                        AccountEvent::Disputed {
                            invoice_id: invoice().id,
                            open: false,
                        },
                    )),
                }],
                exceptions: vec![],
                notices: vec![],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "put", "entity": "dispute", "id": resolve.id, "outcome": "upheld",
                }),
            })
        );
    }

    #[test]
    fn a_resolved_dispute_is_stored_at_the_version_after_the_stored_one() {
        let stored = open_dispute("2026-11-25", 4);

        let decision = decide_dispute_resolve(&resolve("2026-11-30"), Some(&stored)).unwrap();

        let Write::Record { version, .. } = decision.changes[0].write else {
            panic!("a dispute record: {decision:?}");
        };
        assert_eq!(version, 5);
    }

    #[test]
    fn a_dispute_is_resolved_once_and_only_if_it_exists() {
        let mut stored = open_dispute("2026-11-25", 2);
        stored.record.resolution = Some(resolve("2026-11-26"));
        let again = resolve("2026-11-27");

        assert_eq!(
            decide_dispute_resolve(&again, Some(&stored)),
            Ok(Decision::unchanged("dispute", again.id, "already resolved"))
        );
        let e = decide_dispute_resolve(&again, None).unwrap_err();
        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("id")));
    }

    // exception.resolve

    fn raised(version: u64) -> Stored<ExceptionItem> {
        Stored {
            version,
            record: ExceptionItem::raise(
                id(ExceptionId::parse, 0x91),
                org(),
                Some(payer()),
                ExceptionKind::RefundExceedsCredit {
                    refund_id: id(RefundId::parse, 0xd1),
                    excess: nok(dec!(50)),
                },
            ),
        }
    }

    fn resolve_exception() -> ResolveException {
        ResolveException {
            id: id(ExceptionId::parse, 0x91),
            organisation_id: org(),
            remedy: Remedy::Accepted,
            note: "  Customer paid it back in cash \n".into(),
        }
    }

    #[test]
    fn an_exception_is_resolved_by_the_user_whose_mutation_it_is_with_the_note_trimmed() {
        let stored = raised(1);
        let resolve = resolve_exception();

        let decision = decide_exception_resolve(&resolve, Some(&stored), &cause());

        let mut item = stored.record.clone();
        item.resolution = Some(ExceptionResolution {
            remedy: Remedy::Accepted,
            note: "Customer paid it back in cash".into(),
            resolved_by: cause().user,
        });
        assert_eq!(
            decision,
            Ok(Decision {
                changes: vec![Change {
                    write: Write::Record {
                        record: Record::Exception(item),
                        customer: Some(payer()),
                        version: 2,
                    },
                    account: None,
                }],
                exceptions: vec![],
                notices: vec![],
                mails: vec![],
                answers: vec![],
                refunds: vec![],
                audit: json!({
                    "op": "put", "entity": "exception", "id": resolve.id, "remedy": "accepted",
                }),
            })
        );
        let later = decide_exception_resolve(&resolve, Some(&raised(3)), &cause()).unwrap();
        let Write::Record { version, .. } = later.changes[0].write else {
            panic!("an exception record: {later:?}");
        };
        assert_eq!(version, 4);
    }

    #[test]
    fn an_exception_is_resolved_once_and_only_if_it_exists() {
        let mut stored = raised(2);
        stored.record.resolution = Some(ExceptionResolution {
            remedy: Remedy::Refund,
            note: String::new(),
            resolved_by: id(UserId::parse, 0xa2),
        });
        let resolve = resolve_exception();

        assert_eq!(
            decide_exception_resolve(&resolve, Some(&stored), &cause()),
            Ok(Decision::unchanged(
                "exception",
                resolve.id,
                "already resolved"
            ))
        );
        let e = decide_exception_resolve(&resolve, None, &cause()).unwrap_err();
        assert_eq!(field(&e), (MutationErrorKind::Invalid, Some("id")));
    }
}
