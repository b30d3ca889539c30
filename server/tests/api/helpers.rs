//! A running server on a fresh database, and a client that speaks its API.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::NaiveDate;
use remit_core::customer::Customer;
use remit_core::document::InvoiceDraft;
use remit_core::document::issue::CreditScope;
use remit_core::document::issued::{IssueCreditNote, IssueInvoice, NumberSource};
use remit_core::fixtures;
use remit_core::ids::{ClientId, CustomerId, InvoiceId, LeaseId, OrganisationId, ThreadId};
use remit_core::mail::{MailedDocument, MailedKind, SendMail};
use remit_core::money::Money;
use remit_core::numbering::InvoiceNumber;
use remit_core::numbering::lease::{ReturnLease, TakeLease};
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::dispute::OpenDispute;
use remit_core::receivables::payment::RecordPayment;
use remit_core::receivables::thread::{
    OpenThread, ReplyToThread, ResolveThread, ThreadKind, ThreadOutcome, ThreadReason,
};
use remit_core::settings::Settings;
use remit_core::sync::{
    Command, Cookie, Mutation, PROTOCOL_VERSION, PatchOp, PullRequest, PullResponse, PushRequest,
    PushResponse, Record,
};
use remit_server::application::{Application, Config, Intervals, StartError};
use remit_server::auth::Role;
use remit_server::auth::accounts::{self, NewAccount};
use remit_server::clock::{Clock, ManualClock};
use remit_server::gateway::GatewayConfig;
use remit_server::http::AppState;
use remit_server::mail::MailConfig;
use remit_server::store::Store;
use reqwest::StatusCode;
use rust_decimal_macros::dec;
use serde_json::{Value, json};
use sqlx::migrate::MigrateDatabase;
use sqlx::{Any, Row};
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// Writes a test once and runs it on both backends, as `<name>_sqlite` and `<name>_postgres`; CI selects
/// each backend's tests by those suffixes and insists on equal counts.
#[macro_export]
macro_rules! on_both_backends {
    ($test:ident => $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            $test($crate::helpers::Backend::Sqlite).await
        }

        #[tokio::test]
        async fn $postgres() {
            $test($crate::helpers::Backend::Postgres).await
        }
    };
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database of its own for one test: a file in a temporary folder, or a PostgreSQL database created for
/// the test and dropped when it ends.
pub struct TestDatabase {
    pub url: String,
    /// Holds the SQLite file's folder until the test ends.
    pub dir: TempDir,
    postgres: bool,
}

impl TestDatabase {
    pub async fn new(backend: Backend) -> Self {
        let dir = tempfile::tempdir().expect("temporary folder");
        let url = match backend {
            Backend::Sqlite => format!("sqlite://{}", dir.path().join("remit.db").display()),
            Backend::Postgres => {
                let admin = std::env::var("REMIT_TEST_DATABASE_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
                let url = with_database(&admin, &format!("remit_test_{}", Uuid::now_v7().simple()));
                sqlx::any::install_default_drivers();
                Any::create_database(&url)
                    .await
                    .expect("create the test database (is PostgreSQL running?)");
                url
            }
        };
        Self {
            url,
            dir,
            postgres: backend == Backend::Postgres,
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if !self.postgres {
            return;
        }
        let url = self.url.clone();
        // Drop runs inside the test's runtime, which cannot block on itself: use a runtime of its own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map(|rt| rt.block_on(Any::force_drop_database(&url)))
        })
        .join();
        if !matches!(dropped, Ok(Ok(Ok(())))) {
            eprintln!("could not drop test database {}", self.url);
        }
    }
}

/// `url` with its database name replaced.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, Some(query)),
        None => (url, None),
    };
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

/// A server as `remit serve` runs it (the same [`Application`], background tasks included), listening
/// on a free port, on a fresh database, reading the time from a clock the test sets.
pub struct TestApp {
    pub address: String,
    pub store: Store,
    pub dist: PathBuf,
    pub db: TestDatabase,
    /// Stands at the moment the server started until the test moves it.
    pub clock: ManualClock,
    pub intervals: Intervals,
    /// How the server reaches payment gateways.
    pub gateways: GatewayConfig,
    server: Running,
}

/// A started [`Application`] and how to stop it.
struct Running {
    address: String,
    store: Store,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<Result<(), StartError>>>,
}

/// A server with the background tasks running as often as in `remit serve`.
pub async fn spawn_app(backend: Backend) -> TestApp {
    spawn_app_with(backend, Intervals::default()).await
}

/// A server whose background tasks run at these intervals.
pub async fn spawn_app_with(backend: Backend, intervals: Intervals) -> TestApp {
    spawn_app_mailing(backend, intervals, None).await
}

/// A server whose background tasks run at these intervals, sending mail as `mail` says (none: mail
/// waits in the queue, as without `--smtp-url`).
pub async fn spawn_app_mailing(
    backend: Backend,
    intervals: Intervals,
    mail: Option<MailConfig>,
) -> TestApp {
    spawn(backend, intervals, mail, GatewayConfig::default()).await
}

/// A server whose background tasks run at these intervals, reaching payment gateways as `gateways`
/// says (Stripe's API at a stand-in's address).
pub async fn spawn_app_with_gateways(
    backend: Backend,
    intervals: Intervals,
    gateways: GatewayConfig,
) -> TestApp {
    spawn(backend, intervals, None, gateways).await
}

async fn spawn(
    backend: Backend,
    intervals: Intervals,
    mail: Option<MailConfig>,
    gateways: GatewayConfig,
) -> TestApp {
    let db = TestDatabase::new(backend).await;
    let dist = db.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let clock = ManualClock::new(Clock::system().now_ms());
    let server = start_server(&db.url, &dist, &clock, (intervals, &gateways), mail).await;
    TestApp {
        address: server.address.clone(),
        store: server.store.clone(),
        dist,
        db,
        clock,
        intervals,
        gateways,
        server,
    }
}

/// Starts a server on the database at `url`.
async fn start_server(
    url: &str,
    dist: &Path,
    clock: &ManualClock,
    (intervals, gateways): (Intervals, &GatewayConfig),
    mail: Option<MailConfig>,
) -> Running {
    let application = Application::build(Config {
        database_url: url.to_owned(),
        host: "127.0.0.1".into(),
        port: 0,
        dist: dist.to_owned(),
        clock: clock.clone().into(),
        intervals,
        mail,
        trusted_proxy: None,
        gateways: gateways.clone(),
    })
    .await
    .expect("start the server");
    let address = format!("http://{}", application.address());
    let store = application.store().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    // Runs until told to stop; dropping the sender leaves it running until the test ends.
    let task = tokio::spawn(application.run_until_stopped(async move {
        if stopped.await.is_err() {
            std::future::pending::<()>().await;
        }
    }));
    Running {
        address,
        store,
        stop: Some(stop),
        task: Some(task),
    }
}

pub const OWNER_EMAIL: &str = "owner@acme.example";
pub const PASSWORD: &str = "correct horse battery";

impl TestApp {
    /// A browser without a session.
    pub fn browser(&self) -> Api {
        Api::new(&self.address)
    }

    /// A second server process on the same database and clock; its address.
    pub async fn another_server(&self) -> String {
        start_server(
            &self.db.url,
            &self.dist,
            &self.clock,
            (self.intervals, &self.gateways),
            None,
        )
        .await
        .address
    }

    /// Stops the server as `remit serve` stops on a signal: requests in flight finish, then the
    /// background tasks; waits at most `within` for all of it.
    pub async fn stop(&mut self, within: Duration) -> Result<(), StartError> {
        if let Some(stop) = self.server.stop.take() {
            let _ = stop.send(());
        }
        let task = self.server.task.take().expect("the server is running");
        tokio::time::timeout(within, task)
            .await
            .expect("the server stops when told")
            .expect("the server task ends without panicking")
    }

    /// The server's clock, as the server reads it.
    pub fn clock(&self) -> Clock {
        self.clock.clone().into()
    }

    /// What this server's request handlers see, to call its router in process.
    pub fn state(&self) -> AppState {
        AppState {
            store: self.store.clone(),
            clock: self.clock(),
            dist: self.dist.clone(),
            portal: Default::default(),
            gateways: self.gateways.clone(),
        }
    }

    /// Runs first-run setup; returns the owner's browser (signed in) and the `SessionInfo`.
    pub async fn set_up(&self) -> (Api, Value) {
        let api = self.browser();
        let response = api.post("/api/setup", &setup_body()).await;
        assert_eq!(response.status(), StatusCode::CREATED);
        let info: Value = response.json().await.unwrap();
        (api, info)
    }

    /// Adds a user (creating the organisation when no organisation has that name) and signs them in.
    pub async fn user(&self, organisation: &str, email: &str, role: Role) -> (Api, Value) {
        accounts::add_user(
            &self.store,
            &self.clock(),
            NewAccount {
                organisation_name: organisation.into(),
                time_zone: "Europe/Vienna".into(),
                currency: "EUR".into(),
                name: email.into(),
                email: email.into(),
                password: PASSWORD.into(),
                role,
            },
        )
        .await
        .expect("add user");
        let api = self.browser();
        let response = api.sign_in(email, PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
        let info = response.json().await.unwrap();
        (api, info)
    }

    pub async fn count(&self, table: &str) -> i64 {
        sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
            .fetch_one(self.store.pool())
            .await
            .unwrap()
            .get::<i64, _>("n")
    }

    /// Row counts of every table a push may touch.
    pub async fn counts(&self) -> [i64; 6] {
        [
            self.count("customers").await,
            self.count("invoice_drafts").await,
            self.count("changes").await,
            self.count("audit_log").await,
            self.count("mutation_results").await,
            self.count("sync_clients").await,
        ]
    }
}

pub fn setup_body() -> Value {
    json!({
        "organisation_name": "Acme GmbH",
        "time_zone": "Europe/Berlin",
        "currency": "EUR",
        "name": "Olivia Owner",
        "email": OWNER_EMAIL,
        "password": PASSWORD,
    })
}

/// A browser talking to the API: state-changing requests carry the CSRF header unless told otherwise.
#[derive(Clone)]
pub struct Api {
    pub http: reqwest::Client,
    pub base: String,
}

impl Api {
    pub fn new(address: &str) -> Self {
        Self {
            http: reqwest::Client::builder()
                .cookie_store(true)
                .build()
                .unwrap(),
            base: address.to_owned(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http.get(self.url(path)).send().await.unwrap()
    }

    pub async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .header("X-Remit-Request", "1")
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn put(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .put(self.url(path))
            .header("X-Remit-Request", "1")
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn post_without_csrf_header(&self, path: &str, body: &Value) -> reqwest::Response {
        self.http
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, path: &str) -> reqwest::Response {
        self.http
            .delete(self.url(path))
            .header("X-Remit-Request", "1")
            .send()
            .await
            .unwrap()
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> reqwest::Response {
        self.post(
            "/api/session",
            &json!({ "email": email, "password": password }),
        )
        .await
    }

    /// Pushes and expects a 200.
    pub async fn push(&self, client: ClientId, mutations: Vec<Mutation>) -> PushResponse {
        let response = self.push_raw(client, mutations).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn push_raw(&self, client: ClientId, mutations: Vec<Mutation>) -> reqwest::Response {
        let request = PushRequest {
            protocol_version: PROTOCOL_VERSION,
            client_id: client,
            mutations,
        };
        self.post("/api/sync/push", &serde_json::to_value(request).unwrap())
            .await
    }

    /// Pulls one page and expects a 200.
    pub async fn pull(
        &self,
        client: ClientId,
        cookie: Option<u64>,
        limit: Option<u32>,
    ) -> PullResponse {
        let response = self.pull_raw(client, cookie, limit).await;
        assert_eq!(response.status(), StatusCode::OK);
        response.json().await.unwrap()
    }

    pub async fn pull_raw(
        &self,
        client: ClientId,
        cookie: Option<u64>,
        limit: Option<u32>,
    ) -> reqwest::Response {
        let request = PullRequest {
            client_id: client,
            cookie: cookie.map(Cookie),
        };
        let path = match limit {
            Some(limit) => format!("/api/sync/pull?limit={limit}"),
            None => "/api/sync/pull".into(),
        };
        self.post(&path, &serde_json::to_value(request).unwrap())
            .await
    }
}

/// The JSON of a `GET` that must succeed.
pub async fn get_json(api: &Api, path: &str) -> Value {
    let response = api.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "{path}");
    response.json().await.unwrap()
}

/// The JSON body of an error reply, with its status.
pub async fn error_of(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    (status, response.json().await.unwrap())
}

pub fn new_client() -> ClientId {
    ClientId::try_from(Uuid::now_v7()).unwrap()
}

pub fn organisation_of(info: &Value) -> OrganisationId {
    OrganisationId::parse(info["organisation"]["id"].as_str().unwrap()).unwrap()
}

/// A new customer paying in EUR on 30 days' terms, with an accounts-payable address.
pub fn customer(organisation: OrganisationId, name: &str) -> Customer {
    Customer {
        email: "ap@customer.example".into(),
        payment_terms_days: 30,
        ..fixtures::customer(new_id(), organisation, name, "EUR")
    }
}

/// A new draft for `customer`, due 2026-12-23, with the 1.5 × 0.35 line (0.525, which rounds half away
/// from zero to 0.53) and 2 × 10.10 of travel, both at 19 %.
pub fn draft(customer: &Customer) -> InvoiceDraft {
    let lines = vec![
        fixtures::line("Audit", dec!(1.5), dec!(0.35), dec!(19)),
        fixtures::line("Travel", dec!(2), dec!(10.10), dec!(19)),
    ];
    InvoiceDraft {
        due_date: date("2026-12-23"),
        ..fixtures::draft_for(new_id(), customer, lines)
    }
}

pub fn upsert(id: u64, customer: &Customer) -> Mutation {
    Command::UpsertCustomer(customer.clone()).to_mutation(id)
}

pub fn save(id: u64, draft: &InvoiceDraft) -> Mutation {
    Command::SaveDraft(draft.clone()).to_mutation(id)
}

/// Writes a fake built app into `dist`.
pub fn write_dist(dist: &Path, files: &[(&str, &str)]) {
    for (name, content) in files {
        let path = dist.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// Settings a seller can issue under: the organisation's defaults with a postal address in Austria.
pub fn issuing_settings(organisation: OrganisationId) -> Settings {
    fixtures::settings_with_seller(
        organisation,
        "Acme GmbH",
        fixtures::address("Ringstraße 1", "1010", "Wien", "AT"),
    )
}

pub fn save_settings(id: u64, settings: &Settings) -> Mutation {
    Command::SaveSettings(settings.clone()).to_mutation(id)
}

/// `invoice.issue` of `draft` as a new invoice, numbered as `number` says.
pub fn issue(id: u64, draft: &InvoiceDraft, number: NumberSource) -> (Mutation, InvoiceId) {
    let invoice_id = InvoiceId::try_from(Uuid::now_v7()).unwrap();
    let command = Command::IssueInvoice(IssueInvoice {
        invoice_id,
        draft: draft.clone(),
        number,
    });
    (command.to_mutation(id), invoice_id)
}

/// The records of one kind in a pull's patch, in change order.
pub fn puts<T>(patch: &[PatchOp], pick: impl Fn(&Record) -> Option<T>) -> Vec<T> {
    patch
        .iter()
        .filter_map(|op| match op {
            PatchOp::Put { record, .. } => pick(record),
            PatchOp::Del { .. } => None,
        })
        .collect()
}

/// Every record a client has pulled so far, from a first sync to the end.
pub async fn pull_all(api: &Api, client: ClientId) -> Vec<PatchOp> {
    let mut cookie = None;
    let mut patch = Vec::new();
    loop {
        let page = api.pull(client, cookie, None).await;
        patch.extend(page.patch);
        cookie = Some(page.cookie.0);
        if !page.more {
            return patch;
        }
    }
}

/// A new UUIDv7 id of any kind.
pub fn new_id<T: TryFrom<Uuid, Error: std::fmt::Debug>>() -> T {
    T::try_from(Uuid::now_v7()).unwrap()
}

pub fn date(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

/// Saves the organisation's settings with the seller's full address, which issuing needs (from a device
/// of its own).
pub async fn set_up_seller(api: &Api, organisation: OrganisationId) {
    let settings = fixtures::settings_with_seller(
        organisation,
        "Acme GmbH",
        fixtures::address("Hauptstraße 1", "10115", "Berlin", "DE"),
    );
    let reply = api
        .push(
            new_client(),
            vec![Command::SaveSettings(settings).to_mutation(1)],
        )
        .await;
    assert_applied(&reply);
}

/// `mail.send` of invoice `invoice` to `to`, under a new mail id.
pub fn send_mail(id: u64, organisation: OrganisationId, invoice: InvoiceId, to: &str) -> Mutation {
    Command::SendMail(SendMail {
        id: new_id(),
        organisation_id: organisation,
        document: MailedDocument {
            kind: MailedKind::Invoice,
            id: invoice.as_uuid(),
        },
        to: to.to_owned(),
        subject: String::new(),
        message: String::new(),
    })
    .to_mutation(id)
}

/// Issues `draft` as invoice `invoice` under the next number of the organisation's series.
pub fn issue_numbered(id: u64, invoice: InvoiceId, draft: &InvoiceDraft) -> Mutation {
    Command::IssueInvoice(IssueInvoice {
        invoice_id: invoice,
        draft: draft.clone(),
        number: NumberSource::Server,
    })
    .to_mutation(id)
}

/// Issues `draft` under a number the device took from its lease.
pub fn issue_leased(
    id: u64,
    invoice: InvoiceId,
    draft: &InvoiceDraft,
    lease: LeaseId,
    number: InvoiceNumber,
) -> Mutation {
    Command::IssueInvoice(IssueInvoice {
        invoice_id: invoice,
        draft: draft.clone(),
        number: NumberSource::Leased {
            lease_id: lease,
            number,
        },
    })
    .to_mutation(id)
}

pub fn take_lease(id: u64, organisation: OrganisationId, lease: LeaseId, count: u64) -> Mutation {
    Command::TakeLease(TakeLease {
        id: lease,
        organisation_id: organisation,
        count,
    })
    .to_mutation(id)
}

pub fn return_lease(id: u64, organisation: OrganisationId, lease: LeaseId) -> Mutation {
    Command::ReturnLease(ReturnLease {
        id: lease,
        organisation_id: organisation,
    })
    .to_mutation(id)
}

/// A bank transfer of `amount` euros from `customer`, allocated oldest due first.
pub fn payment(customer: &Customer, amount: &str, received_on: &str) -> RecordPayment {
    RecordPayment {
        id: new_id(),
        organisation_id: customer.organisation_id,
        customer_id: customer.id,
        amount: Money::parse(amount, customer.currency).unwrap(),
        received_on: date(received_on),
        method: PaymentMethod::BankTransfer,
        reference: "Bank ref 4711".into(),
        instruction: Instruction::OldestDueFirst,
    }
}

pub fn pay(id: u64, payment: &RecordPayment) -> Mutation {
    Command::RecordPayment(payment.clone()).to_mutation(id)
}

pub fn dispute(
    id: u64,
    organisation: OrganisationId,
    invoice: InvoiceId,
    opened_on: &str,
) -> Mutation {
    Command::OpenDispute(OpenDispute {
        id: new_id(),
        organisation_id: organisation,
        invoice_id: invoice,
        opened_on: date(opened_on),
        reason: "The audit took less time".into(),
    })
    .to_mutation(id)
}

/// The customer's `kind` of thread about `invoice` (the price is wrong, they write), as a billing user
/// records one that came by phone.
pub fn open_thread(
    id: u64,
    thread: ThreadId,
    (organisation, customer): (OrganisationId, CustomerId),
    invoice: InvoiceId,
    kind: ThreadKind,
) -> Mutation {
    Command::OpenThread(OpenThread {
        id: thread,
        organisation_id: organisation,
        customer_id: customer,
        invoice_id: Some(invoice),
        kind,
        reason: ThreadReason::WrongAmount,
        lines: vec![1],
        message_id: new_id(),
        message: "The audit took less time than billed.".into(),
        opened_on: date("2026-12-02"),
        written_at_ms: 1_796_169_600_000,
    })
    .to_mutation(id)
}

/// A billing user's answer in `thread`.
pub fn reply_to_thread(
    id: u64,
    organisation: OrganisationId,
    thread: ThreadId,
    body: &str,
) -> Mutation {
    Command::ReplyToThread(ReplyToThread {
        id: new_id(),
        organisation_id: organisation,
        thread_id: thread,
        body: body.to_owned(),
        written_at_ms: 1_796_173_200_000,
    })
    .to_mutation(id)
}

/// Resolves `thread` as rejected, with the reason the customer reads.
pub fn reject_thread(id: u64, organisation: OrganisationId, thread: ThreadId) -> Mutation {
    Command::ResolveThread(ResolveThread {
        id: thread,
        organisation_id: organisation,
        resolved_on: date("2026-12-03"),
        outcome: ThreadOutcome::Rejected,
        credit_note_id: None,
        note: "The hours are in the signed timesheet.".into(),
    })
    .to_mutation(id)
}

/// A credit note for everything of `invoice` not yet credited.
pub fn credit(id: u64, organisation: OrganisationId, invoice: InvoiceId, on: &str) -> Mutation {
    Command::IssueCreditNote(IssueCreditNote {
        credit_note_id: new_id(),
        organisation_id: organisation,
        invoice_id: invoice,
        issue_date: date(on),
        scope: CreditScope::Full,
        note: String::new(),
    })
    .to_mutation(id)
}

/// Asserts that every mutation of a push was applied.
pub fn assert_applied(reply: &PushResponse) {
    for result in &reply.results {
        assert_eq!(
            result.status,
            remit_core::sync::MutationStatus::Applied,
            "{result:?}"
        );
    }
}
