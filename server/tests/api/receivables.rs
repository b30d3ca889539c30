//! Payments, refunds, disputes and exception items: money that moved is recorded exactly once, and
//! what does not fit the account becomes customer credit and an exception item, never a loss.

use remit_core::customer::Customer;
use remit_core::document::issued::{NumberSource, VoidInvoice};
use remit_core::ids::{DisputeId, InvoiceId, OrganisationId, PaymentId, RefundId};
use remit_core::money::{Currency, Money};
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::dispute::{DisputeOutcome, OpenDispute, ResolveDispute};
use remit_core::receivables::events;
use remit_core::receivables::exception::{ExceptionItem, ExceptionKind, Remedy, ResolveException};
use remit_core::receivables::payment::{Payment, RecordPayment, RefundPayment};
use remit_core::sync::{Command, MutationStatus, PatchOp, Record};
use remit_server::store::ledger;
use remit_server::sync::system::SystemClient;
use reqwest::StatusCode;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both_backends;

fn eur(text: &str) -> Money {
    Money::parse(text, Currency::parse("EUR").unwrap()).unwrap()
}

fn payment(
    org: OrganisationId,
    c: &Customer,
    amount: &str,
    invoices: &[InvoiceId],
) -> RecordPayment {
    RecordPayment {
        id: PaymentId::try_from(Uuid::now_v7()).unwrap(),
        organisation_id: org,
        customer_id: c.id,
        amount: eur(amount),
        received_on: "2026-11-26".parse().unwrap(),
        method: PaymentMethod::BankTransfer,
        reference: "RF18 5390 0754 7034".into(),
        instruction: Instruction::Named(invoices.to_vec()),
    }
}

fn payments(patch: &[PatchOp]) -> Vec<Payment> {
    puts(patch, |r| match r {
        Record::Payment(p) => Some(p.clone()),
        _ => None,
    })
}

fn exceptions(patch: &[PatchOp]) -> Vec<ExceptionItem> {
    puts(patch, |r| match r {
        Record::Exception(e) => Some(e.clone()),
        _ => None,
    })
}

/// An organisation with a customer and one issued invoice of 24.67 EUR.
async fn invoiced(app: &TestApp) -> (Api, OrganisationId, Customer, InvoiceId) {
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let c = customer(org, "Hooli Inc");
    let d = draft(&c);
    let (issue, invoice) = issue(4, &d, NumberSource::Server);
    let reply = owner
        .push(
            new_client(),
            vec![
                save_settings(1, &issuing_settings(org)),
                upsert(2, &c),
                save(3, &d),
                issue,
            ],
        )
        .await;
    assert!(
        reply
            .results
            .iter()
            .all(|r| r.status == MutationStatus::Applied),
        "{reply:?}"
    );
    (owner, org, c, invoice)
}

/// The customer's balance as core replays the stored account.
async fn balance(app: &TestApp, org: OrganisationId, c: &Customer) -> Money {
    let mut conn = app.store.read().await.unwrap();
    let stored = ledger::events(&mut conn, org, c.id).await.unwrap();
    events::replay(&stored)
        .unwrap()
        .balance(Currency::parse("EUR").unwrap())
        .unwrap()
}

/// A payment recorded on a phone against an invoice that the office voided meanwhile is recorded all the
/// same: its money becomes customer credit and a person is asked to look.
async fn a_payment_for_an_invoice_voided_meanwhile_becomes_customer_credit(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, org, c, invoice) = invoiced(&app).await;
    let void = Command::VoidInvoice(VoidInvoice {
        invoice_id: invoice,
        organisation_id: org,
        on: "2026-11-24".parse().unwrap(),
        reason: "Duplicate".into(),
    });
    owner.push(new_client(), vec![void.to_mutation(1)]).await;

    let paid = payment(org, &c, "24.67", &[invoice]);
    let reply = owner
        .push(
            new_client(),
            vec![Command::RecordPayment(paid.clone()).to_mutation(1)],
        )
        .await;
    assert_eq!(reply.results[0].status, MutationStatus::Applied);

    let patch = pull_all(&owner, new_client()).await;
    let recorded = payments(&patch).remove(0);
    assert!(recorded.allocation.lines.is_empty());
    assert_eq!(recorded.allocation.unapplied, eur("24.67"));
    let kinds: Vec<ExceptionKind> = exceptions(&patch).into_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            ExceptionKind::PaymentForVoidedInvoice {
                payment_id: paid.id,
                invoice_id: invoice
            },
            ExceptionKind::Overpayment {
                payment_id: paid.id,
                unapplied: eur("24.67")
            }
        ]
    );
    assert_eq!(
        balance(&app, org, &c).await,
        eur("-24.67"),
        "the customer is in credit"
    );
}

/// The same payment arriving twice (a retried push, or the same bank line from two devices) is recorded
/// once; a different payment reusing its id is refused.
async fn the_same_payment_is_never_recorded_twice(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, org, c, invoice) = invoiced(&app).await;
    let paid = payment(org, &c, "10.00", &[invoice]);
    let record = Command::RecordPayment(paid.clone());
    let (phone, laptop) = (new_client(), new_client());
    let first = owner.push(phone, vec![record.to_mutation(1)]).await;
    let replay = owner.push(phone, vec![record.to_mutation(1)]).await;
    assert_eq!(first, replay);
    let other_device = owner.push(laptop, vec![record.to_mutation(1)]).await;
    assert_eq!(other_device.results[0].status, MutationStatus::Applied);
    let reused = RecordPayment {
        amount: eur("99.00"),
        ..paid.clone()
    };
    let refused = owner
        .push(laptop, vec![Command::RecordPayment(reused).to_mutation(2)])
        .await;
    assert_eq!(refused.results[0].status, MutationStatus::Rejected);

    assert_eq!(payments(&pull_all(&owner, new_client()).await).len(), 1);
    assert_eq!(balance(&app, org, &c).await, eur("14.67"));
}

/// A refund pays credit back; one beyond the credit is recorded and raised. A dispute pauses the
/// invoice until it is resolved; an exception is resolved once, by whom the audit says.
async fn refunds_disputes_and_exceptions_are_recorded_and_resolved(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, org, c, invoice) = invoiced(&app).await;
    let client = new_client();
    let paid = payment(org, &c, "30.00", &[invoice]);
    let refund = RefundPayment {
        id: RefundId::try_from(Uuid::now_v7()).unwrap(),
        organisation_id: org,
        customer_id: c.id,
        payment_id: Some(paid.id),
        amount: eur("8.00"),
        paid_on: "2026-11-27".parse().unwrap(),
        method: PaymentMethod::BankTransfer,
        reference: String::new(),
        gateway_refund: None,
    };
    let dispute = OpenDispute {
        id: DisputeId::try_from(Uuid::now_v7()).unwrap(),
        organisation_id: org,
        invoice_id: invoice,
        opened_on: "2026-11-27".parse().unwrap(),
        reason: "Travel was not agreed".into(),
    };
    let reply = owner
        .push(
            client,
            vec![
                Command::RecordPayment(paid).to_mutation(1),
                Command::RefundPayment(refund).to_mutation(2),
                Command::OpenDispute(dispute.clone()).to_mutation(3),
            ],
        )
        .await;
    assert!(
        reply
            .results
            .iter()
            .all(|r| r.status == MutationStatus::Applied),
        "{reply:?}"
    );
    // 30.00 paid on 24.67: 5.33 credit, of which 8.00 was refunded: 2.67 owed again.
    assert_eq!(balance(&app, org, &c).await, eur("2.67"));
    let patch = pull_all(&owner, new_client()).await;
    let raised = exceptions(&patch);
    assert!(raised.iter().any(|e| matches!(
        e.kind,
        ExceptionKind::RefundExceedsCredit { excess, .. } if excess == eur("2.67")
    )));
    let mut conn = app.store.read().await.unwrap();
    let account = events::replay(&ledger::events(&mut conn, org, c.id).await.unwrap()).unwrap();
    assert!(
        account.items()[0].disputed,
        "the dispute pauses the invoice"
    );
    drop(conn);

    let resolve = |id| {
        Command::ResolveDispute(ResolveDispute {
            id: dispute.id,
            organisation_id: org,
            resolved_on: "2026-11-28".parse().unwrap(),
            outcome: DisputeOutcome::Rejected,
            note: "Travel is in the contract".into(),
        })
        .to_mutation(id)
    };
    let settle = |id, item: &ExceptionItem| {
        Command::ResolveException(ResolveException {
            id: item.id,
            organisation_id: org,
            remedy: Remedy::Accepted,
            note: "Customer pays the difference".into(),
        })
        .to_mutation(id)
    };
    let reply = owner
        .push(
            client,
            vec![
                resolve(4),
                resolve(5),
                settle(6, &raised[0]),
                settle(7, &raised[0]),
            ],
        )
        .await;
    assert!(
        reply
            .results
            .iter()
            .all(|r| r.status == MutationStatus::Applied),
        "{reply:?}"
    );
    let patch = pull_all(&owner, new_client()).await;
    let resolved = exceptions(&patch)
        .into_iter()
        .rfind(|e| e.id == raised[0].id)
        .unwrap();
    assert_eq!(resolved.resolution.unwrap().remedy, Remedy::Accepted);
    let mut conn = app.store.read().await.unwrap();
    let account = events::replay(&ledger::events(&mut conn, org, c.id).await.unwrap()).unwrap();
    assert!(!account.items()[0].disputed);
    let changed: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE mutation_name IN ('dispute.resolve', 'exception.resolve') \
         AND change_no IS NOT NULL",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(changed, 2, "the second resolution of each changes nothing");
}

/// A payment that starts on the server (a gateway's, later) goes through the same decision under the
/// organisation's system client: its own mutation ids, recorded once however often it arrives, audited
/// as the organisation's system user, who can never sign in.
async fn a_payment_from_the_server_is_recorded_once_through_the_system_client(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, org, c, invoice) = invoiced(&app).await;
    let system = SystemClient::of(org);
    let paid = Command::RecordPayment(payment(org, &c, "24.67", &[invoice]));

    let first = system.apply(&app.store, &app.clock(), &paid).await.unwrap();
    assert_eq!((first.id, first.status), (1, MutationStatus::Applied));
    // Delivered again: the system client's next mutation, and the same payment changes nothing.
    let again = system.apply(&app.store, &app.clock(), &paid).await.unwrap();
    assert_eq!((again.id, again.status), (2, MutationStatus::Applied));

    let patch = pull_all(&owner, new_client()).await;
    let recorded = payments(&patch);
    assert_eq!(recorded.len(), 1);
    assert!(recorded[0].allocation.unapplied.is_zero());
    assert!(
        balance(&app, org, &c).await.is_zero(),
        "the invoice is paid"
    );

    let audit: Vec<(String, String)> = sqlx::query_as(
        "SELECT user_id, summary FROM audit_log WHERE client_id = $1 ORDER BY mutation_id",
    )
    .bind(system.client.to_string())
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    let ops: Vec<Value> = audit
        .iter()
        .map(|(user, summary)| {
            assert_eq!(user, &system.user.to_string());
            serde_json::from_str::<Value>(summary).unwrap()["op"].clone()
        })
        .collect();
    assert_eq!(ops, [json!("put"), json!("none")]);

    let signing_in = app
        .browser()
        .sign_in(&format!("system+{org}@remit.invalid"), PASSWORD)
        .await;
    assert_eq!(signing_in.status(), StatusCode::UNAUTHORIZED);
}

/// Each customer's account snapshot is the account its events give, kept with every event; a snapshot
/// changed behind Remit's back no longer agrees with the events, and the check says so.
async fn a_tampered_account_snapshot_is_detected(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, org, c, invoice) = invoiced(&app).await;
    let paid = payment(org, &c, "10.00", &[invoice]);
    let reply = owner
        .push(
            new_client(),
            vec![Command::RecordPayment(paid).to_mutation(1)],
        )
        .await;
    assert_eq!(reply.results[0].status, MutationStatus::Applied);
    let mut conn = app.store.read().await.unwrap();
    assert_eq!(
        ledger::check_snapshot(&mut conn, org, c.id).await.unwrap(),
        ledger::SnapshotCheck::Agrees
    );
    assert_eq!(balance(&app, org, &c).await, eur("14.67"));
    let snapshot = ledger::position(&mut conn, org, c.id).await.unwrap();
    assert_eq!(
        snapshot.balance(Currency::parse("EUR").unwrap()).unwrap(),
        eur("14.67"),
        "the snapshot is what the events give"
    );

    // The payment's entries dropped from the snapshot: its seq still says two events.
    let before_payment =
        events::replay(&ledger::events(&mut conn, org, c.id).await.unwrap()[..1]).unwrap();
    sqlx::query(
        "UPDATE account_snapshots SET account = $1 WHERE organisation_id = $2 AND customer_id = $3",
    )
    .bind(serde_json::to_string(&*before_payment).unwrap())
    .bind(org.to_string())
    .bind(c.id.to_string())
    .execute(&mut *conn)
    .await
    .unwrap();
    assert_eq!(
        ledger::check_snapshot(&mut conn, org, c.id).await.unwrap(),
        ledger::SnapshotCheck::Disagrees {
            snapshot_seq: 2,
            events: 2
        }
    );
    // The account restored, but its seq behind the events.
    sqlx::query("UPDATE account_snapshots SET account = $1, seq = 1 WHERE organisation_id = $2 AND customer_id = $3")
        .bind(serde_json::to_string(&snapshot).unwrap())
        .bind(org.to_string())
        .bind(c.id.to_string())
        .execute(&mut *conn)
        .await
        .unwrap();
    assert_eq!(
        ledger::check_snapshot(&mut conn, org, c.id).await.unwrap(),
        ledger::SnapshotCheck::Disagrees {
            snapshot_seq: 1,
            events: 2
        }
    );
}

on_both_backends!(a_payment_for_an_invoice_voided_meanwhile_becomes_customer_credit => a_payment_for_an_invoice_voided_meanwhile_becomes_customer_credit_sqlite, a_payment_for_an_invoice_voided_meanwhile_becomes_customer_credit_postgres);
on_both_backends!(the_same_payment_is_never_recorded_twice => the_same_payment_is_never_recorded_twice_sqlite, the_same_payment_is_never_recorded_twice_postgres);
on_both_backends!(refunds_disputes_and_exceptions_are_recorded_and_resolved => refunds_disputes_and_exceptions_are_recorded_and_resolved_sqlite, refunds_disputes_and_exceptions_are_recorded_and_resolved_postgres);
on_both_backends!(a_payment_from_the_server_is_recorded_once_through_the_system_client => a_payment_from_the_server_is_recorded_once_through_the_system_client_sqlite, a_payment_from_the_server_is_recorded_once_through_the_system_client_postgres);
on_both_backends!(a_tampered_account_snapshot_is_detected => a_tampered_account_snapshot_is_detected_sqlite, a_tampered_account_snapshot_is_detected_postgres);
