//! The long lists read one page through IndexedDB indexes (version 6): what each filter and search
//! finds, that a payment or credit note pulled after its invoice changes the invoice's status, that an
//! older database gets its listings in the upgrade, and that the home screen's start-up reads at most
//! 200 rows of books far larger than that.

use chrono::{Days, NaiveDate};
use indexed_db_futures::database::Database;
use indexed_db_futures::prelude::*;
use indexed_db_futures::transaction::TransactionMode;
use remit_app::store::issuing::IssuedInvoice;
use remit_app::store::lists::{InvoiceQuery, PAGE_SIZE};
use remit_app::store::schema::VERSION;
use remit_app::store::{Store, rows_read, to_js};
use remit_core::customer::Customer;
use remit_core::document::issued::{Invoice, Voided};
use remit_core::fixtures;
use remit_core::ids::{ClientId, InvoiceId};
use remit_core::numbering::InvoiceNumber;
use remit_core::organisation::{Member, Role, SessionInfo};
use remit_core::receivables::listing::InvoiceFilter;
use remit_core::receivables::payment::Payment;
use remit_core::sync::{ClientSync, Command, Cookie, PatchOp, PullResponse, Record};
use rust_decimal::Decimal;
use uuid::Uuid;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
}

fn db_name(test: &str) -> String {
    format!("remit-test-{test}-{}", Uuid::now_v7())
}

fn new_id<T: TryFrom<Uuid, Error: std::fmt::Debug>>() -> T {
    T::try_from(Uuid::now_v7()).unwrap()
}

fn session() -> SessionInfo {
    SessionInfo {
        user: Member {
            id: new_id(),
            email: "berit@fjord.example".into(),
            name: "Berit Billing".into(),
            role: Role::Owner,
        },
        organisation: fixtures::organisation(),
    }
}

async fn signed_in_store(name: &str) -> Store {
    let store = Store::open(name).await.unwrap();
    store.begin_session(&session()).await.unwrap().unwrap();
    store
}

fn customer(name: &str) -> Customer {
    fixtures::customer(new_id(), fixtures::organisation_id(), name, "NOK")
}

/// Invoice `INV-<n>` of 1,250.00 NOK to `customer`, due `due`.
fn invoice(n: u32, customer: &Customer, due: NaiveDate) -> Invoice {
    let mut invoice = fixtures::issued(vec![fixtures::line(
        "Net repair",
        Decimal::from(4),
        Decimal::from(250),
        Decimal::from(25),
    )]);
    invoice.id = new_id();
    invoice.customer_id = customer.id;
    invoice.snapshot.number = InvoiceNumber::parse(&format!("INV-{n:05}")).unwrap();
    invoice.snapshot.buyer.name = customer.name.clone();
    invoice.snapshot.issue_date = due - Days::new(14);
    invoice.snapshot.schedule[0].due_date = due;
    invoice
}

/// The server's record of `amount` NOK paid to `invoice`.
fn payment(invoice: &Invoice, amount: &str) -> Payment {
    serde_json::from_value(serde_json::json!({
        "id": Uuid::now_v7().to_string(), "organisation_id": fixtures::ORGANISATION,
        "customer_id": invoice.customer_id.to_string(),
        "amount": { "amount": amount, "currency": "NOK" },
        "received_on": "2026-11-27", "method": "bank_transfer", "reference": "",
        "instruction": { "kind": "named", "invoices": [invoice.id.to_string()] },
        "allocation": {
            "lines": [{
                "item": { "invoice_id": invoice.id.to_string(), "instalment": 0 },
                "amount": { "amount": amount, "currency": "NOK" },
                "discount": { "amount": "0.00", "currency": "NOK" }
            }],
            "unapplied": { "amount": "0.00", "currency": "NOK" }
        }
    }))
    .unwrap()
}

/// Pulls `records` in pages of 500, as a first sync does.
async fn pull(store: &Store, records: Vec<Record>) {
    let count = records.len();
    let mut change = 0u64;
    let mut pages = records.chunks(500).peekable();
    while let Some(page) = pages.next() {
        let patch: Vec<PatchOp> = page
            .iter()
            .cloned()
            .map(|record| {
                change += 1;
                PatchOp::Put { change, record }
            })
            .collect();
        store
            .apply_pull(PullResponse {
                cookie: Cookie(change),
                last_mutation_id: 0,
                patch,
                more: pages.peek().is_some(),
                head: Some(count as u64),
            })
            .await
            .unwrap();
    }
}

async fn listed(
    store: &Store,
    filter: InvoiceFilter,
    search: &str,
    page: usize,
) -> (Vec<String>, usize) {
    let query = InvoiceQuery {
        filter,
        search: search.into(),
    };
    let found = store.invoice_page(&query, page, today()).await.unwrap();
    let numbers = found
        .rows
        .iter()
        .map(|row| match row {
            IssuedInvoice::Numbered { invoice, .. } => invoice.number().to_string(),
            IssuedInvoice::AwaitingNumber(_) => "awaiting".into(),
        })
        .collect();
    (numbers, found.total)
}

#[wasm_bindgen_test]
async fn filters_and_searches_read_pages_through_the_indexes() {
    let store = signed_in_store(&db_name("lists")).await;
    let acme = customer("Acme Café GmbH");
    let fjord = customer("Fjord Fiskeri AS");
    // 60 invoices, one a day, due from 2026-10-20 on: the ones due before 2026-12-01 are overdue.
    let first_due = NaiveDate::from_ymd_opt(2026, 10, 20).unwrap();
    let invoices: Vec<Invoice> = (1..=60)
        .map(|n| {
            let buyer = if n % 2 == 0 { &acme } else { &fjord };
            invoice(n, buyer, first_due + Days::new(u64::from(n)))
        })
        .collect();
    let mut records = vec![
        Record::Customer(acme.clone()),
        Record::Customer(fjord.clone()),
    ];
    records.extend(
        invoices
            .iter()
            .map(|i| Record::Invoice(Box::new(i.clone()))),
    );
    pull(&store, records).await;

    let (page, total) = listed(&store, InvoiceFilter::All, "", 0).await;
    assert_eq!(total, 60);
    assert_eq!(page.len(), PAGE_SIZE);
    assert_eq!(page[0], "INV-00060", "newest first");
    let (last, _) = listed(&store, InvoiceFilter::All, "", 2).await;
    assert_eq!(last.len(), 10);
    assert_eq!(last[9], "INV-00001");

    // Paid in full, paid in part, voided: a later pull changes what the invoice is listed as.
    let mut voided = invoices[2].clone();
    voided.voided = Some(Voided {
        on: today(),
        reason: "Issued twice".into(),
    });
    pull(
        &store,
        vec![
            Record::Payment(payment(&invoices[0], "1250.00")),
            Record::Payment(payment(&invoices[1], "1000.00")),
            Record::Invoice(Box::new(voided)),
        ],
    )
    .await;
    assert_eq!(
        listed(&store, InvoiceFilter::Paid, "", 0).await,
        (vec!["INV-00001".into()], 1)
    );
    assert_eq!(
        listed(&store, InvoiceFilter::Void, "", 0).await,
        (vec!["INV-00003".into()], 1)
    );
    // Due 2026-10-21 … 2026-11-30 are overdue on 2026-12-01: 41, less the paid and the voided one.
    let (overdue, count) = listed(&store, InvoiceFilter::Overdue, "", 0).await;
    assert_eq!(count, 39);
    assert_eq!(
        overdue[0], "INV-00002",
        "longest overdue first: paid in part, still open"
    );
    let (open, count) = listed(&store, InvoiceFilter::Open, "", 2).await;
    assert_eq!(count, 58);
    assert_eq!(
        open.last().map(String::as_str),
        Some("INV-00060"),
        "soonest due first"
    );

    // Search: a number's prefix, a word of the customer's name (case and accents aside), both.
    assert_eq!(
        listed(&store, InvoiceFilter::All, "inv-0005", 0).await.1,
        10
    );
    assert_eq!(listed(&store, InvoiceFilter::All, "CAFE", 0).await.1, 30);
    assert_eq!(
        listed(&store, InvoiceFilter::All, "fisk inv-0001", 0)
            .await
            .1,
        5
    );
    assert_eq!(
        listed(&store, InvoiceFilter::Paid, "fjord", 0).await,
        (vec!["INV-00001".into()], 1)
    );
    assert_eq!(listed(&store, InvoiceFilter::All, "nordlys", 0).await.1, 0);

    let customers = store.customer_page("", 0).await.unwrap();
    assert_eq!(
        customers
            .rows
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["Acme Café GmbH", "Fjord Fiskeri AS"]
    );
    let found = store.customer_page("fisk", 0).await.unwrap();
    assert_eq!((found.total, found.rows[0].id), (1, fjord.id));
}

#[wasm_bindgen_test]
async fn the_home_screen_reads_at_most_200_rows_of_big_books() {
    let store = signed_in_store(&db_name("start-up")).await;
    let customers: Vec<Customer> = (0..300)
        .map(|n| customer(&format!("Customer {n:03}")))
        .collect();
    let mut records: Vec<Record> = customers.iter().cloned().map(Record::Customer).collect();
    for n in 0..1_000u32 {
        let buyer = &customers[n as usize % customers.len()];
        records.push(Record::Invoice(Box::new(invoice(n, buyer, today()))));
    }
    for buyer in customers.iter().take(300) {
        records.push(Record::InvoiceDraft(Box::new(fixtures::draft_for(
            new_id(),
            buyer,
            vec![fixtures::line(
                "Audit",
                Decimal::from(1),
                Decimal::from(100),
                Decimal::from(25),
            )],
        ))));
    }
    pull(&store, records).await;

    let before = rows_read();
    // What the home screen reads when it opens: the first page of each list, the drafts' customers'
    // names, and the sync state and outbox the invoice list compares with.
    let issued = store
        .invoice_page(&InvoiceQuery::default(), 0, today())
        .await
        .unwrap();
    let drafts = store.draft_page(0).await.unwrap();
    store
        .customer_names(drafts.rows.iter().map(|d| d.customer_id))
        .await
        .unwrap();
    let customers_page = store.customer_page("", 0).await.unwrap();
    let read = rows_read() - before;
    assert_eq!(
        (issued.total, drafts.total, customers_page.total),
        (1_000, 300, 300)
    );
    assert_eq!(issued.rows.len(), PAGE_SIZE);
    assert!(read <= 200, "the home screen read {read} rows");
}

/// Version 5 as it was: the stores of records without version 6's indexes.
async fn write_v5(name: &str) -> Database {
    Database::open(name)
        .with_version(5u32)
        .with_on_upgrade_needed(|_, db| {
            for store in [
                "customers",
                "outbox",
                "conflicts",
                "rejected",
                "item",
                "invoice",
                "credit_note",
                "payment",
                "refund",
                "dispute",
                "exception",
                "number_lease",
                "mail",
            ] {
                db.create_object_store(store)
                    .with_key_path("id".into())
                    .build()?;
            }
            db.create_object_store("invoice_drafts")
                .with_key_path("id".into())
                .build()?
                .create_index("by_customer", "customer_id".into())
                .build()?;
            db.create_object_store("settings")
                .with_key_path("organisation_id".into())
                .build()?;
            db.create_object_store("meta").build()?;
            db.create_object_store("thread")
                .with_key_path("id".into())
                .build()?
                .create_index("by_state", "state".into())
                .build()?;
            db.create_object_store("thread_message")
                .with_key_path("id".into())
                .build()?
                .create_index("by_thread", "thread_id".into())
                .build()?;
            Ok(())
        })
        .await
        .unwrap()
}

#[wasm_bindgen_test]
async fn a_version_5_database_lists_its_invoices_by_status_after_the_upgrade() {
    let name = db_name("upgrade-v5");
    let acme = customer("Ærø Shipping");
    let paid = invoice(1, &acme, today());
    let open = invoice(2, &acme, today());
    let v5 = write_v5(&name).await;
    let mut sync = ClientSync::new(new_id::<ClientId>());
    let queued = sync.record(&Command::UpsertCustomer(acme.clone()));
    let tx = v5
        .transaction(["customers", "invoice", "payment", "outbox", "meta"])
        .with_mode(TransactionMode::Readwrite)
        .build()
        .unwrap();
    // Rows as version 5 wrote them: the record's JSON, nothing beside it.
    tx.object_store("customers")
        .unwrap()
        .put(to_js(&acme).unwrap())
        .await
        .unwrap();
    for invoice in [&paid, &open] {
        tx.object_store("invoice")
            .unwrap()
            .put(to_js(invoice).unwrap())
            .await
            .unwrap();
    }
    tx.object_store("payment")
        .unwrap()
        .put(to_js(&payment(&paid, "1250.00")).unwrap())
        .await
        .unwrap();
    tx.object_store("outbox")
        .unwrap()
        .put(to_js(&queued).unwrap())
        .await
        .unwrap();
    let meta = tx.object_store("meta").unwrap();
    for (key, value) in [
        ("session", to_js(&session()).unwrap()),
        ("signed_in", to_js(&true).unwrap()),
        ("sync", to_js(&sync).unwrap()),
    ] {
        meta.put(value)
            .with_key(key)
            .without_key_type()
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    v5.close();
    let store = Store::open(&name).await.unwrap();
    assert_eq!(store.database().version() as u32, VERSION);
    assert_eq!(
        listed(&store, InvoiceFilter::Paid, "", 0).await,
        (vec!["INV-00001".into()], 1)
    );
    assert_eq!(
        listed(&store, InvoiceFilter::Open, "aero", 0).await,
        (vec!["INV-00002".into()], 1)
    );
    let payments = store.payments_for_invoice(paid.id).await.unwrap();
    assert_eq!(
        payments.recorded.len(),
        1,
        "found through the new by_invoice index"
    );
    assert_eq!(
        store.customer_page("ærø", 0).await.unwrap().rows,
        vec![acme]
    );
    assert_eq!(
        store.outbox().await.unwrap(),
        vec![queued],
        "the queue is kept"
    );
    let none: InvoiceId = new_id();
    assert_eq!(store.issued_invoice(none).await.unwrap(), None);
}
