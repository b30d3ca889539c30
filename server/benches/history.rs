//! What one change costs as histories grow (BENCHMARKS.md, "History"), issue #11 §1:
//! - for one customer, the last 1,000 issues cost ≤ 1.2× the first 1,000;
//! - in an organisation of 20,000 issued invoices (2,000 customers), the last 1,000 issues cost ≤ 1.2×
//!   the first 1,000, and seeding runs at ≥ 500 issues/s on SQLite;
//! - a payment costs the same for a customer with 10 or 10,000 documents;
//! - the REST statement and aging of a 10,000-document customer answer with p99 ≤ 50 ms;
//!
//! and the load on the server (issue #11 §3, issue #14; [`load`], skipped and said so without `wrk`):
//! the REST statement and the portal's statement page of a customer with 500 open invoices under `wrk`
//! (2 threads, 32 connections): ≥ 2,000 requests/s with p99 ≤ 50 ms; a first sync's page and an
//! incremental pull under `wrk`, and on PostgreSQL the statement against 1 and 2 server processes (no
//! targets).
//!
//! Pushes are applied in process through `remit_server::sync::push::push` (no HTTP, so the figure is
//! the server's own work), in the app's batches of 100; statement and aging go through a real HTTP
//! client against the server on a local port.
//!
//! ```text
//! cargo bench -p remit-server --bench history [-- --quick] [--customer N] [--organisation N] [--portal N]
//! cargo bench -p remit-server --bench history -- seed DIR [--quick]
//! cargo bench -p remit-server --bench history -- ops DIR/NAME issue|payment K
//! cargo bench -p remit-server --bench history -- load-seed DIR [--portal N] [--organisation N]
//! cargo bench -p remit-server --bench history -- load-requests DIR portal|statement|pull|pull-incremental K
//! ```
//!
//! `seed` writes SQLite databases at four points of history (`early`, `customer`: one customer with a
//! long history of open invoices, `settled`: the same history mostly paid, `organisation`: many
//! customers); `ops` applies K issues or payments to one of them in
//! one push, on one thread, so that `scripts/bench` can count the instructions of K and of 1 under
//! `valgrind --tool=callgrind` and take the difference: the stable cost of one change.
//! `load-seed` writes the load benches' customer (`--portal N` open invoices, 500 unless given) with its
//! statement link and its owner's session, and an organisation to pull from (`--organisation N` issued
//! invoices, 1,000 unless given, ten per customer); `load-requests` sends one of those requests K times,
//! one after another on one thread, to a server on a copy of it: the instructions of one request, and
//! where they go, under callgrind.
//!
//! Runs on a temporary SQLite file; also on PostgreSQL when `REMIT_BENCH_DATABASE_URL` names a server.

mod common;
#[path = "history/load.rs"]
mod load;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{LocalServer, customer, draft, new_client, with_database};
use remit_core::customer::Customer;
use remit_core::document::issue::Address;
use remit_core::document::issued::{IssueInvoice, NumberSource};
use remit_core::ids::{InvoiceId, OrganisationId, PaymentId, UserId};
use remit_core::money::Money;
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
use serde::{Deserialize, Serialize};
use sqlx::migrate::MigrateDatabase;
use sqlx::{Any, Row};
use uuid::Uuid;

/// The most mutations the app sends in one push (`app/src/sync/cycle.rs`).
const APP_PUSH_BATCH: usize = 100;
const LINES_PER_INVOICE: usize = 5;
const PASSWORD: &str = "correct horse battery";
/// Issued invoices of `load-seed`'s organisation to pull from: the page after its 100 customers is 500
/// invoices.
const LOAD_SEED_INVOICES: usize = 1_000;
/// How big each bench is.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    /// Issues to the one customer (also its documents for payment, statement and aging).
    customer: usize,
    /// Issues in the organisation, and its customers.
    organisation: usize,
    customers: usize,
    /// How many issues the first and last windows compare.
    window: usize,
    /// Payments timed on each customer.
    payments: usize,
    /// Requests timed for each of statement and aging.
    reads: usize,
    /// Open invoices on the load benches' customer, and how long each `wrk` run lasts.
    portal: usize,
    wrk_seconds: u32,
}

impl Sizes {
    const FULL: Self = Self {
        customer: 10_000,
        organisation: 20_000,
        customers: 2_000,
        window: 1_000,
        payments: 100,
        reads: 200,
        portal: 500,
        wrk_seconds: 10,
    };
    /// Small enough for `scripts/bench --quick`'s debug build (in CI) to run every bench in a minute or
    /// two: it checks that each runs, its figures are not the targets'.
    const QUICK: Self = Self {
        customer: 100,
        organisation: 500,
        customers: 50,
        window: 50,
        payments: 20,
        reads: 20,
        portal: 50,
        wrk_seconds: 1,
    };
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let quick = args.iter().any(|a| a == "--quick");
    let mut sizes = if quick { Sizes::QUICK } else { Sizes::FULL };
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(|v| v.parse::<usize>().expect("a count"))
    };
    if let Some(n) = value("--customer") {
        sizes.customer = n;
    }
    if let Some(n) = value("--portal") {
        sizes.portal = n;
    }
    if let Some(n) = value("--organisation") {
        sizes.organisation = n;
        sizes.customers = n.div_ceil(10);
    }
    sizes.window = sizes
        .window
        .min(sizes.customer / 2)
        .min(sizes.organisation / 2);
    match args.first().map(String::as_str) {
        Some("seed") => {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(seed(Path::new(&args[1]), quick));
        }
        Some("load-seed") => {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            let open = value("--portal").unwrap_or(Sizes::FULL.portal);
            let invoices = value("--organisation").unwrap_or(LOAD_SEED_INVOICES);
            runtime.block_on(load::seed(Path::new(&args[1]), open, invoices));
        }
        Some("load-requests") => {
            let runtime = one_thread();
            let count = args[3].parse().expect("a count");
            runtime.block_on(load::requests(Path::new(&args[1]), &args[2], count));
        }
        Some("ops") => {
            let runtime = one_thread();
            let count = args[3].parse().expect("a count");
            runtime.block_on(ops(Path::new(&args[1]), &args[2], count));
        }
        _ => {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(timing(sizes));
        }
    }
}

async fn timing(sizes: Sizes) {
    let dir = tempfile::tempdir().expect("temporary folder");
    let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
    bench("sqlite", &sqlite, dir.path(), sizes).await;
    if let Ok(admin) = std::env::var("REMIT_BENCH_DATABASE_URL") {
        let url = with_database(&admin, &format!("remit_bench_{}", Uuid::now_v7().simple()));
        sqlx::any::install_default_drivers();
        Any::create_database(&url).await.expect("create database");
        let requests = bench("postgres", &url, dir.path(), sizes).await;
        load::processes("postgres", &url, &requests.statement, sizes).await;
        Any::force_drop_database(&url).await.expect("drop database");
    }
}

/// Every bench on one backend; the requests the load benches repeated.
async fn bench(backend: &str, url: &str, dist: &Path, sizes: Sizes) -> load::Requests {
    let server = LocalServer::start(url, dist).await;
    let big = customer_history(backend, &server, sizes).await;
    rest_reads(backend, &server, &big, sizes).await;
    let (portal, statement) = load::open_customer(&server, sizes.portal).await;
    let email = "organisation@bench.example";
    let org = organisation_history(backend, &server, email, sizes).await;
    let (pull, incremental) = load::pulls(&server, &org, email).await;
    let requests = load::Requests {
        portal,
        statement,
        pull,
        incremental,
    };
    load::under_wrk(backend, &server, &requests, sizes).await;
    // Its connections closed, so that the database can be dropped once the benches are done.
    server.store.close().await;
    requests
}

/// One customer's long history, and a payment on it against one on a customer of 10 documents; returns
/// the customer with the long history.
async fn customer_history(backend: &str, server: &LocalServer, sizes: Sizes) -> Customer {
    let window = sizes.window;
    let org = server.organisation("customer@bench.example").await;
    let big = customer(org.id, 0);
    let small = customer(org.id, 1);
    org.push(vec![
        Command::SaveSettings(settings(org.id)),
        Command::UpsertCustomer(big.clone()),
        Command::UpsertCustomer(small.clone()),
    ])
    .await;
    org.push(issues(std::slice::from_ref(&small), 10)).await;
    let batches = org
        .push(issues(std::slice::from_ref(&big), sizes.customer))
        .await;
    let (first, last) = windows(&batches, window);
    report(
        backend,
        &format!(
            "one customer, {} issues: last {window} ÷ first {window}",
            sizes.customer
        ),
        last / first,
        "≤ 1.2",
        last / first <= 1.2,
        &format!("first {:.2} ms/issue, last {:.2} ms/issue", first, last),
    );

    // A payment on a customer with 10 documents, and on one with `sizes.customer`.
    let few = org.payments(&small, sizes.payments).await;
    let many = org.payments(&big, sizes.payments).await;
    report(
        backend,
        &format!(
            "a payment, customer of {} ÷ customer of 10 documents",
            sizes.customer
        ),
        many / few,
        "≤ 1.2",
        many / few <= 1.2,
        &format!(
            "10: {few:.2} ms/payment, {}: {many:.2} ms/payment",
            sizes.customer
        ),
    );

    big
}

/// Statement and aging of the customer with the long history, over REST.
async fn rest_reads(backend: &str, server: &LocalServer, big: &Customer, sizes: Sizes) {
    let http = reqwest::Client::new();
    let cookie = server.session_cookie("customer@bench.example").await;
    for (name, path) in [
        (
            "statement",
            format!(
                "/api/customers/{}/statement?from=2026-01-01&to=2026-12-31",
                big.id
            ),
        ),
        (
            "aging",
            format!("/api/customers/{}/aging?on=2027-01-31", big.id),
        ),
    ] {
        let mut times = Vec::with_capacity(sizes.reads);
        for _ in 0..sizes.reads {
            let start = Instant::now();
            let response = http
                .get(format!("{}{path}", server.address))
                .header(reqwest::header::COOKIE, &cookie)
                .send()
                .await
                .expect("request");
            assert!(response.status().is_success(), "GET {path}");
            response.bytes().await.expect("body");
            times.push(start.elapsed());
        }
        times.sort();
        let p99 = times[times.len() * 99 / 100 - 1];
        let p50 = times[times.len() / 2];
        report(
            backend,
            &format!("REST {name} of a {}-document customer: p99", sizes.customer),
            p99.as_secs_f64() * 1e3,
            "≤ 50 ms",
            p99 <= Duration::from_millis(50),
            &format!(
                "p50 {:.1} ms, {} requests",
                p50.as_secs_f64() * 1e3,
                sizes.reads
            ),
        );
    }
}

/// An organisation's history: many customers, a few invoices each; the organisation, owned by `email`.
async fn organisation_history(
    backend: &str,
    server: &LocalServer,
    email: &str,
    sizes: Sizes,
) -> Org {
    let window = sizes.window;
    let org = server.organisation(email).await;
    let customers: Vec<Customer> = (0..sizes.customers).map(|n| customer(org.id, n)).collect();
    org.push(
        std::iter::once(Command::SaveSettings(settings(org.id)))
            .chain(customers.iter().cloned().map(Command::UpsertCustomer))
            .collect(),
    )
    .await;
    let start = Instant::now();
    let batches = org.push(issues(&customers, sizes.organisation)).await;
    let rate = sizes.organisation as f64 / start.elapsed().as_secs_f64();
    let (first, last) = windows(&batches, window);
    report(
        backend,
        &format!(
            "organisation of {} customers, {} issues: last {window} ÷ first {window}",
            sizes.customers, sizes.organisation
        ),
        last / first,
        "≤ 1.2",
        last / first <= 1.2,
        &format!("first {:.2} ms/issue, last {:.2} ms/issue", first, last),
    );
    report(
        backend,
        &format!(
            "seeding {} issued invoices through push",
            sizes.organisation
        ),
        rate,
        "≥ 500 issues/s",
        rate >= 500.0,
        "issues/s",
    );
    org
}

/// Milliseconds per mutation in the first and the last `window` mutations of timed batches.
fn windows(batches: &[(usize, Duration)], window: usize) -> (f64, f64) {
    let per = |batches: &mut dyn Iterator<Item = &(usize, Duration)>| {
        let (mut n, mut took) = (0, Duration::ZERO);
        for (size, time) in batches {
            if n >= window {
                break;
            }
            n += size;
            took += *time;
        }
        took.as_secs_f64() * 1e3 / n as f64
    };
    (per(&mut batches.iter()), per(&mut batches.iter().rev()))
}

/// One line a person and `scripts/bench` both read: `history/BACKEND: WHAT: FIGURE (target T: met)  DETAIL`.
fn report(backend: &str, what: &str, figure: f64, target: &str, met: bool, detail: &str) {
    let verdict = if met { "met" } else { "MISSED" };
    println!("history/{backend}: {what}: {figure:.3} (target {target}: {verdict})  {detail}");
}

/// A figure without a target, in the same form: `history/BACKEND: WHAT: FIGURE (no target)  DETAIL`.
fn measured(backend: &str, what: &str, figure: f64, detail: &str) {
    println!("history/{backend}: {what}: {figure:.3} (no target)  {detail}");
}

/// A new organisation's owner, pushing in process as a device of theirs.
struct Org {
    store: Store,
    caller: Caller,
    id: OrganisationId,
    sync: tokio::sync::Mutex<ClientSync>,
}

impl Org {
    async fn create(store: &Store, email: &str) -> Self {
        let account = accounts::add_user(
            store,
            &Clock::system(),
            NewAccount {
                organisation_name: format!("Bench {}", Uuid::now_v7()),
                time_zone: "Europe/Vienna".into(),
                currency: "EUR".into(),
                name: email.into(),
                email: email.into(),
                password: PASSWORD.into(),
                role: Role::Owner,
            },
        )
        .await
        .expect("add user");
        Self::of(store, account.organisation.id, account.user.id)
    }

    fn of(store: &Store, organisation: OrganisationId, user: UserId) -> Self {
        Self {
            store: store.clone(),
            caller: Caller {
                organisation_id: organisation,
                user_id: user,
                role: Role::Owner,
            },
            id: organisation,
            sync: tokio::sync::Mutex::new(ClientSync::new(new_client())),
        }
    }

    /// Pushes commands in the app's batches; the size and duration of each batch.
    async fn push(&self, commands: Vec<Command>) -> Vec<(usize, Duration)> {
        self.push_in(commands, APP_PUSH_BATCH).await
    }

    async fn push_in(&self, commands: Vec<Command>, batch: usize) -> Vec<(usize, Duration)> {
        let mut sync = self.sync.lock().await;
        let mut outbox: Vec<_> = commands.iter().map(|c| sync.record(c)).collect();
        let mut batches = Vec::new();
        let clock = Clock::system();
        while let Some(request) = sync.push_request(&outbox, batch) {
            let start = Instant::now();
            let reply: PushResponse =
                remit_server::sync::push::push(&self.store, &clock, &self.caller, &request)
                    .await
                    .expect("push");
            batches.push((request.mutations.len(), start.elapsed()));
            let outcome = sync.on_push(&request, &reply);
            assert!(
                outcome.rejected.is_empty() && outcome.conflicts.is_empty(),
                "refused: {outcome:?}"
            );
            outbox.retain(|m| !outcome.done.contains(&m.id));
        }
        batches
    }

    /// Milliseconds per payment of `count` payments to the customer, each named to one of its invoices.
    async fn payments(&self, customer: &Customer, count: usize) -> f64 {
        let invoices = invoice_ids(&self.store, customer, count).await;
        let batches = self.push_in(payments(customer, &invoices, count), 20).await;
        let took: Duration = batches.iter().map(|(_, t)| *t).sum();
        took.as_secs_f64() * 1e3 / count as f64
    }
}

/// Up to `limit` of a customer's invoices, oldest first.
async fn invoice_ids(store: &Store, customer: &Customer, limit: usize) -> Vec<InvoiceId> {
    sqlx::query(
        "SELECT id FROM invoices WHERE organisation_id = $1 AND customer_id = $2 \
         ORDER BY change_no LIMIT $3",
    )
    .bind(customer.organisation_id.to_string())
    .bind(customer.id.to_string())
    .bind(limit as i64)
    .fetch_all(store.pool())
    .await
    .expect("invoices")
    .iter()
    .map(|r| InvoiceId::parse(&r.get::<String, _>("id")).expect("invoice id"))
    .collect()
}

/// How many of the `settled` customer's invoices stay open (its oldest, which `ops` pays).
const OPEN_WHEN_SETTLED: usize = 10;

/// A payment of what is due on each of the customer's invoices but its `open` oldest.
async fn paid_in_full(store: &Store, customer: &Customer, open: usize) -> Vec<Command> {
    sqlx::query(
        "SELECT id, amount_due FROM invoices WHERE organisation_id = $1 AND customer_id = $2 \
         ORDER BY change_no",
    )
    .bind(customer.organisation_id.to_string())
    .bind(customer.id.to_string())
    .fetch_all(store.pool())
    .await
    .expect("invoices")
    .iter()
    .skip(open)
    .map(|r| {
        let amount = Money::parse(&r.get::<String, _>("amount_due"), customer.currency);
        Command::RecordPayment(RecordPayment {
            id: PaymentId::try_from(Uuid::now_v7()).expect("UUIDv7"),
            organisation_id: customer.organisation_id,
            customer_id: customer.id,
            amount: amount.expect("amount due"),
            received_on: "2026-11-30".parse().expect("date"),
            method: PaymentMethod::BankTransfer,
            reference: String::new(),
            instruction: Instruction::Named(vec![
                InvoiceId::parse(&r.get::<String, _>("id")).expect("invoice id"),
            ]),
        })
    })
    .collect()
}

/// `count` payments of 1.00 by the customer, named to its invoices in turn.
fn payments(customer: &Customer, invoices: &[InvoiceId], count: usize) -> Vec<Command> {
    (0..count)
        .map(|n| {
            Command::RecordPayment(RecordPayment {
                id: PaymentId::try_from(Uuid::now_v7()).expect("UUIDv7"),
                organisation_id: customer.organisation_id,
                customer_id: customer.id,
                amount: Money::exact(Decimal::ONE, customer.currency).expect("amount"),
                received_on: "2026-11-30".parse().expect("date"),
                method: PaymentMethod::BankTransfer,
                reference: format!("bank line {n}"),
                instruction: Instruction::Named(vec![invoices[n % invoices.len()]]),
            })
        })
        .collect()
}

/// `count` five-line invoices issued under the server's next number, to the customers in turn.
fn issues(customers: &[Customer], count: usize) -> Vec<Command> {
    (0..count)
        .map(|n| {
            Command::IssueInvoice(IssueInvoice {
                invoice_id: InvoiceId::try_from(Uuid::now_v7()).expect("UUIDv7"),
                draft: draft(&customers[n % customers.len()], LINES_PER_INVOICE),
                number: NumberSource::Server,
            })
        })
        .collect()
}

fn settings(organisation: OrganisationId) -> Settings {
    let mut settings = Settings::initial(organisation, "Bench GmbH");
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

impl LocalServer {
    async fn organisation(&self, email: &str) -> Org {
        Org::create(&self.store, email).await
    }

    /// The session cookie (`remit_session=…`) of `email`, signed in over HTTP.
    async fn session_cookie(&self, email: &str) -> String {
        let response = reqwest::Client::new()
            .post(format!("{}/api/session", self.address))
            .header("X-Remit-Request", "1")
            .json(&serde_json::json!({ "email": email, "password": PASSWORD }))
            .send()
            .await
            .expect("sign in");
        assert!(response.status().is_success(), "sign in");
        let cookie = response
            .headers()
            .get(reqwest::header::SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .expect("a session cookie");
        cookie.split(';').next().expect("name=value").to_owned()
    }
}

/// Who and what a seeded database is about, beside it as `NAME.json`.
#[derive(Serialize, Deserialize)]
struct Seeded {
    organisation: OrganisationId,
    user: UserId,
    customer: Customer,
}

/// Writes `early.db` (a customer with 10 invoices, alone in its organisation), `customer.db` (a
/// customer with a long history, every invoice still open), `settled.db` (the same history with all but
/// its 10 oldest invoices paid in full) and `organisation.db` (many customers, the measured one with 10
/// invoices), each with its `.json`.
async fn seed(dir: &Path, quick: bool) {
    let (customer_history, organisation, customers) = if quick {
        (200, 1_000, 100)
    } else {
        (2_000, 10_000, 1_000)
    };
    std::fs::create_dir_all(dir).expect("seed folder");
    for (name, history, others, other_issues) in [
        ("early", 10, 0, 0),
        ("customer", customer_history, 0, 0),
        ("settled", customer_history, 0, 0),
        ("organisation", 10, customers, organisation),
    ] {
        let db = dir.join(format!("{name}.db"));
        for file in sqlite_files(&db) {
            let _ = std::fs::remove_file(file);
        }
        let store = remit_server::application::open_database(&sqlite_url(&db))
            .await
            .expect("database");
        let org = Org::create(&store, "seed@bench.example").await;
        let measured = customer(org.id, 0);
        let rest: Vec<Customer> = (1..=others).map(|n| customer(org.id, n)).collect();
        org.push(
            [
                Command::SaveSettings(settings(org.id)),
                Command::UpsertCustomer(measured.clone()),
            ]
            .into_iter()
            .chain(rest.iter().cloned().map(Command::UpsertCustomer))
            .collect(),
        )
        .await;
        if !rest.is_empty() {
            org.push(issues(&rest, other_issues)).await;
        }
        org.push(issues(std::slice::from_ref(&measured), history))
            .await;
        if name == "settled" {
            org.push(paid_in_full(&store, &measured, OPEN_WHEN_SETTLED).await)
                .await;
        }
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(store.pool())
            .await
            .expect("checkpoint");
        store.close().await;
        let seeded = Seeded {
            organisation: org.id,
            user: org.caller.user_id,
            customer: measured,
        };
        std::fs::write(
            dir.join(format!("{name}.json")),
            serde_json::to_vec(&seeded).expect("json"),
        )
        .expect("write");
        println!("seeded {}", db.display());
    }
}

/// Applies `count` issues or payments to a copy of the seeded database `base` (`DIR/NAME`) in one push.
async fn ops(base: &Path, op: &str, count: usize) {
    // `RUST_LOG=sqlx=debug` prints each statement with its time: the per-query breakdown.
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .init();
    }
    let seeded: Seeded =
        serde_json::from_slice(&std::fs::read(base.with_extension("json")).expect("seeded json"))
            .expect("seeded");
    let work = tempfile::tempdir().expect("temporary folder");
    let db = work.path().join("ops.db");
    std::fs::copy(base.with_extension("db"), &db).expect("copy database");
    let store = Store::connect(&sqlite_url(&db)).await.expect("database");
    let org = Org::of(&store, seeded.organisation, seeded.user);
    let commands = match op {
        "issue" => issues(std::slice::from_ref(&seeded.customer), count),
        "payment" => {
            let invoices = invoice_ids(&store, &seeded.customer, count).await;
            payments(&seeded.customer, &invoices, count)
        }
        other => panic!("unknown op {other}: issue or payment"),
    };
    org.push_in(commands, count).await;
    store.close().await;
}

fn sqlite_url(db: &Path) -> String {
    format!("sqlite://{}", db.display())
}

fn sqlite_files(db: &Path) -> [PathBuf; 3] {
    let name = db.display().to_string();
    [
        db.to_owned(),
        PathBuf::from(format!("{name}-wal")),
        PathBuf::from(format!("{name}-shm")),
    ]
}

/// A runtime on one thread: instruction counts under callgrind stay the same from run to run.
fn one_thread() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}
