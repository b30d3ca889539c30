//! Sync performance targets (see BENCHMARKS.md), against a server listening on a local socket and a real
//! HTTP client:
//! - push of 1,000 queued mutations, in the app's batches: ≤ 2 s;
//! - first pull of 20,000 invoices until the first page is usable: ≤ 2 s.
//!
//! Runs on a temporary SQLite file, and also on PostgreSQL when `REMIT_BENCH_DATABASE_URL` names a
//! server (a database is created there for the run and dropped after it).
//!
//! `cargo bench -p remit-server --bench sync [-- --quick]` (`--quick`: 100 mutations and 500 invoices, to
//! check that it runs, also on `scripts/bench --quick`'s debug build).

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{LocalServer, customer, draft, new_client, with_database};
use remit_core::customer::Customer;
use remit_core::document::issue::Address;
use remit_core::document::issued::{IssueInvoice, NumberSource};
use remit_core::ids::{InvoiceId, OrganisationId};
use remit_core::settings::Settings;
use remit_core::sync::{ClientSync, Command, Mutation, PullResponse, PushResponse};
use remit_server::auth::Role;
use remit_server::auth::accounts::{self, NewAccount};
use remit_server::clock::Clock;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Any;
use sqlx::migrate::MigrateDatabase;
use uuid::Uuid;

/// The most mutations the app sends in one push (`app/src/sync/cycle.rs`).
const APP_PUSH_BATCH: usize = 100;
const QUEUED_MUTATIONS: usize = 1_000;
const PULLED_INVOICES: usize = 20_000;
/// Lines on each seeded invoice.
const LINES_PER_INVOICE: usize = 5;
/// Seeded invoices per customer: a customer's account is replayed on each issue, so its history is
/// kept to what a year of monthly invoicing leaves.
const INVOICES_PER_CUSTOMER: usize = 20;
const TARGET: Duration = Duration::from_secs(2);
const PASSWORD: &str = "correct horse battery";

/// How many mutations are pushed and invoices pulled.
#[derive(Clone, Copy)]
struct Sizes {
    queued: usize,
    pulled: usize,
}

fn main() {
    let sizes = if std::env::args().any(|a| a == "--quick") {
        Sizes {
            queued: QUEUED_MUTATIONS / 10,
            pulled: PULLED_INVOICES / 40,
        }
    } else {
        Sizes {
            queued: QUEUED_MUTATIONS,
            pulled: PULLED_INVOICES,
        }
    };
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temporary folder");
        let sqlite = format!("sqlite://{}", dir.path().join("bench.db").display());
        bench("sqlite", &sqlite, dir.path(), sizes).await;
        if let Ok(admin) = std::env::var("REMIT_BENCH_DATABASE_URL") {
            let url = with_database(&admin, &format!("remit_bench_{}", Uuid::now_v7().simple()));
            sqlx::any::install_default_drivers();
            Any::create_database(&url).await.expect("create database");
            bench("postgres", &url, dir.path(), sizes).await;
            Any::force_drop_database(&url).await.expect("drop database");
        }
    });
}

async fn bench(backend: &str, url: &str, dist: &Path, sizes: Sizes) {
    let Sizes { queued, pulled } = sizes;
    let server = LocalServer::start(url, dist).await;

    let pusher = server.client("push@bench.example").await;
    let queue = Queue::recorded(&offline_day(pusher.organisation, queued));
    let start = Instant::now();
    let batches = pusher.push_all(queue).await;
    let push = start.elapsed();
    report(
        backend,
        &format!("push of {queued} queued mutations ({batches} batches)"),
        push,
        Some(TARGET),
        &format!("{:.0} mutations/s", queued as f64 / push.as_secs_f64()),
    );

    let puller = server.client("pull@bench.example").await;
    let start = Instant::now();
    let seeded = puller
        .push_all(Queue::recorded(&invoices(puller.organisation, pulled)))
        .await;
    report(
        backend,
        &format!("seeding {pulled} issued invoices through push ({seeded} batches)"),
        start.elapsed(),
        None,
        "",
    );
    let pull = puller.pull_all().await;
    report(
        backend,
        &format!("first pull of {pulled} invoices: first page usable"),
        pull.first_page,
        Some(TARGET),
        "",
    );
    report(
        backend,
        &format!("first pull of {pulled} invoices: every page"),
        pull.every_page,
        None,
        &format!("{} pages, {} changes", pull.pages, pull.changes),
    );
}

fn report(backend: &str, what: &str, took: Duration, target: Option<Duration>, detail: &str) {
    let verdict = match target {
        Some(t) if took <= t => format!("target ≤ {} s: met", t.as_secs()),
        Some(t) => format!("target ≤ {} s: MISSED", t.as_secs()),
        None => String::new(),
    };
    println!(
        "sync/{backend}: {what}: {:.3} s  {detail}  {verdict}",
        took.as_secs_f64()
    );
}

/// What a day offline leaves in a device's outbox: a fifth new customers, the rest drafts for them.
fn offline_day(organisation: OrganisationId, count: usize) -> Vec<Command> {
    let customers: Vec<Customer> = (0..count / 5).map(|n| customer(organisation, n)).collect();
    let drafts = (customers.len()..count)
        .map(|n| Command::SaveDraft(draft(&customers[n % customers.len()], 3)))
        .collect::<Vec<_>>();
    customers
        .into_iter()
        .map(Command::UpsertCustomer)
        .chain(drafts)
        .collect()
}

/// The invoices a first pull brings: the seller's settings, the customers, then [`INVOICES_PER_CUSTOMER`]
/// invoices of [`LINES_PER_INVOICE`] lines for each customer, each issued under the server's next number.
fn invoices(organisation: OrganisationId, count: usize) -> Vec<Command> {
    let mut settings = Settings::initial(organisation, "Bench GmbH");
    settings.seller.address = Address {
        lines: vec!["Ringstraße 1".into()],
        postcode: "1010".into(),
        city: "Wien".into(),
        country: "AT".into(),
    };
    // EN 16931's BR-CO-26: issuing needs the seller identified (core refuses it otherwise).
    settings.seller.tax_id = "ATU12345678".into();
    let customers: Vec<Customer> = (0..count.div_ceil(INVOICES_PER_CUSTOMER))
        .map(|n| customer(organisation, n))
        .collect();
    let invoices = (0..count)
        .map(|n| {
            Command::IssueInvoice(IssueInvoice {
                invoice_id: InvoiceId::try_from(Uuid::now_v7()).expect("UUIDv7"),
                draft: draft(&customers[n % customers.len()], LINES_PER_INVOICE),
                number: NumberSource::Server,
            })
        })
        .collect::<Vec<_>>();
    std::iter::once(Command::SaveSettings(settings))
        .chain(customers.into_iter().map(Command::UpsertCustomer))
        .chain(invoices)
        .collect()
}

/// A device's sync state and outbox after recording commands offline.
struct Queue {
    sync: ClientSync,
    outbox: Vec<Mutation>,
}

impl Queue {
    fn recorded(commands: &[Command]) -> Self {
        let mut sync = ClientSync::new(new_client());
        let outbox = commands.iter().map(|c| sync.record(c)).collect();
        Self { sync, outbox }
    }
}

/// How a first pull went.
struct Pull {
    /// Until the first page was taken in by core's rebase: the app is usable from then on.
    first_page: Duration,
    every_page: Duration,
    pages: usize,
    changes: usize,
}

impl LocalServer {
    /// A new organisation's owner, signed in over HTTP.
    async fn client(&self, email: &str) -> BenchClient {
        let account = accounts::add_user(
            &self.store,
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
        let client = BenchClient {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .expect("http client"),
            base: self.address.clone(),
            organisation: account.organisation.id,
        };
        let _: serde_json::Value = client
            .post(
                "/api/session",
                &serde_json::json!({ "email": email, "password": PASSWORD }),
            )
            .await;
        client
    }
}

/// A signed-in user's browser: an HTTP client holding the session cookie.
struct BenchClient {
    http: reqwest::Client,
    base: String,
    organisation: OrganisationId,
}

impl BenchClient {
    async fn post<T: Serialize, R: DeserializeOwned>(&self, path: &str, body: &T) -> R {
        let response = self
            .http
            .post(format!("{}{path}", self.base))
            .header("X-Remit-Request", "1")
            .json(body)
            .send()
            .await
            .expect("request");
        let status = response.status();
        assert!(status.is_success(), "POST {path}: {status}");
        response.json().await.expect("reply")
    }

    /// Pushes a queue as the app does, in batches of [`APP_PUSH_BATCH`]; the number of batches.
    async fn push_all(&self, queue: Queue) -> usize {
        let Queue {
            mut sync,
            mut outbox,
        } = queue;
        let mut batches = 0;
        while let Some(request) = sync.push_request(&outbox, APP_PUSH_BATCH) {
            let reply: PushResponse = self.post("/api/sync/push", &request).await;
            let outcome = sync.on_push(&request, &reply);
            assert!(
                outcome.rejected.is_empty() && outcome.conflicts.is_empty(),
                "refused: {outcome:?}"
            );
            outbox.retain(|m| !outcome.done.contains(&m.id));
            batches += 1;
        }
        batches
    }

    /// A first pull from a device that never synced, with the server's default page size, each page
    /// taken in by core's rebase as the app does.
    async fn pull_all(&self) -> Pull {
        let mut sync = ClientSync::new(new_client());
        let start = Instant::now();
        let mut first_page = None;
        let (mut pages, mut changes) = (0, 0);
        loop {
            let reply: PullResponse = self.post("/api/sync/pull", &sync.pull_request()).await;
            changes += reply.patch.len();
            let plan = sync.on_pull(reply, &[]);
            pages += 1;
            let first_page = *first_page.get_or_insert_with(|| start.elapsed());
            if !plan.more {
                return Pull {
                    first_page,
                    every_page: start.elapsed(),
                    pages,
                    changes,
                };
            }
        }
    }
}
