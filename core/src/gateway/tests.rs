use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

use super::*;
use crate::receivables::allocation::AllocationLine;
use crate::receivables::{DiscountWindow, ItemRef};

fn id<T>(parse: fn(&str) -> Result<T, ValidationError>, n: u8) -> T {
    parse(&format!("019a4d5e-0000-7000-8000-0000000000{n:02x}")).unwrap()
}

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, d).unwrap()
}

fn money(amount: Decimal, code: &str) -> Money {
    Money::exact(amount, Currency::parse(code).unwrap()).unwrap()
}

fn eur(amount: Decimal) -> Money {
    money(amount, "EUR")
}

fn item(n: u8, due: u32, open: Money) -> OpenItem {
    OpenItem {
        item: ItemRef {
            invoice_id: id(InvoiceId::parse, n),
            instalment: 0,
        },
        number: format!("INV-{n}"),
        issue_date: day(1),
        due_date: day(due),
        amount: open,
        open,
        discount: None,
        disputed: false,
    }
}

fn choose(invoices: &[u8], amount: &str) -> PayChoice {
    PayChoice {
        invoices: invoices.iter().map(|n| id(InvoiceId::parse, *n)).collect(),
        amount: amount.into(),
    }
}

fn eur_currency() -> Currency {
    Currency::parse("EUR").unwrap()
}

fn applied(plan: &CheckoutPlan) -> Vec<(u8, Decimal)> {
    plan.allocation
        .lines
        .iter()
        .map(|AllocationLine { item, amount, .. }| {
            let n = (1..=9)
                .find(|n| id(InvoiceId::parse, *n) == item.invoice_id)
                .unwrap();
            (n, amount.amount())
        })
        .collect()
}

#[test]
fn ticked_invoices_are_paid_in_full_in_the_order_they_fall_due() {
    let items = [
        item(1, 10, eur(dec!(100.00))),
        item(2, 5, eur(dec!(40.00))),
        item(3, 20, eur(dec!(7.50))),
    ];
    let plan = plan_checkout(&choose(&[1, 2], ""), &items, eur_currency(), day(3)).unwrap();
    assert_eq!(plan.amount, eur(dec!(140.00)));
    assert_eq!(applied(&plan), [(2, dec!(40.00)), (1, dec!(100.00))]);
    assert!(plan.allocation.unapplied.is_zero());
    assert_eq!(
        plan.instruction,
        Instruction::Named(vec![id(InvoiceId::parse, 2), id(InvoiceId::parse, 1)])
    );
}

#[test]
fn an_amount_without_ticks_goes_oldest_due_first_and_the_rest_is_credit() {
    let items = [item(1, 10, eur(dec!(100.00))), item(2, 5, eur(dec!(40.00)))];
    let plan = plan_checkout(&choose(&[], "150"), &items, eur_currency(), day(3)).unwrap();
    assert_eq!(plan.instruction, Instruction::OldestDueFirst);
    assert_eq!(applied(&plan), [(2, dec!(40.00)), (1, dec!(100.00))]);
    assert_eq!(plan.allocation.unapplied, eur(dec!(10.00)));
    let part = plan_checkout(&choose(&[], "60.5"), &items, eur_currency(), day(3)).unwrap();
    assert_eq!(applied(&part), [(2, dec!(40.00)), (1, dec!(20.50))]);
}

#[test]
fn the_early_payment_discount_is_taken_inside_its_window_only() {
    let mut discounted = item(1, 30, eur(dec!(100.00)));
    discounted.discount = Some(DiscountWindow {
        until: day(10),
        amount: eur(dec!(2.00)),
    });
    let inside = plan_checkout(
        &choose(&[1], ""),
        &[discounted.clone()],
        eur_currency(),
        day(10),
    )
    .unwrap();
    assert_eq!(inside.amount, eur(dec!(98.00)));
    assert_eq!(inside.discount, eur(dec!(2.00)));
    assert!(inside.allocation.unapplied.is_zero());
    let after = plan_checkout(&choose(&[1], ""), &[discounted], eur_currency(), day(11)).unwrap();
    assert_eq!(after.amount, eur(dec!(100.00)));
    assert!(after.discount.is_zero());
}

#[test]
fn amounts_are_in_the_currencys_minor_units() {
    let cases = [
        ("JPY", "1200", Ok(1200)),
        ("JPY", "1200.5", Err("amount")),
        ("KWD", "12.345", Ok(12_345)),
        ("KWD", "12.3456", Err("amount")),
        ("EUR", "0.01", Ok(1)),
        ("EUR", "12,50", Err("amount")),
    ];
    for (code, typed, expected) in cases {
        let currency = Currency::parse(code).unwrap();
        let items = [item(1, 5, money(dec!(5000), code))];
        let got = plan_checkout(&choose(&[], typed), &items, currency, day(1))
            .map(|p| p.minor_units())
            .map_err(|e| e.field.clone());
        assert_eq!(got, expected.map_err(str::to_owned), "{typed} {code}");
    }
}

#[test]
fn bad_choices_are_refused_naming_the_field() {
    let items = [
        item(1, 5, eur(dec!(10.00))),
        item(2, 6, money(dec!(10), "JPY")),
    ];
    let cases = [
        (choose(&[], ""), "amount", "nothing chosen"),
        (choose(&[], "0"), "amount", "zero"),
        (choose(&[], "-5"), "amount", "negative"),
        (
            choose(&[], "1000000"),
            "amount",
            "above the gateways' limit",
        ),
        (choose(&[1, 2], ""), "invoices[1]", "another currency"),
        (choose(&[9], ""), "invoices[0]", "not theirs"),
    ];
    for (choice, field, case) in cases {
        let e = plan_checkout(&choice, &items, eur_currency(), day(1)).unwrap_err();
        assert_eq!(e.field, field, "{case}");
    }
}

fn checkout(state: CheckoutState) -> Checkout {
    Checkout {
        id: id(CheckoutId::parse, 0xc1),
        organisation_id: id(OrganisationId::parse, 0x01),
        customer_id: id(CustomerId::parse, 0xcc),
        link_id: id(PortalLinkId::parse, 0x11),
        provider: Provider::Stripe,
        amount: eur(dec!(140.00)),
        instruction: Instruction::Named(vec![id(InvoiceId::parse, 2), id(InvoiceId::parse, 1)]),
        state,
    }
}

fn paid_event() -> GatewayEvent {
    GatewayEvent::Paid {
        checkout: id(CheckoutId::parse, 0xc1),
        gateway_payment: "pi_3Q".into(),
        amount: eur(dec!(140.00)),
        paid_on: day(3),
        payer_email: Some("ap@nordlys.example".into()),
    }
}

fn facts(checkout: Option<&Checkout>) -> GatewayFacts<'_> {
    GatewayFacts {
        provider: Provider::Stripe,
        checkout,
        payment: None,
        customer_email: Some("billing@nordlys.example"),
    }
}

#[test]
fn a_paid_checkout_becomes_one_payment_named_after_the_gateways_payment_and_a_receipt() {
    let open = checkout(CheckoutState::Open);
    let GatewayDecision::Apply { state, commands } =
        decide_gateway_event(&paid_event(), &facts(Some(&open)))
    else {
        panic!("a payment is applied");
    };
    let payment_id = gateway_payment_id(Provider::Stripe, "pi_3Q");
    assert_eq!(
        state,
        Some(CheckoutState::Paid {
            gateway_payment: "pi_3Q".into(),
            payment_id,
            amount: eur(dec!(140.00)),
            paid_on: day(3),
            receipt_to: Some("ap@nordlys.example".into()),
        })
    );
    let [Command::RecordPayment(record), Command::SendMail(receipt)] = commands.as_slice() else {
        panic!("a payment and its receipt: {commands:?}");
    };
    assert_eq!(record.id, payment_id);
    assert_eq!(record.amount, eur(dec!(140.00)));
    assert_eq!(record.received_on, day(3));
    assert_eq!(record.method, PaymentMethod::Card);
    assert_eq!(record.instruction, open.instruction);
    assert_eq!(receipt.id, receipt_mail_id(payment_id));
    assert_eq!(receipt.to, "ap@nordlys.example");
    assert_eq!(receipt.document.kind, MailedKind::Receipt);
    assert_eq!(receipt.document.id, payment_id.as_uuid());
}

#[test]
fn the_same_report_again_gives_the_same_commands_and_leaves_the_state() {
    let open = checkout(CheckoutState::Open);
    let GatewayDecision::Apply {
        state: Some(paid),
        commands: first,
    } = decide_gateway_event(&paid_event(), &facts(Some(&open)))
    else {
        panic!("paid");
    };
    let after = checkout(paid);
    let again = decide_gateway_event(&paid_event(), &facts(Some(&after)));
    assert_eq!(
        again,
        GatewayDecision::Apply {
            state: None,
            commands: first
        }
    );
}

#[test]
fn a_later_report_of_the_same_payment_repeats_the_first_whatever_day_or_address_it_carries() {
    let open = checkout(CheckoutState::Open);
    let GatewayDecision::Apply {
        state: Some(paid),
        commands: first,
    } = decide_gateway_event(&paid_event(), &facts(Some(&open)))
    else {
        panic!("paid");
    };
    let next_day = GatewayEvent::Paid {
        checkout: open.id,
        gateway_payment: "pi_3Q".into(),
        amount: eur(dec!(140.00)),
        paid_on: day(4),
        payer_email: Some("someone.else@nordlys.example".into()),
    };
    let after = checkout(paid);
    assert_eq!(
        decide_gateway_event(&next_day, &facts(Some(&after))),
        GatewayDecision::Apply {
            state: None,
            commands: first
        }
    );
}

#[test]
fn late_reports_never_take_a_paid_checkout_back() {
    let paid = checkout(CheckoutState::Paid {
        gateway_payment: "pi_3Q".into(),
        payment_id: gateway_payment_id(Provider::Stripe, "pi_3Q"),
        amount: eur(dec!(140.00)),
        paid_on: day(3),
        receipt_to: None,
    });
    let checkout_id = paid.id;
    for event in [
        GatewayEvent::Pending {
            checkout: checkout_id,
        },
        GatewayEvent::Failed {
            checkout: checkout_id,
            reason: "insufficient funds".into(),
        },
    ] {
        assert!(matches!(
            decide_gateway_event(&event, &facts(Some(&paid))),
            GatewayDecision::Ignore { .. }
        ));
    }
    let pending = checkout(CheckoutState::Open);
    assert_eq!(
        decide_gateway_event(
            &GatewayEvent::Pending {
                checkout: checkout_id
            },
            &facts(Some(&pending))
        ),
        GatewayDecision::Apply {
            state: Some(CheckoutState::Pending),
            commands: vec![]
        }
    );
}

#[test]
fn a_report_about_an_unknown_checkout_changes_nothing() {
    assert!(matches!(
        decide_gateway_event(&paid_event(), &facts(None)),
        GatewayDecision::Ignore { .. }
    ));
}

#[test]
fn a_payment_in_another_currency_is_recorded_oldest_due_first() {
    let open = checkout(CheckoutState::Open);
    let event = GatewayEvent::Paid {
        checkout: open.id,
        gateway_payment: "pi_x".into(),
        amount: money(dec!(1500), "NOK"),
        paid_on: day(3),
        payer_email: None,
    };
    let GatewayDecision::Apply { commands, .. } = decide_gateway_event(&event, &facts(Some(&open)))
    else {
        panic!("recorded");
    };
    let Command::RecordPayment(record) = &commands[0] else {
        panic!("a payment first");
    };
    assert_eq!(record.instruction, Instruction::OldestDueFirst);
    let Command::SendMail(receipt) = &commands[1] else {
        panic!("a receipt to the customer's address on file");
    };
    assert_eq!(receipt.to, "billing@nordlys.example");
}

fn recorded_payment() -> Payment {
    Payment {
        received: RecordPayment {
            id: gateway_payment_id(Provider::Stripe, "pi_3Q"),
            organisation_id: id(OrganisationId::parse, 0x01),
            customer_id: id(CustomerId::parse, 0xcc),
            amount: eur(dec!(140.00)),
            received_on: day(3),
            method: PaymentMethod::Card,
            reference: "pi_3Q".into(),
            instruction: Instruction::OldestDueFirst,
        },
        allocation: AllocationPlan {
            lines: vec![],
            unapplied: eur(dec!(140.00)),
        },
    }
}

fn refunded(remit_refund: Option<RefundId>) -> GatewayEvent {
    GatewayEvent::Refunded {
        gateway_payment: "pi_3Q".into(),
        gateway_refund: "re_1".into(),
        amount: eur(dec!(40.00)),
        refunded_on: day(4),
        remit_refund,
    }
}

#[test]
fn a_refund_made_in_the_gateway_becomes_one_refund_fact_not_sent_back() {
    let payment = recorded_payment();
    let facts = GatewayFacts {
        payment: Some(&payment),
        ..facts(None)
    };
    let GatewayDecision::Apply { state, commands } = decide_gateway_event(&refunded(None), &facts)
    else {
        panic!("recorded");
    };
    assert_eq!(state, None);
    let [Command::RefundPayment(refund)] = commands.as_slice() else {
        panic!("one refund");
    };
    assert_eq!(refund.id, gateway_refund_id(Provider::Stripe, "re_1"));
    assert_eq!(refund.payment_id, Some(payment.received.id));
    assert_eq!(refund.gateway_refund.as_deref(), Some("re_1"));
    let charge = GatewayCharge {
        provider: Provider::Stripe,
        gateway_payment: "pi_3Q".into(),
    };
    assert_eq!(outbound_refund(refund, Some(&charge)), None);
}

#[test]
fn a_refund_sent_from_remit_or_before_its_payment_is_not_recorded_now() {
    let payment = recorded_payment();
    let with_payment = GatewayFacts {
        payment: Some(&payment),
        ..facts(None)
    };
    let ours = refunded(Some(id(RefundId::parse, 0xf1)));
    assert!(matches!(
        decide_gateway_event(&ours, &with_payment),
        GatewayDecision::Ignore { .. }
    ));
    assert!(matches!(
        decide_gateway_event(&refunded(None), &facts(None)),
        GatewayDecision::Later { .. }
    ));
}

#[test]
fn a_workspace_refund_of_a_gateway_payment_is_sent_with_its_id_as_the_key() {
    let refund = RefundPayment {
        id: id(RefundId::parse, 0xf2),
        organisation_id: id(OrganisationId::parse, 0x01),
        customer_id: id(CustomerId::parse, 0xcc),
        payment_id: Some(gateway_payment_id(Provider::Stripe, "pi_3Q")),
        amount: eur(dec!(25.00)),
        paid_on: day(5),
        method: PaymentMethod::Card,
        reference: String::new(),
        gateway_refund: None,
    };
    let charge = GatewayCharge {
        provider: Provider::Stripe,
        gateway_payment: "pi_3Q".into(),
    };
    assert_eq!(
        outbound_refund(&refund, Some(&charge)),
        Some(OutboundRefund {
            refund_id: refund.id,
            organisation_id: refund.organisation_id,
            provider: Provider::Stripe,
            gateway_payment: "pi_3Q".into(),
            amount: eur(dec!(25.00)),
        })
    );
    assert_eq!(outbound_refund(&refund, None), None);
}

#[test]
fn a_refused_refund_raises_one_exception_item() {
    let refund = RefundPayment {
        id: id(RefundId::parse, 0xf2),
        organisation_id: id(OrganisationId::parse, 0x01),
        customer_id: id(CustomerId::parse, 0xcc),
        payment_id: None,
        amount: eur(dec!(25.00)),
        paid_on: day(5),
        method: PaymentMethod::Card,
        reference: String::new(),
        gateway_refund: None,
    };
    let command = RefundRefused {
        organisation_id: refund.organisation_id,
        refund_id: refund.id,
        reason: "charge_already_refunded".into(),
    };
    let decision = decide_refund_refused(
        &command,
        &RefundRefusedFacts {
            refund: Some(refund.clone()),
            raised: None,
        },
    )
    .unwrap();
    assert!(decision.changes.is_empty());
    let [item] = decision.exceptions.as_slice() else {
        panic!("one item");
    };
    assert_eq!(item.id, command.exception_id());
    assert_eq!(item.customer_id, Some(refund.customer_id));
    assert!(item.message.contains("charge_already_refunded"));
    assert_eq!(
        decision.audit["exceptions"], 1,
        "the audit row says how many items it raised, as every fact's does"
    );
    let again = decide_refund_refused(
        &command,
        &RefundRefusedFacts {
            refund: Some(refund),
            raised: Some(item.clone()),
        },
    )
    .unwrap();
    assert!(again.exceptions.is_empty() && again.changes.is_empty());
    let unknown = decide_refund_refused(
        &command,
        &RefundRefusedFacts {
            refund: None,
            raised: None,
        },
    )
    .unwrap_err();
    assert_eq!(unknown.field.as_deref(), Some("refund_id"));
}

#[test]
fn gateway_ids_name_the_same_record_on_every_server_and_differ_by_gateway() {
    assert_eq!(
        gateway_payment_id(Provider::Stripe, "pi_1"),
        gateway_payment_id(Provider::Stripe, "pi_1")
    );
    assert_ne!(
        gateway_payment_id(Provider::Stripe, "pi_1"),
        gateway_payment_id(Provider::Sandbox, "pi_1")
    );
    assert_ne!(
        gateway_payment_id(Provider::Stripe, "pi_1"),
        gateway_payment_id(Provider::Stripe, "pi_2")
    );
}

proptest! {
    /// Paying what the ticked invoices ask settles each of them and leaves nothing as credit, whatever
    /// the amounts, due dates and discounts.
    #[test]
    fn paying_the_ticked_invoices_settles_exactly_them(
        amounts in prop::collection::vec((1i64..1_000_000, 1u32..28, 0i64..100), 1..6),
        ticked in prop::collection::vec(any::<bool>(), 6),
        today in 1u32..28,
    ) {
        let items: Vec<OpenItem> = amounts
            .iter()
            .enumerate()
            .map(|(i, (cents, due, discount))| {
                let mut it = item(i as u8 + 1, *due, eur(Decimal::new(*cents, 2)));
                if *discount > 0 && *discount < *cents {
                    it.discount = Some(DiscountWindow { until: day(*due), amount: eur(Decimal::new(*discount, 2)) });
                }
                it
            })
            .collect();
        let chosen: Vec<u8> = (1..=items.len() as u8).filter(|n| ticked[*n as usize - 1]).collect();
        prop_assume!(!chosen.is_empty());
        let plan = plan_checkout(&choose(&chosen, ""), &items, eur_currency(), day(today)).unwrap();
        prop_assert!(plan.allocation.unapplied.is_zero());
        let mut settled: Vec<u8> = applied(&plan).into_iter().map(|(n, _)| n).collect();
        settled.sort_unstable();
        settled.dedup();
        prop_assert_eq!(settled, chosen);
        let paid = Money::sum(eur_currency(), plan.allocation.lines.iter().map(|l| l.amount)).unwrap();
        prop_assert_eq!(paid, plan.amount);
    }
}

#[test]
fn the_sandbox_refunds_at_most_what_is_left_of_the_payment() {
    let paid = eur(dec!(140.00));
    let cases = [
        ("all of it", vec![], dec!(140.00), None),
        ("part", vec![eur(dec!(40.00))], dec!(100.00), None),
        (
            "the rest exactly",
            vec![eur(dec!(40.00)), eur(dec!(60.00))],
            dec!(40.00),
            None,
        ),
        (
            "one cent more",
            vec![eur(dec!(40.00))],
            dec!(100.01),
            Some(dec!(100.00)),
        ),
        (
            "nothing left",
            vec![eur(dec!(140.00))],
            dec!(0.01),
            Some(dec!(0.00)),
        ),
        ("more than paid", vec![], dec!(140.01), Some(dec!(140.00))),
    ];
    for (case, refunded, asked, refused_with_left) in cases {
        let answer = sandbox_refund(paid, &refunded, eur(asked));
        match refused_with_left {
            None => assert_eq!(answer, Ok(()), "{case}"),
            Some(left) => assert_eq!(
                answer,
                Err(SandboxRefusal::TooLarge {
                    asked: eur(asked),
                    left: eur(left)
                }),
                "{case}"
            ),
        }
    }
}

#[test]
fn the_sandbox_refuses_a_refund_in_another_currency_and_says_why() {
    let refused = sandbox_refund(eur(dec!(10.00)), &[], money(dec!(10), "NOK")).unwrap_err();
    assert_eq!(
        refused,
        SandboxRefusal::OtherCurrency {
            asked: "NOK".into(),
            paid: "EUR".into()
        }
    );
    let too_large = sandbox_refund(eur(dec!(10.00)), &[], eur(dec!(12.00))).unwrap_err();
    assert_eq!(
        too_large.to_string(),
        "amount_too_large: the refund of 12.00 EUR is more than the 10.00 EUR left of the payment"
    );
}
