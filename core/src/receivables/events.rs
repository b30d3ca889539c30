//! A customer's account as the server keeps it: the events in the order they were recorded. Replaying
//! them through [`Account`] rebuilds the open items, the unapplied credit and the balance, so the server
//! stores facts and core alone decides what they add up to.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::OpenItem;
use super::account::{Account, EntryKind};
use super::allocation::Instruction;
use super::payment::{RecordPayment, RefundPayment};
use crate::ids::{CreditNoteId, InvoiceId};
use crate::money::Money;
use crate::numbering::InvoiceNumber;
use crate::terms::ScheduledPayment;
use crate::validation::ValidationError;

/// Something that changed what a customer owes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum AccountEvent {
    Invoiced {
        invoice_id: InvoiceId,
        number: InvoiceNumber,
        issue_date: NaiveDate,
        schedule: Vec<ScheduledPayment>,
    },
    Voided {
        invoice_id: InvoiceId,
        number: InvoiceNumber,
        on: NaiveDate,
    },
    /// A credit note, applied to the invoice it corrects (what that invoice no longer owes becomes
    /// customer credit).
    Credited {
        credit_note_id: CreditNoteId,
        number: InvoiceNumber,
        invoice_id: InvoiceId,
        issue_date: NaiveDate,
        amount: Money,
    },
    Received(RecordPayment),
    Refunded(RefundPayment),
    Disputed {
        invoice_id: InvoiceId,
        open: bool,
    },
}

impl AccountEvent {
    /// The invoices the event names: a position must hold them (restored when settled, see
    /// [`super::position`]) for the event to apply as it does to the whole account.
    pub fn invoices(&self) -> Vec<InvoiceId> {
        match self {
            AccountEvent::Invoiced { invoice_id, .. }
            | AccountEvent::Voided { invoice_id, .. }
            | AccountEvent::Credited { invoice_id, .. }
            | AccountEvent::Disputed { invoice_id, .. } => vec![*invoice_id],
            AccountEvent::Received(p) => p.named_invoices().to_vec(),
            AccountEvent::Refunded(_) => Vec::new(),
        }
    }

    /// Applies the event to `account`.
    pub fn apply(&self, account: &mut Account) -> Result<(), ValidationError> {
        match self {
            AccountEvent::Invoiced {
                invoice_id,
                number,
                issue_date,
                schedule,
            } => account.invoice(
                number.as_str(),
                *issue_date,
                OpenItem::for_invoice(*invoice_id, number.as_str(), *issue_date, schedule),
                EntryKind::Invoice,
            ),
            AccountEvent::Voided {
                invoice_id,
                number,
                on,
            } => account.void(number.as_str(), *on, *invoice_id).map(drop),
            AccountEvent::Credited {
                number,
                invoice_id,
                issue_date,
                amount,
                ..
            } => account
                .credit_note(
                    number.as_str(),
                    *issue_date,
                    *amount,
                    &Instruction::Named(vec![*invoice_id]),
                )
                .map(drop),
            AccountEvent::Received(p) => account
                .receive(
                    &p.id.to_string(),
                    p.received_on,
                    p.amount,
                    p.method,
                    &p.instruction,
                )
                .map(drop),
            AccountEvent::Refunded(r) => account
                .record_refund(&r.id.to_string(), r.paid_on, r.amount, r.method)
                .map(drop),
            AccountEvent::Disputed { invoice_id, open } => account.set_disputed(*invoice_id, *open),
        }
    }
}

/// The account the events leave, applied in order.
pub fn replay<'a>(
    events: impl IntoIterator<Item = &'a AccountEvent>,
) -> Result<Account, ValidationError> {
    let mut account = Account::default();
    for (i, event) in events.into_iter().enumerate() {
        event
            .apply(&mut account)
            .map_err(|e| e.within(&format!("events[{i}]")))?;
    }
    Ok(account)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CustomerId, OrganisationId, PaymentId, RefundId};
    use crate::money::Currency;
    use crate::receivables::account::Entry;
    use crate::receivables::account::PaymentMethod;
    use crate::receivables::exception::ExceptionKind;
    use crate::receivables::payment::{self, RecordPayment, RefundPayment};
    use crate::receivables::position::{Position, SettledInvoice};
    use crate::settings::Settings;
    use proptest::prelude::*;
    use rust_decimal::Decimal;
    use std::collections::BTreeMap;

    fn eur(cents: i64) -> Money {
        Money::exact(Decimal::new(cents, 2), Currency::parse("EUR").unwrap()).unwrap()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn id<T>(parse: fn(&str) -> Result<T, ValidationError>, n: u8) -> T {
        parse(&format!("019a4d5e-0000-7000-8000-0000000000{n:02x}")).unwrap()
    }

    fn org() -> OrganisationId {
        id(OrganisationId::parse, 1)
    }

    fn invoiced(n: u8, cents: i64) -> AccountEvent {
        AccountEvent::Invoiced {
            invoice_id: id(InvoiceId::parse, n),
            number: InvoiceNumber::parse(&format!("INV-{n}")).unwrap(),
            issue_date: day(1),
            schedule: vec![ScheduledPayment {
                due_date: day(30),
                amount: eur(cents),
                discount: None,
            }],
        }
    }

    fn paid(n: u8, cents: i64, named: &[u8]) -> RecordPayment {
        RecordPayment {
            id: id(PaymentId::parse, n),
            organisation_id: org(),
            customer_id: id(CustomerId::parse, 0xcc),
            amount: eur(cents),
            received_on: day(10),
            method: PaymentMethod::BankTransfer,
            reference: String::new(),
            instruction: if named.is_empty() {
                Instruction::OldestDueFirst
            } else {
                Instruction::Named(named.iter().map(|&n| id(InvoiceId::parse, n)).collect())
            },
        }
    }

    fn balance(account: &Account) -> Money {
        account.balance(Currency::parse("EUR").unwrap()).unwrap()
    }

    #[test]
    fn a_payment_for_an_invoice_voided_meanwhile_becomes_customer_credit() {
        let mut events = vec![invoiced(1, 10000)];
        events.push(AccountEvent::Voided {
            invoice_id: id(InvoiceId::parse, 1),
            number: InvoiceNumber::parse("INV-1").unwrap(),
            on: day(5),
        });
        let mut account = replay(&events).unwrap();
        assert_eq!(balance(&account), eur(0));

        let settings = Settings::initial(org(), "Nordlys AS");
        let payment = paid(0xb1, 10000, &[1]);
        let received = payment::receive(
            &mut account,
            &payment,
            &[id(InvoiceId::parse, 1)],
            &settings,
        )
        .unwrap();
        assert!(received.payment.allocation.lines.is_empty());
        assert_eq!(received.payment.allocation.unapplied, eur(10000));
        assert_eq!(
            received.exceptions,
            vec![
                ExceptionKind::PaymentForVoidedInvoice {
                    payment_id: payment.id,
                    invoice_id: id(InvoiceId::parse, 1)
                },
                ExceptionKind::Overpayment {
                    payment_id: payment.id,
                    unapplied: eur(10000)
                }
            ]
        );
        // The money is not lost: the customer is 100.00 in credit.
        assert_eq!(balance(&account), eur(-10000));
        assert_eq!(
            account.unapplied(Currency::parse("EUR").unwrap()),
            eur(10000)
        );

        // Replaying the stored events gives the same account.
        events.push(AccountEvent::Received(payment));
        assert_eq!(replay(&events).unwrap(), account);
    }

    #[test]
    fn voiding_a_paid_invoice_turns_its_payment_into_credit() {
        let events = vec![
            invoiced(1, 10000),
            AccountEvent::Received(paid(0xb1, 4000, &[1])),
            AccountEvent::Voided {
                invoice_id: id(InvoiceId::parse, 1),
                number: InvoiceNumber::parse("INV-1").unwrap(),
                on: day(12),
            },
        ];
        let account = replay(&events).unwrap();
        assert_eq!(
            account.unapplied(Currency::parse("EUR").unwrap()),
            eur(4000)
        );
        assert_eq!(balance(&account), eur(-4000));
        assert!(account.items().iter().all(|i| i.open.is_zero()));
    }

    #[test]
    fn a_payment_that_meets_a_stale_open_amount_leaves_the_rest_as_credit() {
        // Two devices each recorded the customer's 60.00 against the same 100.00 invoice.
        let mut account = replay(&[
            invoiced(1, 10000),
            AccountEvent::Received(paid(0xb1, 6000, &[1])),
        ])
        .unwrap();
        let settings = Settings::initial(org(), "Nordlys AS");
        let second = paid(0xb2, 6000, &[1]);
        let received = payment::receive(&mut account, &second, &[], &settings).unwrap();
        assert_eq!(received.payment.allocation.unapplied, eur(2000));
        assert_eq!(
            received.exceptions,
            vec![ExceptionKind::Overpayment {
                payment_id: second.id,
                unapplied: eur(2000)
            }]
        );
        assert_eq!(balance(&account), eur(-2000));
    }

    #[test]
    fn a_refund_beyond_the_credit_is_recorded_and_raised() {
        let mut account = replay(&[AccountEvent::Received(paid(0xb1, 3000, &[]))]).unwrap();
        let refund = RefundPayment {
            id: id(RefundId::parse, 0xf1),
            organisation_id: org(),
            customer_id: id(CustomerId::parse, 0xcc),
            payment_id: Some(id(PaymentId::parse, 0xb1)),
            amount: eur(5000),
            paid_on: day(20),
            method: PaymentMethod::BankTransfer,
            reference: String::new(),
            gateway_refund: None,
        };
        let exceptions = payment::refund(&mut account, &refund).unwrap();
        assert_eq!(
            exceptions,
            vec![ExceptionKind::RefundExceedsCredit {
                refund_id: refund.id,
                excess: eur(2000)
            }]
        );
        assert_eq!(balance(&account), eur(2000));
    }

    #[test]
    fn a_credit_note_settles_its_invoice_and_a_dispute_pauses_it() {
        let account = replay(&[
            invoiced(1, 10000),
            AccountEvent::Disputed {
                invoice_id: id(InvoiceId::parse, 1),
                open: true,
            },
            AccountEvent::Credited {
                credit_note_id: id(CreditNoteId::parse, 0xc1),
                number: InvoiceNumber::parse("CN-1").unwrap(),
                invoice_id: id(InvoiceId::parse, 1),
                issue_date: day(3),
                amount: eur(2500),
            },
        ])
        .unwrap();
        assert_eq!(account.items()[0].open, eur(7500));
        assert!(account.items()[0].disputed);
        assert_eq!(balance(&account), eur(7500));
    }

    #[test]
    fn an_event_that_cannot_apply_is_named_by_its_position() {
        let e = replay(&[AccountEvent::Disputed {
            invoice_id: id(InvoiceId::parse, 9),
            open: true,
        }])
        .unwrap_err();
        assert_eq!(e.field, "events[0].invoice_id");
    }

    /// What the server keeps of an account, folded event by event: the position, the settled invoices
    /// set aside from it, and the entries.
    #[derive(Default)]
    struct Stored {
        position: Position,
        settled: BTreeMap<InvoiceId, SettledInvoice>,
        entries: Vec<Entry>,
    }

    impl Stored {
        /// Applies `event` as the server does: the settled invoices it names restored first, the
        /// invoices it leaves settled set aside after. Unchanged when the event does not apply.
        fn fold(&mut self, event: &AccountEvent) -> Result<(), ValidationError> {
            let mut position = self.position.clone();
            for invoice in event.invoices() {
                if let Some(settled) = self
                    .settled
                    .get(&invoice)
                    .filter(|_| !position.holds(invoice))
                {
                    position.restore(settled.clone());
                }
            }
            let mut account = Account::open(position);
            event.apply(&mut account)?;
            let (mut position, entries) = account.into_parts();
            for settled in position.settle_out() {
                self.settled.insert(settled.invoice_id, settled);
            }
            self.position = position;
            self.entries.extend(entries);
            Ok(())
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Invoice {
            instalments: Vec<(i64, u32, bool)>,
            nok: bool,
        },
        Pay {
            cents: i64,
            named: Vec<u8>,
            nok: bool,
        },
        Credit {
            invoice: u8,
            cents: i64,
        },
        Void(u8),
        Refund(i64),
        Dispute(u8, bool),
    }

    fn op() -> impl Strategy<Value = Op> {
        let invoice = 1u8..12;
        prop_oneof![
            3 => (prop::collection::vec((1i64..50_000, 1u32..28, any::<bool>()), 1..3), prop::bool::weighted(0.2))
                .prop_map(|(instalments, nok)| Op::Invoice { instalments, nok }),
            3 => (1i64..80_000, prop::collection::vec(invoice.clone(), 0..3), prop::bool::weighted(0.2))
                .prop_map(|(cents, named, nok)| Op::Pay { cents, named, nok }),
            1 => (invoice.clone(), 1i64..30_000).prop_map(|(invoice, cents)| Op::Credit { invoice, cents }),
            1 => invoice.clone().prop_map(Op::Void),
            1 => (1i64..40_000).prop_map(Op::Refund),
            1 => (invoice, any::<bool>()).prop_map(|(i, open)| Op::Dispute(i, open)),
        ]
    }

    fn money(cents: i64, nok: bool) -> Money {
        let currency = Currency::parse(if nok { "NOK" } else { "EUR" }).unwrap();
        Money::exact(Decimal::new(cents, 2), currency).unwrap()
    }

    fn event(op: Op, invoices: &mut u8, n: u8) -> AccountEvent {
        let number = |i: u8| InvoiceNumber::parse(&format!("INV-{i}")).unwrap();
        match op {
            Op::Invoice { instalments, nok } => {
                *invoices += 1;
                AccountEvent::Invoiced {
                    invoice_id: id(InvoiceId::parse, *invoices),
                    number: number(*invoices),
                    issue_date: day(1),
                    schedule: instalments
                        .into_iter()
                        .map(|(cents, due, discount)| ScheduledPayment {
                            due_date: day(due),
                            amount: money(cents, nok),
                            discount: discount.then(|| (day(due / 2 + 1), money(cents / 50, nok))),
                        })
                        .collect(),
                }
            }
            Op::Pay { cents, named, nok } => {
                let mut payment = paid(n, cents, &named);
                payment.amount = money(cents, nok);
                payment.received_on = day(n as u32 % 28 + 1);
                AccountEvent::Received(payment)
            }
            Op::Credit { invoice, cents } => AccountEvent::Credited {
                credit_note_id: id(CreditNoteId::parse, n),
                number: number(invoice),
                invoice_id: id(InvoiceId::parse, invoice),
                issue_date: day(5),
                amount: eur(cents),
            },
            Op::Void(invoice) => AccountEvent::Voided {
                invoice_id: id(InvoiceId::parse, invoice),
                number: number(invoice),
                on: day(20),
            },
            Op::Refund(cents) => AccountEvent::Refunded(RefundPayment {
                id: id(RefundId::parse, n),
                organisation_id: org(),
                customer_id: id(CustomerId::parse, 0xcc),
                payment_id: None,
                amount: eur(cents),
                paid_on: day(21),
                method: PaymentMethod::Cash,
                reference: String::new(),
                gateway_refund: None,
            }),
            Op::Dispute(invoice, open) => AccountEvent::Disputed {
                invoice_id: id(InvoiceId::parse, invoice),
                open,
            },
        }
    }

    fn signed_sum(entries: &[Entry], currency: Currency) -> Money {
        entries
            .iter()
            .filter(|e| e.amount.currency() == currency)
            .fold(Money::zero(currency), |sum, e| {
                match e.kind.balance_sign() {
                    1 => sum.checked_add(e.amount).unwrap(),
                    -1 => sum.checked_sub(e.amount).unwrap(),
                    _ => sum,
                }
            })
    }

    proptest! {
        #[test]
        fn the_position_folded_event_by_event_is_the_replayed_accounts(ops in prop::collection::vec(op(), 1..60)) {
            let mut whole = Account::default();
            let mut stored = Stored::default();
            let mut applied = Vec::new();
            let mut invoices = 0u8;
            for (n, op) in ops.into_iter().enumerate() {
                let event = event(op, &mut invoices, n as u8 + 1);
                let mut next = whole.clone();
                let replayed = event.apply(&mut next);
                let folded = stored.fold(&event);
                prop_assert_eq!(replayed.is_ok(), folded.is_ok(), "{:?}: {:?} vs {:?}", event, replayed, folded);
                if replayed.is_ok() {
                    whole = next;
                    applied.push(event);
                }
            }
            let replayed = replay(&applied).unwrap();
            prop_assert_eq!(&replayed, &whole);
            let (mut position, entries) = replayed.into_parts();
            let settled: BTreeMap<_, _> =
                position.settle_out().into_iter().map(|s| (s.invoice_id, s)).collect();
            prop_assert_eq!(&position, &stored.position);
            prop_assert_eq!(&settled, &stored.settled);
            prop_assert_eq!(&entries, &stored.entries);
            prop_assert_eq!(position.entry_count(), entries.len() as u64);
            for currency in position.currencies() {
                prop_assert_eq!(position.balance(currency).unwrap(), signed_sum(&entries, currency));
                let open = Money::sum(currency, position.items().iter().filter(|i| i.open.currency() == currency).map(|i| i.open)).unwrap();
                prop_assert_eq!(position.balance(currency).unwrap(), open.checked_sub(position.unapplied(currency)).unwrap());
            }
            // Only what is open stays: every invoice in the position has an item with something open.
            for item in position.items() {
                prop_assert!(position.items().iter().any(|i| i.item.invoice_id == item.item.invoice_id && !i.is_settled()));
            }
        }
    }
}
