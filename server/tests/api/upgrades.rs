//! Upgrades with data in the tables: a database written by an earlier version, migrated by this one,
//! keeps working.

use std::path::Path;

use remit_core::customer::Customer;
use remit_core::fixtures;
use remit_core::gateway::RefundRefused;
use remit_core::ids::{
    ClientId, CustomerId, InvoiceId, MailId, OrganisationId, PaymentId, RefundId, ThreadId,
    ThreadMessageId,
};
use remit_core::mail::{Mail, MailStatus, MailedDocument, MailedKind, OutgoingMail, SendMail};
use remit_core::money::{Currency, Money};
use remit_core::numbering::InvoiceNumber;
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::events::{self, AccountEvent};
use remit_core::receivables::payment::{RecordPayment, RefundPayment};
use remit_core::receivables::thread::{
    Author, Thread, ThreadKind, ThreadMessage, ThreadReason, ThreadState,
};
use remit_core::sync::{Command, EntityKind, Mutation, PROTOCOL_VERSION, PushRequest, Record};
use remit_core::terms::ScheduledPayment;
use remit_server::auth::Role;
use remit_server::auth::accounts::{Account, NewAccount, add_user, sign_in};
use remit_server::clock::Clock;
use remit_server::store::{Store, changes, ledger, mail, records};
use remit_server::sync::Caller;
use remit_server::sync::push::push;
use sqlx::migrate::Migrator;
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both_backends;

/// Acme GmbH's owner, added on a database migrated only part of the way.
async fn owner_on_earlier_schema(store: &Store, clock: &Clock) -> Account {
    add_user(
        store,
        clock,
        NewAccount {
            organisation_name: "Acme GmbH".into(),
            time_zone: "Europe/Berlin".into(),
            currency: "EUR".into(),
            name: "Olivia Owner".into(),
            email: OWNER_EMAIL.into(),
            password: PASSWORD.into(),
            role: Role::Owner,
        },
    )
    .await
    .expect("a user on the earlier schema")
}

/// Migrates a fresh database only up to `version` (inclusive), as an earlier Remit left it.
async fn migrated_up_to(backend: Backend, version: &str) -> (TestDatabase, Store) {
    let db = TestDatabase::new(backend).await;
    let store = Store::connect(&db.url).await.expect("connect");
    let folder = match store.backend() {
        remit_server::store::Backend::Sqlite => "sqlite",
        remit_server::store::Backend::Postgres => "postgres",
    };
    let all = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(folder);
    let earlier = db.dir.path().join("earlier-migrations");
    std::fs::create_dir_all(&earlier).unwrap();
    for entry in std::fs::read_dir(&all).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.as_str() <= version {
            std::fs::copy(&path, earlier.join(&name)).unwrap();
        }
    }
    Migrator::new(earlier.as_path())
        .await
        .unwrap()
        .run(store.pool())
        .await
        .expect("the earlier migrations");
    (db, store)
}

/// Writes `records` as the organisation's first changes on the earlier schema, runs this version's
/// migrations, and checks the change log reads back the same; the log as written, and a transaction to
/// go on in.
async fn migrated_with_changes(
    store: &Store,
    org: remit_core::ids::OrganisationId,
    records: Vec<Record>,
) -> (remit_server::store::WriteTx, Vec<remit_core::sync::PatchOp>) {
    let mut conn = store.read().await.unwrap();
    for (n, record) in records.into_iter().enumerate() {
        changes::insert_put(&mut conn, org, n as u64 + 1, record)
            .await
            .unwrap();
    }
    let before = changes::changes_after(&mut conn, org, 0, 100)
        .await
        .unwrap();
    drop(conn);
    store.migrate().await.expect("this version's migrations");
    let mut tx = store.write().await.unwrap();
    assert_eq!(
        changes::changes_after(&mut tx, org, 0, 100).await.unwrap(),
        before
    );
    (tx, before)
}

/// Users from before system users existed (migration 0006) are people who sign in, as before.
async fn a_user_from_before_system_users_still_signs_in(backend: Backend) {
    let (_db, store) = migrated_up_to(backend, "0005_latest_change.sql").await;
    let clock = Clock::system();
    let account = NewAccount {
        organisation_name: "Acme GmbH".into(),
        time_zone: "Europe/Berlin".into(),
        currency: "EUR".into(),
        name: "Olivia Owner".into(),
        email: OWNER_EMAIL.into(),
        password: PASSWORD.into(),
        role: Role::Owner,
    };
    add_user(&store, &clock, account)
        .await
        .expect("a user on the earlier schema");

    store.migrate().await.expect("this version's migrations");
    let signed_in = sign_in(&store, &clock, OWNER_EMAIL, PASSWORD)
        .await
        .expect("the user still signs in");
    assert_eq!(signed_in.user.role, Role::Owner);
    let kind: String = sqlx::query_scalar("SELECT kind FROM users WHERE email = $1")
        .bind(OWNER_EMAIL)
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(kind, "person");
}

on_both_backends!(a_user_from_before_system_users_still_signs_in => a_user_from_before_system_users_still_signs_in_sqlite, a_user_from_before_system_users_still_signs_in_postgres);

/// Customers whose account events were recorded before account snapshots (migration 0007) keep their
/// accounts: read, they are replayed from the events; their next event writes the snapshot, which then
/// agrees with every event, the old ones included.
async fn accounts_from_before_snapshots_are_replayed_then_snapshotted(backend: Backend) {
    let (_db, store) = migrated_up_to(backend, "0006_system_users.sql").await;
    let clock = Clock::system();
    let account = owner_on_earlier_schema(&store, &clock).await;
    let org = account.organisation.id;
    let customer = CustomerId::try_from(Uuid::now_v7()).unwrap();
    let eur = |text: &str| Money::parse(text, Currency::parse("EUR").unwrap()).unwrap();
    let invoices: Vec<InvoiceId> = (0..2)
        .map(|_| InvoiceId::try_from(Uuid::now_v7()).unwrap())
        .collect();
    // As the earlier version appended them: seq from 1, the event's JSON.
    for (n, invoice_id) in invoices.iter().enumerate() {
        let event = AccountEvent::Invoiced {
            invoice_id: *invoice_id,
            number: InvoiceNumber::parse(&format!("INV-{}", n + 1)).unwrap(),
            issue_date: "2026-11-01".parse().unwrap(),
            schedule: vec![ScheduledPayment {
                due_date: "2026-12-01".parse().unwrap(),
                amount: eur("100.00"),
                discount: None,
            }],
        };
        sqlx::query(
            "INSERT INTO account_events (organisation_id, customer_id, seq, event, change_no) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org.to_string())
        .bind(customer.to_string())
        .bind(n as i64 + 1)
        .bind(serde_json::to_string(&event).unwrap())
        .bind(n as i64 + 1)
        .execute(store.pool())
        .await
        .unwrap();
    }

    store.migrate().await.expect("this version's migrations");
    let mut tx = store.write().await.unwrap();
    assert_eq!(
        ledger::check_snapshot(&mut tx, org, customer)
            .await
            .unwrap(),
        ledger::SnapshotCheck::Missing
    );
    let replayed = ledger::position(&mut tx, org, customer).await.unwrap();
    assert_eq!(
        replayed.balance(Currency::parse("EUR").unwrap()).unwrap(),
        eur("200.00")
    );
    let paid = AccountEvent::Received(RecordPayment {
        id: PaymentId::try_from(Uuid::now_v7()).unwrap(),
        organisation_id: org,
        customer_id: customer,
        amount: eur("30.00"),
        received_on: "2026-11-20".parse().unwrap(),
        method: PaymentMethod::BankTransfer,
        reference: String::new(),
        instruction: Instruction::Named(vec![invoices[1]]),
    });
    ledger::append(&mut tx, org, customer, &paid, 3, None)
        .await
        .unwrap();
    assert_eq!(
        ledger::check_snapshot(&mut tx, org, customer)
            .await
            .unwrap(),
        ledger::SnapshotCheck::Agrees
    );
    let account = ledger::position(&mut tx, org, customer).await.unwrap();
    assert_eq!(
        account.balance(Currency::parse("EUR").unwrap()).unwrap(),
        eur("170.00")
    );
    assert_eq!(
        ledger::events(&mut tx, org, customer).await.unwrap().len(),
        3
    );
    tx.commit().await.unwrap();
}

on_both_backends!(accounts_from_before_snapshots_are_replayed_then_snapshotted => accounts_from_before_snapshots_are_replayed_then_snapshotted_sqlite, accounts_from_before_snapshots_are_replayed_then_snapshotted_postgres);

/// The account snapshot an earlier Remit (migration 0007) wrote for a customer with one invoice of
/// 100.00 paid by 100.00: core's whole account, every entry and item.
const WHOLE_ACCOUNT_SNAPSHOT: &str = r#"{"entries":[
  {"seq":1,"date":"2026-11-01","reference":"INV-1","kind":"invoice","amount":{"amount":"100.00","currency":"EUR"},"item":null,"reverses":null,"method":null},
  {"seq":2,"date":"2026-11-20","reference":"PAY-1","kind":"payment","amount":{"amount":"100.00","currency":"EUR"},"item":null,"reverses":null,"method":"bank_transfer"}],
 "items":[{"item":{"invoice_id":"019a4d5e-0000-7000-8000-000000000001","instalment":0},"number":"INV-1","issue_date":"2026-11-01","due_date":"2026-12-01","amount":{"amount":"100.00","currency":"EUR"},"open":{"amount":"0.00","currency":"EUR"},"discount":null,"disputed":false}],
 "unapplied":{"EUR":{"amount":"0.00","currency":"EUR"}}}"#;

/// Customers with whole-account snapshots (migration 0007) keep their accounts: the migration drops
/// those snapshots, reading a customer replays its events into the same position and entries as before,
/// and its next event stores the position, the settled invoices and every entry, which then agree with
/// the events; a later event naming a settled invoice (a void of the paid one) reads it back.
async fn whole_account_snapshots_become_positions_and_entries(backend: Backend) {
    let (_db, store) = migrated_up_to(backend, "0007_account_snapshots.sql").await;
    let clock = Clock::system();
    let account = owner_on_earlier_schema(&store, &clock).await;
    let org = account.organisation.id;
    let customer = CustomerId::try_from(Uuid::now_v7()).unwrap();
    let eur = |text: &str| Money::parse(text, Currency::parse("EUR").unwrap()).unwrap();
    let invoices: Vec<InvoiceId> = (0..2)
        .map(|_| InvoiceId::try_from(Uuid::now_v7()).unwrap())
        .collect();
    let mut earlier: Vec<AccountEvent> = invoices
        .iter()
        .enumerate()
        .map(|(n, invoice_id)| AccountEvent::Invoiced {
            invoice_id: *invoice_id,
            number: InvoiceNumber::parse(&format!("INV-{}", n + 1)).unwrap(),
            issue_date: "2026-11-01".parse().unwrap(),
            schedule: vec![ScheduledPayment {
                due_date: "2026-12-01".parse().unwrap(),
                amount: eur("100.00"),
                discount: None,
            }],
        })
        .collect();
    let payment = |amount: &str, invoice: InvoiceId| {
        AccountEvent::Received(RecordPayment {
            id: PaymentId::try_from(Uuid::now_v7()).unwrap(),
            organisation_id: org,
            customer_id: customer,
            amount: eur(amount),
            received_on: "2026-11-20".parse().unwrap(),
            method: PaymentMethod::BankTransfer,
            reference: String::new(),
            instruction: Instruction::Named(vec![invoice]),
        })
    };
    earlier.push(payment("100.00", invoices[0]));
    // As the earlier version stored them: the events from seq 1, and a snapshot of the whole account.
    for (n, event) in earlier.iter().enumerate() {
        sqlx::query(
            "INSERT INTO account_events (organisation_id, customer_id, seq, event, change_no) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(org.to_string())
        .bind(customer.to_string())
        .bind(n as i64 + 1)
        .bind(serde_json::to_string(event).unwrap())
        .bind(n as i64 + 1)
        .execute(store.pool())
        .await
        .unwrap();
    }
    sqlx::query(
        "INSERT INTO account_snapshots (organisation_id, customer_id, seq, account) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(org.to_string())
    .bind(customer.to_string())
    .bind(earlier.len() as i64)
    .bind(WHOLE_ACCOUNT_SNAPSHOT)
    .execute(store.pool())
    .await
    .unwrap();

    store.migrate().await.expect("this version's migrations");
    let mut tx = store.write().await.unwrap();
    assert_eq!(
        ledger::check_snapshot(&mut tx, org, customer)
            .await
            .unwrap(),
        ledger::SnapshotCheck::Missing
    );
    let (mut expected, entries) = events::replay(&earlier).unwrap().into_parts();
    expected.settle_out();
    assert_eq!(
        ledger::position(&mut tx, org, customer).await.unwrap(),
        expected
    );
    assert_eq!(
        expected.items().len(),
        1,
        "the paid invoice left the position"
    );
    let from = "2026-11-01".parse().unwrap();
    assert_eq!(
        ledger::statement(&mut tx, org, customer, from)
            .await
            .unwrap(),
        (expected.clone(), entries.clone())
    );

    // The next event stores the position, the settled invoice and every entry, the old ones included.
    let partly = payment("30.00", invoices[1]);
    ledger::append(&mut tx, org, customer, &partly, 4, None)
        .await
        .unwrap();
    assert_eq!(
        ledger::check_snapshot(&mut tx, org, customer)
            .await
            .unwrap(),
        ledger::SnapshotCheck::Agrees
    );
    earlier.push(partly);
    let (mut expected, entries) = events::replay(&earlier).unwrap().into_parts();
    expected.settle_out();
    let (position, stored) = ledger::statement(&mut tx, org, customer, from)
        .await
        .unwrap();
    assert_eq!((&position, &stored), (&expected, &entries));
    assert_eq!(
        position.balance(Currency::parse("EUR").unwrap()).unwrap(),
        eur("70.00")
    );

    // Voiding the paid invoice reads it back from the settled invoices: its payment becomes credit.
    let voided = AccountEvent::Voided {
        invoice_id: invoices[0],
        number: InvoiceNumber::parse("INV-1").unwrap(),
        on: "2026-11-25".parse().unwrap(),
    };
    ledger::append(&mut tx, org, customer, &voided, 5, None)
        .await
        .unwrap();
    assert_eq!(
        ledger::check_snapshot(&mut tx, org, customer)
            .await
            .unwrap(),
        ledger::SnapshotCheck::Agrees
    );
    let position = ledger::position(&mut tx, org, customer).await.unwrap();
    let eur_ = Currency::parse("EUR").unwrap();
    assert_eq!(position.unapplied(eur_), eur("100.00"));
    assert_eq!(position.balance(eur_).unwrap(), eur("-30.00"));
    // Only the statement's period is read: entries dated before it are not.
    let (_, recent) = ledger::statement(&mut tx, org, customer, "2026-11-21".parse().unwrap())
        .await
        .unwrap();
    assert!(
        recent
            .iter()
            .all(|e| e.date >= "2026-11-21".parse().unwrap())
    );
    assert_eq!(recent.len(), 2, "the void's reversal and its void entry");
    tx.commit().await.unwrap();
}

on_both_backends!(whole_account_snapshots_become_positions_and_entries => whole_account_snapshots_become_positions_and_entries_sqlite, whole_account_snapshots_become_positions_and_entries_postgres);

/// A change log written before mail (migration 0008) keeps every change through the rebuild that lets
/// it carry mail records (SQLite rebuilds the table), and the upgraded database queues mail and logs
/// its records.
async fn the_change_log_from_before_mail_is_kept_and_carries_mail(backend: Backend) {
    let (_db, store) = migrated_up_to(backend, "0008_account_positions.sql").await;
    let clock = Clock::system();
    let account = owner_on_earlier_schema(&store, &clock).await;
    let org = account.organisation.id;
    let customers: Vec<Customer> = (0..2)
        .map(|n| {
            fixtures::customer(
                CustomerId::try_from(Uuid::now_v7()).unwrap(),
                org,
                &format!("Customer {n}"),
                "EUR",
            )
        })
        .collect();
    let written = customers.iter().cloned().map(Record::Customer).collect();
    let (mut tx, before) = migrated_with_changes(&store, org, written).await;
    let document = MailedDocument {
        kind: MailedKind::Invoice,
        id: Uuid::now_v7(),
    };
    let id = MailId::try_from(Uuid::now_v7()).unwrap();
    let record = Mail {
        id,
        organisation_id: org,
        customer_id: customers[0].id,
        document,
        number: "INV-2026-000001".into(),
        to: "ap@customer.example".into(),
        subject: "Invoice INV-2026-000001 from Acme GmbH".into(),
        message: String::new(),
        status: MailStatus::Queued,
        sent_at_ms: None,
        error: None,
    };
    changes::insert_put(&mut tx, org, 3, Record::Mail(record.clone()))
        .await
        .expect("the change log takes mail records");
    let outgoing = OutgoingMail {
        id,
        organisation_id: org,
        document,
        to: record.to.clone(),
        reply_to: Some(OWNER_EMAIL.into()),
        subject: record.subject.clone(),
        text: "Hello".into(),
    };
    mail::insert(&mut tx, &outgoing, clock.now_ms())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let claimed = mail::claim_due(&store, clock.now_ms(), clock.now_ms() + 60_000)
        .await
        .unwrap()
        .expect("the queued mail is due");
    assert_eq!((claimed.id, claimed.attempts), (id, 1));
    let mut conn = store.read().await.unwrap();
    let after = changes::changes_after(&mut conn, org, 0, 100)
        .await
        .unwrap();
    assert_eq!(after.len(), 3);
    assert_eq!(after[..2], before[..]);
}

on_both_backends!(the_change_log_from_before_mail_is_kept_and_carries_mail => the_change_log_from_before_mail_is_kept_and_carries_mail_sqlite, the_change_log_from_before_mail_is_kept_and_carries_mail_postgres);

/// A change log written before threads (migration 0013) keeps every change, the mail among them,
/// through the rebuild that lets it carry the customer's questions (SQLite rebuilds the table), and the
/// upgraded log takes `thread` and `thread_message` records.
async fn the_change_log_from_before_threads_is_kept_and_carries_threads(backend: Backend) {
    let (_db, store) = migrated_up_to(backend, "0013").await;
    let clock = Clock::system();
    let account = owner_on_earlier_schema(&store, &clock).await;
    let org = account.organisation.id;
    let customer = fixtures::customer(
        CustomerId::try_from(Uuid::now_v7()).unwrap(),
        org,
        "Nordlys AS",
        "EUR",
    );
    let mail = Mail {
        id: MailId::try_from(Uuid::now_v7()).unwrap(),
        organisation_id: org,
        customer_id: customer.id,
        document: MailedDocument {
            kind: MailedKind::Invoice,
            id: Uuid::now_v7(),
        },
        number: "INV-2026-000001".into(),
        to: "ap@nordlys.example".into(),
        subject: String::new(),
        message: String::new(),
        status: MailStatus::Queued,
        sent_at_ms: None,
        error: None,
    };
    let written = vec![Record::Customer(customer.clone()), Record::Mail(mail)];
    let (mut tx, before) = migrated_with_changes(&store, org, written).await;
    let thread = Thread {
        id: ThreadId::try_from(Uuid::now_v7()).unwrap(),
        organisation_id: org,
        customer_id: customer.id,
        invoice_id: None,
        invoice_number: None,
        kind: ThreadKind::Inquiry,
        reason: ThreadReason::Other,
        lines: Vec::new(),
        opened_on: date("2026-12-01"),
        opened_at_ms: clock.now_ms(),
        recorded_by: None,
        dispute_id: None,
        state: ThreadState::Waiting,
        last_message_at_ms: clock.now_ms(),
        messages: 1,
        resolution: None,
    };
    let message = ThreadMessage {
        id: ThreadMessageId::try_from(Uuid::now_v7()).unwrap(),
        organisation_id: org,
        thread_id: thread.id,
        customer_id: customer.id,
        author: Author::Customer,
        body: "Which purchase order is this?".into(),
        written_at_ms: clock.now_ms(),
    };
    changes::insert_put(&mut tx, org, 3, Record::Thread(Box::new(thread)))
        .await
        .expect("the change log takes threads");
    changes::insert_put(&mut tx, org, 4, Record::ThreadMessage(message))
        .await
        .expect("the change log takes their messages");
    tx.commit().await.unwrap();
    let mut conn = store.read().await.unwrap();
    let after = changes::changes_after(&mut conn, org, 0, 100)
        .await
        .unwrap();
    assert_eq!(after.len(), 4);
    assert_eq!(after[..2], before[..]);
}

on_both_backends!(the_change_log_from_before_threads_is_kept_and_carries_threads => the_change_log_from_before_threads_is_kept_and_carries_threads_sqlite, the_change_log_from_before_threads_is_kept_and_carries_threads_postgres);

/// What an upgrade must keep of an organisation's money and mail: its synced records, its customers'
/// account events and its queued mail, as text.
async fn kept_rows(store: &Store, org: OrganisationId) -> Vec<String> {
    let queries = [
        "SELECT entity || ' ' || id || ' ' || version || ' ' || change_no || ' ' || body \
         FROM records WHERE organisation_id = $1 ORDER BY entity, id",
        "SELECT customer_id || ' ' || seq || ' ' || change_no || ' ' || event \
         FROM account_events WHERE organisation_id = $1 ORDER BY customer_id, seq",
        "SELECT id || ' ' || document_kind || ' ' || document_id || ' ' || to_address || ' ' || \
           status || ' ' || attempts FROM mail_queue WHERE organisation_id = $1 ORDER BY id",
    ];
    let mut rows = Vec::new();
    for sql in queries {
        let found: Vec<String> = sqlx::query_scalar(sql)
            .bind(org.to_string())
            .fetch_all(store.pool())
            .await
            .unwrap();
        rows.extend(found);
    }
    rows
}

/// The args of a `payment.refund` as the app queued it before refunds carried `gateway_refund`.
fn refund_as_queued_before(customer: &Customer, payment: PaymentId) -> serde_json::Value {
    serde_json::json!({
        "id": Uuid::now_v7(),
        "organisation_id": customer.organisation_id,
        "customer_id": customer.id,
        "payment_id": payment,
        "amount": { "amount": "15.00", "currency": "EUR" },
        "paid_on": "2026-12-05", "method": "bank_transfer", "reference": "Returned by bank",
    })
}

/// A database written before paying online (migration 0014) with payments, a refund and mails (an
/// invoice's and a receipt's, queued) keeps all of them through the migration; and a `payment.refund`
/// a device queued before the upgrade, without `gateway_refund`, applies afterwards as a refund Remit
/// sends nowhere (its payment was no gateway's), which a refusal can then be raised against.
async fn payments_refunds_and_mails_from_before_paying_online_are_kept(backend: Backend) {
    let (_db, store) = migrated_up_to(backend, "0013_threads.sql").await;
    let gateways: Result<i64, _> = sqlx::query_scalar("SELECT COUNT(*) FROM gateway_accounts")
        .fetch_one(store.pool())
        .await;
    assert!(gateways.is_err(), "the schema is from before paying online");
    let clock = Clock::system();
    let account = owner_on_earlier_schema(&store, &clock).await;
    let org = account.organisation.id;
    let owner = Caller {
        organisation_id: org,
        user_id: account.user.id,
        role: Role::Owner,
    };
    let device = new_client();
    let nordlys = customer(org, "Nordlys AS");
    let invoice: InvoiceId = new_id();
    let paid = payment(&nordlys, "200.00", "2026-12-01");
    let credit_refund = RefundPayment {
        id: new_id(),
        organisation_id: org,
        customer_id: nordlys.id,
        payment_id: None,
        amount: Money::parse("10.00", nordlys.currency).unwrap(),
        paid_on: date("2026-12-02"),
        method: PaymentMethod::BankTransfer,
        reference: "Credit returned".into(),
        gateway_refund: None,
    };
    let receipt = SendMail {
        id: new_id(),
        organisation_id: org,
        document: MailedDocument {
            kind: MailedKind::Receipt,
            id: paid.id.as_uuid(),
        },
        to: "ap@nordlys.example".into(),
        subject: String::new(),
        message: String::new(),
    };
    let earlier = vec![
        save_settings(1, &issuing_settings(org)),
        upsert(2, &nordlys),
        issue_numbered(3, invoice, &draft(&nordlys)),
        pay(4, &paid),
        Command::RefundPayment(credit_refund.clone()).to_mutation(5),
        send_mail(6, org, invoice, "ap@nordlys.example"),
        Command::SendMail(receipt.clone()).to_mutation(7),
    ];
    let reply = push(&store, &clock, &owner, &push_request(device, earlier))
        .await
        .expect("the earlier schema takes the earlier mutations");
    assert_applied(&reply);
    let before = kept_rows(&store, org).await;
    assert!(
        before.iter().filter(|r| r.starts_with("mail ")).count() == 2
            && before.iter().any(|r| r.starts_with("payment "))
            && before.iter().any(|r| r.starts_with("refund ")),
        "{before:#?}"
    );

    store.migrate().await.expect("this version's migrations");
    assert_eq!(kept_rows(&store, org).await, before, "kept as they were");
    let claimed = mail::claim_due(&store, clock.now_ms(), clock.now_ms() + 60_000)
        .await
        .unwrap()
        .expect("the queued mail is still due");
    assert!(
        [invoice.as_uuid(), paid.id.as_uuid()].contains(&claimed.document.id),
        "{claimed:?}"
    );

    // The device's refund queued before the upgrade, as it was queued.
    let queued = Mutation {
        id: 8,
        name: "payment.refund".into(),
        args: refund_as_queued_before(&nordlys, paid.id),
    };
    let refund_id: RefundId = serde_json::from_value(queued.args["id"].clone()).unwrap();
    let reply = push(&store, &clock, &owner, &push_request(device, vec![queued]))
        .await
        .unwrap();
    assert_applied(&reply);
    let mut conn = store.read().await.unwrap();
    let stored = records::find_record::<RefundPayment>(
        &mut conn,
        org,
        EntityKind::Refund,
        refund_id.as_uuid(),
    )
    .await
    .unwrap()
    .expect("the refund is recorded");
    drop(conn);
    assert_eq!(stored.record.gateway_refund, None);
    assert_eq!(stored.record.payment_id, Some(paid.id));
    let to_gateways: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM gateway_refunds")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(
        to_gateways, 0,
        "a bank transfer's refund goes to no gateway"
    );

    // The upgraded database raises a gateway's refusal of the earlier refund.
    let refused = Command::RefundRefused(RefundRefused {
        organisation_id: org,
        refund_id: credit_refund.id,
        reason: "expired_or_canceled_card".into(),
    })
    .to_mutation(9);
    let reply = push(&store, &clock, &owner, &push_request(device, vec![refused]))
        .await
        .unwrap();
    assert_applied(&reply);
    let raised: Vec<String> = sqlx::query_scalar(
        "SELECT body FROM records WHERE organisation_id = $1 AND entity = 'exception'",
    )
    .bind(org.to_string())
    .fetch_all(store.pool())
    .await
    .unwrap();
    assert!(
        raised
            .iter()
            .any(|b| b.contains("refund_refused_by_gateway")
                && b.contains(&credit_refund.id.to_string())),
        "{raised:#?}"
    );
}

on_both_backends!(payments_refunds_and_mails_from_before_paying_online_are_kept => payments_refunds_and_mails_from_before_paying_online_are_kept_sqlite, payments_refunds_and_mails_from_before_paying_online_are_kept_postgres);

fn push_request(client: ClientId, mutations: Vec<Mutation>) -> PushRequest {
    PushRequest {
        protocol_version: PROTOCOL_VERSION,
        client_id: client,
        mutations,
    }
}
