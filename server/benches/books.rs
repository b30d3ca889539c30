//! Big books for the browser bench (BENCHMARKS.md, "The browser: 20,000 invoices"), issue #11 §2.
//!
//! ```text
//! cargo bench -p remit-server --bench books -- seed DIR [--quick]
//! ```
//!
//! `seed` writes `DIR/books.db` (SQLite): one organisation with 2,000 customers, 20,000 issued
//! five-line invoices (each an `invoice.issue` under the server's next number, dated over the two years
//! before today), 15,000 payments (`payment.record`, each named to one invoice: 65 % of the invoices
//! paid in full, 10 % half paid, 25 % left open, so that most open ones are overdue today), 500 drafts
//! of one to four lines and one draft of 500 lines (the editor's keystroke bench). Everything goes
//! through the real sync path: core's mutations, applied in process by the server's push
//! (`remit_server::sync::push::push`) in the app's batches of 100. `DIR/books.json` says how to sign
//! in (the owner's e-mail and password), the big draft's id, what was seeded, and search terms that
//! match (number prefixes and customer-name words). `--quick` seeds a twentieth of it (100 customers,
//! 1,000 invoices, 750 payments, 20 drafts, a 100-line draft). It prints the seeding throughput.
//!
//! `e2e/bench/books.mjs` measures the app in the browser against a server on a copy of `books.db`.

// The benches' shared part: this bench seeds and checks the sign-in, so it leaves some of it unused.
#[allow(dead_code)]
mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Days, NaiveDate};
use common::{LocalServer, customer, draft, new_client};
use remit_core::customer::Customer;
use remit_core::document::InvoiceDraft;
use remit_core::document::issue::Address;
use remit_core::document::issued::{IssueInvoice, NumberSource};
use remit_core::ids::{CustomerId, InvoiceId, OrganisationId, PaymentId};
use remit_core::money::{Currency, Money};
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::payment::RecordPayment;
use remit_core::settings::Settings;
use remit_core::sync::{ClientSync, Command, PushResponse};
use remit_server::auth::Role;
use remit_server::auth::accounts::{self, NewAccount};
use remit_server::clock::Clock;
use remit_server::store::Store;
use remit_server::sync::Caller;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

/// The most mutations the app sends in one push (`app/src/sync/cycle.rs`).
const APP_PUSH_BATCH: usize = 100;
const LINES_PER_INVOICE: usize = 5;
const EMAIL: &str = "books@bench.example";
const PASSWORD: &str = "correct horse battery";
/// The seeded invoices' issue dates spread over this many days before today.
const HISTORY_DAYS: u64 = 730;
const PAYMENT_TERMS_DAYS: u64 = 30;

/// Customers' names: a word of each list and a legal form, so that a name word matches a share of
/// them. Some words carry diacritics, which search ignores.
const NAME_FIRST: [&str; 40] = [
    "Nordlys",
    "Fjord",
    "Havbris",
    "Müller",
    "Åkerlund",
    "Brückner",
    "Sørensen",
    "Lumière",
    "Dvořák",
    "Ibáñez",
    "Kowalski",
    "Laurent",
    "Okafor",
    "Petrović",
    "Quintero",
    "Rasmussen",
    "Schäfer",
    "Tanaka",
    "Umberto",
    "Väisänen",
    "Weber",
    "Xavier",
    "Yilmaz",
    "Zeller",
    "Alpine",
    "Baltic",
    "Coastal",
    "Delta",
    "Elm",
    "Falcon",
    "Granite",
    "Harbour",
    "Iris",
    "Juniper",
    "Kestrel",
    "Linden",
    "Meridian",
    "Nimbus",
    "Orchard",
    "Pioneer",
];
const NAME_SECOND: [&str; 25] = [
    "Shipping",
    "Consulting",
    "Bau",
    "Logistik",
    "Fiskeri",
    "Design",
    "Studio",
    "Trading",
    "Handel",
    "Médical",
    "Energy",
    "Foods",
    "Textil",
    "Verlag",
    "Software",
    "Garten",
    "Optik",
    "Reisen",
    "Immobilien",
    "Transport",
    "Marine",
    "Labs",
    "Partners",
    "Works",
    "Systems",
];
const NAME_FORM: [&str; 8] = ["GmbH", "AS", "SARL", "Ltd", "BV", "AB", "Oy", "SpA"];
/// Name words the browser bench searches for, typed as a person would: lower case, without
/// diacritics (they match "Fjord", "Müller" and "Médical").
const SEARCH_WORDS: [&str; 3] = ["fjord", "muller", "medical"];

/// How big the books are.
#[derive(Debug, Clone, Copy, Serialize)]
struct Sizes {
    customers: usize,
    invoices: usize,
    drafts: usize,
    big_draft_lines: usize,
}

impl Sizes {
    const FULL: Self = Self {
        customers: 2_000,
        invoices: 20_000,
        drafts: 500,
        big_draft_lines: 500,
    };
    const QUICK: Self = Self {
        customers: 100,
        invoices: 1_000,
        drafts: 20,
        big_draft_lines: 100,
    };
}

/// What becomes of the `n`th invoice: 13 in 20 paid in full, 2 in 20 half paid, 5 in 20 left open,
/// scattered over the history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    Paid,
    HalfPaid,
    Open,
}

fn fate(n: usize) -> Fate {
    match (n * 37 + 11) % 20 {
        0..13 => Fate::Paid,
        13..15 => Fate::HalfPaid,
        _ => Fate::Open,
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let quick = args.iter().any(|a| a == "--quick");
    match (args.first().map(String::as_str), args.get(1)) {
        (Some("seed"), Some(dir)) => {
            let sizes = if quick { Sizes::QUICK } else { Sizes::FULL };
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(seed(Path::new(dir), sizes));
        }
        _ => println!(
            "books: nothing is timed here; seed with `cargo bench -p remit-server --bench books -- \
             seed DIR [--quick]` and measure with e2e/bench/books.mjs"
        ),
    }
}

/// What `books.json` tells the browser bench.
#[derive(Serialize)]
struct Seeded {
    email: &'static str,
    password: &'static str,
    organisation: OrganisationId,
    /// The day the dates were counted from: invoices open and due before it are overdue.
    seeded_on: NaiveDate,
    big_draft: InvoiceId,
    sizes: Sizes,
    counts: Counts,
    /// Invoice-number prefixes and customer-name words that match seeded invoices.
    search_numbers: Vec<String>,
    search_words: Vec<String>,
}

#[derive(Debug, Default, Serialize)]
struct Counts {
    customers: usize,
    invoices: usize,
    payments: usize,
    paid_in_full: usize,
    half_paid: usize,
    open: usize,
    /// Open or half-paid invoices whose due date is before `seeded_on`.
    overdue: usize,
    drafts: usize,
}

async fn seed(dir: &Path, sizes: Sizes) {
    let started = Instant::now();
    std::fs::create_dir_all(dir).expect("seed folder");
    let db = dir.join("books.db");
    for file in sqlite_files(&db) {
        let _ = std::fs::remove_file(file);
    }
    let url = format!("sqlite://{}", db.display());
    let store = remit_server::application::open_database(&url)
        .await
        .expect("database");
    let today = chrono::Utc::now().date_naive();
    let mut owner = Owner::create(&store).await;
    let org = owner.caller.organisation_id;
    let customers: Vec<Customer> = (0..sizes.customers)
        .map(|n| Customer {
            name: customer_name(n),
            payment_terms_days: PAYMENT_TERMS_DAYS as u16,
            ..customer(org, n)
        })
        .collect();
    let mut counts = Counts {
        customers: customers.len(),
        ..Counts::default()
    };
    owner
        .push(
            std::iter::once(Command::SaveSettings(settings(org)))
                .chain(customers.iter().cloned().map(Command::UpsertCustomer))
                .collect(),
        )
        .await;

    let issue_dates: Vec<NaiveDate> = (0..sizes.invoices)
        .map(|n| today - Days::new(HISTORY_DAYS - n as u64 * HISTORY_DAYS / sizes.invoices as u64))
        .collect();
    let took = owner.push(issues(&customers, &issue_dates)).await;
    counts.invoices = sizes.invoices;
    println!(
        "books: {} issued invoices in {:.1} s ({:.0} issues/s)",
        sizes.invoices,
        took.as_secs_f64(),
        sizes.invoices as f64 / took.as_secs_f64()
    );

    let issued = issued_invoices(&store, org).await;
    assert_eq!(issued.len(), sizes.invoices, "every issue was applied");
    let payments = payments(
        org,
        &issued,
        &issue_dates,
        today,
        customers[0].currency,
        &mut counts,
    );
    counts.payments = payments.len();
    let took = owner.push(payments).await;
    println!(
        "books: {} payments in {:.1} s ({:.0} payments/s)",
        counts.payments,
        took.as_secs_f64(),
        counts.payments as f64 / took.as_secs_f64()
    );

    let (drafts, big_draft) = drafts(&customers, sizes, today);
    counts.drafts = drafts.len();
    let took = owner.push(drafts).await;
    println!(
        "books: {} drafts in {:.1} s",
        counts.drafts,
        took.as_secs_f64()
    );

    let search_numbers = number_prefixes(&store, org).await;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(store.pool())
        .await
        .expect("checkpoint");
    store.close().await;
    signs_in(&url, dir).await;

    let seeded = Seeded {
        email: EMAIL,
        password: PASSWORD,
        organisation: org,
        seeded_on: today,
        big_draft,
        sizes,
        counts,
        search_numbers,
        search_words: SEARCH_WORDS.map(str::to_owned).to_vec(),
    };
    std::fs::write(
        dir.join("books.json"),
        serde_json::to_vec_pretty(&seeded).expect("json"),
    )
    .expect("write books.json");
    println!(
        "books: seeded {} in {:.1} s: {:?}",
        db.display(),
        started.elapsed().as_secs_f64(),
        seeded.counts
    );
}

/// A five-line invoice issued under the server's next number on each of `dates`, to the customers in
/// turn.
fn issues(customers: &[Customer], dates: &[NaiveDate]) -> Vec<Command> {
    dates
        .iter()
        .enumerate()
        .map(|(n, &date)| {
            Command::IssueInvoice(IssueInvoice {
                invoice_id: InvoiceId::try_from(Uuid::now_v7()).expect("UUIDv7"),
                draft: dated(
                    draft(&customers[n % customers.len()], LINES_PER_INVOICE),
                    date,
                ),
                number: NumberSource::Server,
            })
        })
        .collect()
}

/// `sizes.drafts` drafts of one to four lines dated today, to the customers in turn, and the big
/// draft; the big draft's id.
fn drafts(customers: &[Customer], sizes: Sizes, today: NaiveDate) -> (Vec<Command>, InvoiceId) {
    let big = dated(draft(&customers[0], sizes.big_draft_lines), today);
    let id = big.id;
    let drafts = (0..sizes.drafts)
        .map(|n| dated(draft(&customers[n % customers.len()], 1 + n % 4), today))
        .chain(std::iter::once(big))
        .map(Command::SaveDraft)
        .collect();
    (drafts, id)
}

/// A payment for each invoice not left open (see [`fate`]), named to it and received some days after
/// its issue (never after `today`); counts what becomes of the invoices.
fn payments(
    organisation: OrganisationId,
    issued: &[(InvoiceId, CustomerId, Decimal)],
    issue_dates: &[NaiveDate],
    today: NaiveDate,
    currency: Currency,
    counts: &mut Counts,
) -> Vec<Command> {
    let mut payments = Vec::new();
    for (n, (invoice, customer_id, amount_due)) in issued.iter().enumerate() {
        let due = issue_dates[n] + Days::new(PAYMENT_TERMS_DAYS);
        let amount = match fate(n) {
            Fate::Paid => {
                counts.paid_in_full += 1;
                *amount_due
            }
            Fate::HalfPaid => {
                counts.half_paid += 1;
                (*amount_due / Decimal::TWO).round_dp(2)
            }
            Fate::Open => {
                counts.open += 1;
                Decimal::ZERO
            }
        };
        if fate(n) != Fate::Paid && due < today {
            counts.overdue += 1;
        }
        if amount.is_zero() {
            continue;
        }
        let received_on = (issue_dates[n] + Days::new(5 + (n % 30) as u64)).min(today);
        payments.push(Command::RecordPayment(RecordPayment {
            id: PaymentId::try_from(Uuid::now_v7()).expect("UUIDv7"),
            organisation_id: organisation,
            customer_id: *customer_id,
            amount: Money::exact(amount, currency).expect("amount"),
            received_on,
            method: PaymentMethod::BankTransfer,
            reference: format!("bank line {n}"),
            instruction: Instruction::Named(vec![*invoice]),
        }));
    }
    payments
}

/// The `n`th customer's name.
fn customer_name(n: usize) -> String {
    let first = NAME_FIRST[n % NAME_FIRST.len()];
    let second = NAME_SECOND[(n / NAME_FIRST.len()) % NAME_SECOND.len()];
    let form = NAME_FORM[(n + n / 1_000) % NAME_FORM.len()];
    format!("{first} {second} {form}")
}

/// `draft` issued on `date`, due on the customer's terms.
fn dated(mut draft: InvoiceDraft, date: NaiveDate) -> InvoiceDraft {
    draft.issue_date = date;
    draft.due_date = date + Days::new(PAYMENT_TERMS_DAYS);
    draft
}

/// The organisation's issued invoices in the order they were issued: id, customer and amount due.
async fn issued_invoices(
    store: &Store,
    org: OrganisationId,
) -> Vec<(InvoiceId, CustomerId, Decimal)> {
    sqlx::query(
        "SELECT id, customer_id, amount_due FROM invoices WHERE organisation_id = $1 \
         ORDER BY change_no",
    )
    .bind(org.to_string())
    .fetch_all(store.pool())
    .await
    .expect("invoices")
    .iter()
    .map(|r| {
        (
            InvoiceId::parse(&r.get::<String, _>("id")).expect("invoice id"),
            CustomerId::parse(&r.get::<String, _>("customer_id")).expect("customer id"),
            r.get::<String, _>("amount_due")
                .parse()
                .expect("amount due"),
        )
    })
    .collect()
}

/// Prefixes of the newest invoice's number: all but its last two characters (up to 100 invoices
/// match) and all but its last one (up to 10).
async fn number_prefixes(store: &Store, org: OrganisationId) -> Vec<String> {
    let newest: String = sqlx::query(
        "SELECT number FROM invoices WHERE organisation_id = $1 ORDER BY change_no DESC LIMIT 1",
    )
    .bind(org.to_string())
    .fetch_one(store.pool())
    .await
    .expect("newest invoice")
    .get("number");
    [2, 1]
        .iter()
        .map(|cut| newest[..newest.len() - cut].to_owned())
        .collect()
}

/// Checks that the owner can sign in on a server started on the seeded database, as the browser bench
/// will.
async fn signs_in(url: &str, dir: &Path) {
    let server = LocalServer::start(url, dir).await;
    let response = reqwest::Client::new()
        .post(format!("{}/api/session", server.address))
        .header("X-Remit-Request", "1")
        .json(&serde_json::json!({ "email": EMAIL, "password": PASSWORD }))
        .send()
        .await
        .expect("sign in");
    assert!(
        response.status().is_success(),
        "sign in: {}",
        response.status()
    );
    server.store.close().await;
}

/// The organisation's owner, pushing in process as a device of theirs.
struct Owner {
    store: Store,
    caller: Caller,
    sync: ClientSync,
}

impl Owner {
    async fn create(store: &Store) -> Self {
        let account = accounts::add_user(
            store,
            &Clock::system(),
            NewAccount {
                organisation_name: "Books Bench GmbH".into(),
                time_zone: "Europe/Vienna".into(),
                currency: "EUR".into(),
                name: "Bea Books".into(),
                email: EMAIL.into(),
                password: PASSWORD.into(),
                role: Role::Owner,
            },
        )
        .await
        .expect("add user");
        Self {
            store: store.clone(),
            caller: Caller {
                organisation_id: account.organisation.id,
                user_id: account.user.id,
                role: Role::Owner,
            },
            sync: ClientSync::new(new_client()),
        }
    }

    /// Pushes commands in the app's batches, each applied as the server applies a push; how long the
    /// pushes took. A batch is recorded just before it goes, so the outbox never holds more than one
    /// batch and the bookkeeping between pushes stays the same however many commands there are.
    async fn push(&mut self, commands: Vec<Command>) -> Duration {
        let clock = Clock::system();
        let mut took = Duration::ZERO;
        for batch in commands.chunks(APP_PUSH_BATCH) {
            let mut outbox: Vec<_> = batch.iter().map(|c| self.sync.record(c)).collect();
            while let Some(request) = self.sync.push_request(&outbox, APP_PUSH_BATCH) {
                let start = Instant::now();
                let reply: PushResponse =
                    remit_server::sync::push::push(&self.store, &clock, &self.caller, &request)
                        .await
                        .expect("push");
                took += start.elapsed();
                let outcome = self.sync.on_push(&request, &reply);
                assert!(
                    outcome.rejected.is_empty() && outcome.conflicts.is_empty(),
                    "refused: {outcome:?}"
                );
                outbox.retain(|m| !outcome.done.contains(&m.id));
            }
        }
        took
    }
}

fn settings(organisation: OrganisationId) -> Settings {
    let mut settings = Settings::initial(organisation, "Books Bench GmbH");
    settings.seller.address = Address {
        lines: vec!["Ringstraße 1".into()],
        postcode: "1010".into(),
        city: "Wien".into(),
        country: "AT".into(),
    };
    // EN 16931's BR-CO-26: issuing needs the seller identified (core refuses it otherwise).
    settings.seller.tax_id = "ATU12345678".into();
    settings
}

fn sqlite_files(db: &Path) -> [PathBuf; 3] {
    let name = db.display().to_string();
    [
        db.to_owned(),
        PathBuf::from(format!("{name}-wal")),
        PathBuf::from(format!("{name}-shm")),
    ]
}
