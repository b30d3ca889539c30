//! Randomized convergence: several devices, each running core's real sync engine (`ClientSync`), against
//! the real router and database.
//!
//! Each schedule sets up an organisation with two users and two to four devices. A seeded generator then
//! drives them through local edits (customers, and drafts whose ids the devices share, so that edits
//! conflict), offline periods, pushes of every shape the network can produce (a batch, a duplicated
//! batch, two overlapping batches in flight, a reordered batch, a stale copy of an earlier batch arriving
//! late, a reply lost on its way back), paged pulls, and server restarts that build a new server on the
//! same database. At the end every device comes online and syncs until nothing moves, and every one of
//! [`INVARIANTS`] must hold.
//!
//! `REMIT_CONVERGENCE_SEED` (default: random) and `REMIT_CONVERGENCE_SCHEDULES` (default
//! [`DEFAULT_SCHEDULES`]) choose the run. Schedule `i` of seed `s` is the first schedule of seed `s + i`,
//! so a failure, which names both, replays on its own.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use remit_core::customer::Customer;
use remit_core::document::{InvoiceDraft, compute};
use remit_core::ids::{CustomerId, InvoiceId, OrganisationId};
use remit_core::sync::mutation::DraftRef;
use remit_core::sync::{
    ClientSync, Command, EntityKind, Mutation, MutationStatus, PullResponse, PushRequest,
    PushResponse, Record,
};
use remit_server::auth::Role;
use remit_server::auth::accounts::{self, NewAccount};
use remit_server::http::session::COOKIE_NAME;
use remit_server::http::{AppState, CSRF_HEADER, app};
use remit_server::store::Store;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use tower::ServiceExt;
use uuid::{Builder, Uuid};

use crate::helpers::*;
use crate::on_both_backends;

/// Schedules per backend when `REMIT_CONVERGENCE_SCHEDULES` is not set: a quick run for CI.
const DEFAULT_SCHEDULES: u64 = 20;
/// The most mutations the app sends in one push (`app/src/sync/cycle.rs`).
const MAX_PUSH: usize = 100;
/// Steps of one schedule, before the final sync.
const STEPS: std::ops::RangeInclusive<usize> = 20..=60;

/// Every schedule, whatever its steps, ends with all devices holding the server's records, every
/// mutation processed once with its effect present once, every conflict reported to the device that lost
/// it, and balanced books.
async fn devices_converge_to_the_servers_state(backend: Backend) {
    let seed = env_u64("REMIT_CONVERGENCE_SEED").unwrap_or_else(|| {
        let (_, random) = Uuid::now_v7().as_u64_pair();
        random
    });
    let schedules = env_u64("REMIT_CONVERGENCE_SCHEDULES").unwrap_or(DEFAULT_SCHEDULES);
    println!("convergence: seed={seed} schedules={schedules} backend={backend:?}");
    let db = TestDatabase::new(backend).await;
    let dist = db.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let mut server = Server::start(&db.url, &dist).await;
    let mut totals = Tally::default();
    for index in 0..schedules {
        let context = FailureContext { seed, index };
        let tally = run_schedule(&mut server, &context).await;
        totals.add(&tally);
    }
    println!("convergence: {schedules} schedules converged; {totals:?}");
}
on_both_backends!(devices_converge_to_the_servers_state => devices_converge_to_the_servers_state_sqlite, devices_converge_to_the_servers_state_postgres);

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|e| panic!("{name}={v:?} is not a number: {e}"))
    })
}

/// Names the failing schedule, however the failure happened (a broken invariant, or an unexpected reply
/// in the middle of a schedule), and how to replay it alone.
struct FailureContext {
    seed: u64,
    index: u64,
}

impl FailureContext {
    /// The seed of this schedule's generator.
    fn schedule_seed(&self) -> u64 {
        self.seed.wrapping_add(self.index)
    }
}

impl std::fmt::Display for FailureContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seed={} schedule={}; replay it alone with REMIT_CONVERGENCE_SEED={} \
             REMIT_CONVERGENCE_SCHEDULES=1",
            self.seed,
            self.index,
            self.schedule_seed()
        )
    }
}

impl Drop for FailureContext {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("convergence failed: {self}");
        }
    }
}

/// What the schedules exercised, printed at the end so a run shows it tested something.
#[derive(Debug, Default)]
struct Tally {
    steps: u64,
    mutations: u64,
    conflicts: u64,
    restarts: u64,
    lost_replies: u64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.steps += other.steps;
        self.mutations += other.mutations;
        self.conflicts += other.conflicts;
        self.restarts += other.restarts;
        self.lost_replies += other.lost_replies;
    }
}

/// One schedule: a fresh organisation, random steps, a final sync, then the invariants.
async fn run_schedule(server: &mut Server, context: &FailureContext) -> Tally {
    let mut rng = StdRng::seed_from_u64(context.schedule_seed());
    let mut world = World::set_up(server, &mut rng).await;
    let mut tally = Tally::default();
    for _ in 0..rng.random_range(STEPS) {
        let action = Action::random(&mut rng);
        let device = rng.random_range(0..world.devices.len());
        world.step(server, &mut rng, device, action).await;
        tally.steps += 1;
        tally.restarts += u64::from(matches!(action, Action::RestartServer));
    }
    world.sync_until_quiet(server).await;
    let snapshot = Snapshot::load(server, &world).await;
    for (name, invariant) in INVARIANTS {
        if let Err(broken) = invariant(&world, &snapshot) {
            panic!("convergence failed: {context}\ninvariant broken: {name}: {broken}");
        }
    }
    tally.mutations = world.devices.iter().map(|d| d.recorded.len() as u64).sum();
    tally.conflicts = world.devices.iter().map(|d| d.conflicts.len() as u64).sum();
    tally.lost_replies = world.devices.iter().map(|d| d.lost_replies).sum();
    tally
}

/// The server under test: the real router on the real database, called in process. A restart closes
/// the connection pool and builds a new store and router on the same database, as a new process would.
struct Server {
    url: String,
    dist: PathBuf,
    store: Store,
    router: Router,
}

impl Server {
    async fn start(url: &str, dist: &Path) -> Self {
        let store = Store::connect(url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let router = app(AppState {
            store: store.clone(),
            dist: dist.to_owned(),
        });
        Self {
            url: url.to_owned(),
            dist: dist.to_owned(),
            store,
            router,
        }
    }

    async fn restart(&mut self) {
        self.store.pool().close().await;
        *self = Self::start(&self.url.clone(), &self.dist.clone()).await;
    }

    /// A signed-in request; the reply must be a 200.
    async fn post<T: Serialize, R: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        body: &T,
    ) -> R {
        let request = Request::post(path)
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::COOKIE, format!("{COOKIE_NAME}={token}"))
            .header(CSRF_HEADER, "1")
            .body(Body::from(serde_json::to_vec(body).unwrap()))
            .unwrap();
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(
            status,
            StatusCode::OK,
            "POST {path}: {}",
            String::from_utf8_lossy(&bytes)
        );
        serde_json::from_slice(&bytes).unwrap()
    }

    async fn push(&self, token: &str, request: &PushRequest) -> PushResponse {
        self.post("/api/sync/push", token, request).await
    }

    async fn pull(&self, device: &Device, limit: u32) -> PullResponse {
        let path = format!("/api/sync/pull?limit={limit}");
        self.post(&path, &device.token, &device.sync.pull_request())
            .await
    }
}

/// One step of a schedule. A new kind of local change (issuing an invoice, recording a payment) is a new
/// [`Edit`] and its arm in [`Edit::command`] and [`Device::apply_locally`]; the other steps are how the
/// network, the devices and the server behave, whatever the change.
#[derive(Debug, Clone, Copy)]
enum Action {
    Edit(Edit),
    GoOffline,
    GoOnline,
    Push(PushShape),
    /// One page of a pull, of this many changes.
    Pull(u32),
    RestartServer,
}

#[derive(Debug, Clone, Copy)]
enum Edit {
    NewCustomer,
    RenameCustomer,
    NewDraft,
    ChangeDraft,
    DeleteDraft,
}

/// How a push travels.
#[derive(Debug, Clone, Copy)]
enum PushShape {
    /// The app's push, of at most this many mutations.
    Batch(usize),
    /// The same batch arrives twice; the device reads one of the (identical) replies.
    Duplicated,
    /// Two batches in flight at once, the second starting inside the first; both replies are read, in
    /// either order.
    Overlapping,
    /// The batch's mutations arrive shuffled.
    Reordered,
    /// A copy of one of the device's earlier batches arrives late; nobody reads its reply.
    Stale,
    /// The server processes the batch, and its reply is lost.
    ReplyLost,
}

impl Action {
    fn random(rng: &mut StdRng) -> Self {
        match rng.random_range(0..100) {
            0..=9 => Action::Edit(Edit::NewCustomer),
            10..=14 => Action::Edit(Edit::RenameCustomer),
            15..=24 => Action::Edit(Edit::NewDraft),
            25..=39 => Action::Edit(Edit::ChangeDraft),
            40..=44 => Action::Edit(Edit::DeleteDraft),
            45..=49 => Action::GoOffline,
            50..=54 => Action::GoOnline,
            55..=64 => Action::Push(PushShape::Batch(rng.random_range(1..=4))),
            65..=67 => Action::Push(PushShape::Batch(MAX_PUSH)),
            68..=70 => Action::Push(PushShape::Duplicated),
            71..=73 => Action::Push(PushShape::Overlapping),
            74..=76 => Action::Push(PushShape::Reordered),
            77..=78 => Action::Push(PushShape::Stale),
            79..=82 => Action::Push(PushShape::ReplyLost),
            83..=97 => Action::Pull(rng.random_range(1..=5)),
            _ => Action::RestartServer,
        }
    }
}

impl Edit {
    /// The command this edit makes on `device`, from what the device holds; `None` when it holds nothing
    /// to edit.
    fn command(self, device: &Device, rng: &mut StdRng) -> Option<Command> {
        let organisation = device.organisation;
        match self {
            Edit::NewCustomer => Some(Command::UpsertCustomer(Customer {
                id: CustomerId::try_from(random_id(rng)).unwrap(),
                ..customer(organisation, &format!("Customer {}", rng.random::<u16>()))
            })),
            Edit::RenameCustomer => {
                let mut c = device.customers().choose(rng).copied()?.clone();
                c.name = format!("Renamed {}", rng.random::<u16>());
                Some(Command::UpsertCustomer(c))
            }
            Edit::NewDraft => {
                let c = device.customers().choose(rng).copied()?.clone();
                let mut d = InvoiceDraft {
                    id: InvoiceId::try_from(random_id(rng)).unwrap(),
                    ..draft(&c)
                };
                d.lines.truncate(rng.random_range(1..=2));
                Some(Command::SaveDraft(d))
            }
            Edit::ChangeDraft => {
                let mut d = device.drafts().choose(rng).copied()?.clone();
                d.note = format!("note {}", rng.random::<u16>());
                let quantity = rng.random_range(1..=9).to_string();
                d.lines.push(line("Extra", &quantity, "12.50", "7"));
                if d.lines.len() > 4 {
                    d.lines.remove(0);
                }
                Some(Command::SaveDraft(d))
            }
            Edit::DeleteDraft => {
                let d = device.drafts().choose(rng).copied()?;
                Some(Command::DeleteDraft(DraftRef {
                    id: d.id,
                    organisation_id: d.organisation_id,
                    version: d.version,
                }))
            }
        }
    }
}

/// A UUIDv7 from the schedule's generator, so that a replayed schedule makes the same ids (the order of
/// a device's records, and so its choices, depends on them).
fn random_id(rng: &mut StdRng) -> Uuid {
    let millis = rng.random_range(1_700_000_000_000..1_800_000_000_000);
    Builder::from_unix_timestamp_millis(millis, &rng.random()).into_uuid()
}

/// A device as the app keeps it: the engine's state, the outbox, the records, and what the user was
/// told about refused changes.
struct Device {
    organisation: OrganisationId,
    token: String,
    sync: ClientSync,
    outbox: Vec<Mutation>,
    records: BTreeMap<(EntityKind, Uuid), Record>,
    online: bool,
    /// A batch whose reply this device never read may have been processed: like the app's sync cycle,
    /// the device pushes again before it pulls.
    unanswered: bool,
    /// Every mutation the device recorded, and every batch it sent: what a network can deliver again.
    recorded: Vec<Mutation>,
    sent: Vec<PushRequest>,
    /// Mutation ids the server reported as conflicts, and as rejected.
    conflicts: BTreeSet<u64>,
    rejected: BTreeSet<u64>,
    /// Push replies that never reached the device.
    lost_replies: u64,
}

impl Device {
    /// A device that has never synced, signed in with `token`.
    fn new(organisation: OrganisationId, token: String) -> Self {
        Self {
            organisation,
            token,
            sync: ClientSync::new(new_client()),
            outbox: Vec::new(),
            records: BTreeMap::new(),
            online: true,
            unanswered: false,
            recorded: Vec::new(),
            sent: Vec::new(),
            conflicts: BTreeSet::new(),
            rejected: BTreeSet::new(),
            lost_replies: 0,
        }
    }

    fn customers(&self) -> Vec<&Customer> {
        self.records
            .values()
            .filter_map(|r| match r {
                Record::Customer(c) => Some(c),
                _ => None,
            })
            .collect()
    }

    fn drafts(&self) -> Vec<&InvoiceDraft> {
        self.records
            .values()
            .filter_map(|r| match r {
                Record::InvoiceDraft(d) => Some(d),
                _ => None,
            })
            .collect()
    }

    /// Records a local change: its effect on the records and its mutation in the outbox, at once.
    fn record(&mut self, command: &Command) {
        let mutation = self.sync.record(command);
        self.apply_locally(command);
        self.outbox.push(mutation.clone());
        self.recorded.push(mutation);
    }

    fn apply_locally(&mut self, command: &Command) {
        let key = command.target();
        match command {
            Command::UpsertCustomer(c) => {
                self.records.insert(key, Record::Customer(c.clone()));
            }
            Command::SaveDraft(d) => {
                self.records.insert(key, Record::InvoiceDraft(d.clone()));
            }
            Command::DeleteDraft(_) => {
                self.records.remove(&key);
            }
            other => panic!("the schedules do not generate {}", other.name()),
        }
    }

    /// The app's next push of at most `max` mutations.
    fn batch(&self, max: usize) -> Option<PushRequest> {
        self.sync.push_request(&self.outbox, max)
    }

    /// Reads a push reply as the app does.
    fn take_push(&mut self, sent: &PushRequest, reply: &PushResponse) {
        let outcome = self.sync.on_push(sent, reply);
        self.outbox.retain(|m| !outcome.done.contains(&m.id));
        self.conflicts
            .extend(outcome.conflicts.iter().map(|r| r.id));
        self.rejected.extend(outcome.rejected.iter().map(|r| r.id));
        let last_sent = sent.mutations.iter().map(|m| m.id).max().unwrap_or(0);
        if reply.last_mutation_id <= last_sent {
            self.unanswered = false;
        }
    }

    /// Reads a pull reply as the app does.
    fn take_pull(&mut self, reply: PullResponse) -> bool {
        let plan = self.sync.on_pull(reply, &self.outbox);
        for record in plan.put {
            self.records.insert((record.kind(), record.id()), record);
        }
        for key in &plan.delete {
            self.records.remove(key);
        }
        self.outbox.retain(|m| !plan.done.contains(&m.id));
        plan.more
    }
}

/// One organisation's devices during a schedule.
struct World {
    devices: Vec<Device>,
}

impl World {
    /// An organisation with an owner and a billing user, and two to four devices shared between them,
    /// each signed in with a session of its own.
    async fn set_up(server: &Server, rng: &mut StdRng) -> Self {
        let organisation = format!("Convergence {}", random_id(rng));
        let mut users = Vec::new();
        for role in [Role::Owner, Role::Billing] {
            let email = format!("{}@{}.example", role.as_str(), random_id(rng).simple());
            let account = accounts::add_user(
                &server.store,
                NewAccount {
                    organisation_name: organisation.clone(),
                    time_zone: "Europe/Vienna".into(),
                    currency: "EUR".into(),
                    name: email.clone(),
                    email,
                    password: PASSWORD.into(),
                    role,
                },
            )
            .await
            .expect("add user");
            users.push(account);
        }
        let mut devices = Vec::new();
        for n in 0..rng.random_range(2..=4) {
            let account = users[n % users.len()].clone();
            let organisation = account.organisation.id;
            let signed_in = accounts::sign_in_new(&server.store, account)
                .await
                .expect("session");
            devices.push(Device::new(organisation, signed_in.token));
        }
        Self { devices }
    }

    async fn step(&mut self, server: &mut Server, rng: &mut StdRng, index: usize, action: Action) {
        let device = &mut self.devices[index];
        match action {
            Action::Edit(edit) => {
                // A device with nothing to edit yet makes something to edit.
                let command = [edit, Edit::NewDraft, Edit::NewCustomer]
                    .into_iter()
                    .find_map(|e| e.command(device, rng));
                if let Some(command) = command {
                    device.record(&command);
                }
            }
            Action::GoOffline => device.online = false,
            Action::GoOnline => device.online = true,
            Action::RestartServer => server.restart().await,
            Action::Push(_) | Action::Pull(_) if !device.online => {}
            Action::Push(_) | Action::Pull(_) if device.unanswered => {
                // The app's sync cycle starts over with a push of the whole batch.
                push_batch(server, device, MAX_PUSH).await;
            }
            Action::Push(shape) => push(server, device, rng, shape).await,
            Action::Pull(limit) => {
                let reply = server.pull(device, limit).await;
                device.take_pull(reply);
            }
        }
    }

    /// Every device comes online; each pushes its whole outbox, then each pulls until no page is left.
    async fn sync_until_quiet(&mut self, server: &Server) {
        for device in &mut self.devices {
            device.online = true;
            while let Some(request) = device.batch(MAX_PUSH) {
                let before = device.sync.last_mutation_id;
                let reply = server.push(&device.token, &request).await;
                device.take_push(&request, &reply);
                assert!(
                    device.sync.last_mutation_id > before,
                    "a push of {request:?} made no progress: {reply:?}"
                );
            }
        }
        for device in &mut self.devices {
            while device.take_pull(server.pull(device, DEFAULT_PULL_PAGE).await) {}
        }
    }
}

/// The page size of the final sync: the server's default.
const DEFAULT_PULL_PAGE: u32 = remit_server::sync::pull::DEFAULT_PAGE;

async fn push_batch(server: &Server, device: &mut Device, max: usize) {
    if let Some(request) = device.batch(max) {
        let reply = server.push(&device.token, &request).await;
        device.sent.push(request.clone());
        device.take_push(&request, &reply);
    }
}

async fn push(server: &Server, device: &mut Device, rng: &mut StdRng, shape: PushShape) {
    match shape {
        PushShape::Batch(max) => push_batch(server, device, max).await,
        PushShape::Duplicated => {
            let Some(request) = device.batch(rng.random_range(1..=MAX_PUSH)) else {
                return;
            };
            let first = server.push(&device.token, &request).await;
            let second = server.push(&device.token, &request).await;
            assert_eq!(first, second, "a replayed push is answered the same");
            device.sent.push(request.clone());
            device.take_push(&request, &second);
        }
        PushShape::Overlapping => {
            let Some(whole) = device.batch(MAX_PUSH) else {
                return;
            };
            let n = whole.mutations.len();
            let first_end = rng.random_range(1..=n);
            let second_start = rng.random_range(0..first_end);
            let first = PushRequest {
                mutations: whole.mutations[..first_end].to_vec(),
                ..whole.clone()
            };
            let second = PushRequest {
                mutations: whole.mutations[second_start..].to_vec(),
                ..whole
            };
            let mut batches = [first, second];
            batches.shuffle(rng);
            let mut replies = Vec::new();
            for request in batches {
                let reply = server.push(&device.token, &request).await;
                replies.push((request, reply));
            }
            replies.shuffle(rng);
            for (request, reply) in replies {
                device.sent.push(request.clone());
                device.take_push(&request, &reply);
            }
        }
        PushShape::Reordered => {
            let Some(mut request) = device.batch(MAX_PUSH) else {
                return;
            };
            request.mutations.shuffle(rng);
            let reply = server.push(&device.token, &request).await;
            device.sent.push(request.clone());
            device.take_push(&request, &reply);
        }
        PushShape::Stale => {
            let Some(request) = device.sent.choose(rng).cloned() else {
                return;
            };
            server.push(&device.token, &request).await;
            device.unanswered = true;
        }
        PushShape::ReplyLost => {
            let Some(request) = device.batch(rng.random_range(1..=MAX_PUSH)) else {
                return;
            };
            server.push(&device.token, &request).await;
            device.sent.push(request);
            device.unanswered = true;
            device.lost_replies += 1;
        }
    }
}

/// The server's state of the schedule's organisation, read from its tables, and what a new device gets
/// from a full pull.
struct Snapshot {
    /// The records as the tables hold them.
    records: BTreeMap<(EntityKind, Uuid), Record>,
    /// What a device that never synced before gets by pulling every page.
    pulled: BTreeMap<(EntityKind, Uuid), Record>,
    /// Each stored draft's totals as the server stored them: line net total, tax total, amount due.
    draft_totals: Vec<(InvoiceDraft, [String; 3])>,
    /// The organisation's change numbers, in order, and its clock.
    changes: Vec<u64>,
    clock: u64,
    audit: Vec<AuditRow>,
    /// (client, mutation id, status) of every recorded result.
    results: Vec<(String, u64, String)>,
    /// Each registered client's last processed mutation id.
    clients: BTreeMap<String, u64>,
}

struct AuditRow {
    client_id: String,
    mutation_id: u64,
    status: String,
    change_no: Option<u64>,
    summary: serde_json::Value,
}

impl Snapshot {
    async fn load(server: &Server, world: &World) -> Self {
        let first = &world.devices[0];
        let organisation = first.organisation.to_string();
        let pool = server.store.pool();
        let rows = |sql: &'static str| {
            let organisation = organisation.clone();
            async move {
                sqlx::query(sql)
                    .bind(organisation)
                    .fetch_all(pool)
                    .await
                    .unwrap()
            }
        };
        let int = |row: &sqlx::any::AnyRow, column: &str| -> u64 {
            u64::try_from(row.get::<i64, _>(column)).unwrap()
        };

        let mut records = BTreeMap::new();
        for row in rows("SELECT body FROM customers WHERE organisation_id = $1").await {
            let c: Customer = serde_json::from_str(&row.get::<String, _>("body")).unwrap();
            records.insert((EntityKind::Customer, c.id.as_uuid()), Record::Customer(c));
        }
        let mut draft_totals = Vec::new();
        for row in rows(
            "SELECT body, line_net_total, tax_total, amount_due FROM invoice_drafts \
             WHERE organisation_id = $1",
        )
        .await
        {
            let d: InvoiceDraft = serde_json::from_str(&row.get::<String, _>("body")).unwrap();
            let totals = ["line_net_total", "tax_total", "amount_due"].map(|c| row.get(c));
            records.insert(
                (EntityKind::InvoiceDraft, d.id.as_uuid()),
                Record::InvoiceDraft(d.clone()),
            );
            draft_totals.push((d, totals));
        }
        let changes =
            rows("SELECT change_no FROM changes WHERE organisation_id = $1 ORDER BY change_no")
                .await
                .iter()
                .map(|r| int(r, "change_no"))
                .collect();
        let clock = int(
            &rows("SELECT v FROM org_clock WHERE organisation_id = $1").await[0],
            "v",
        );
        let audit = rows(
            "SELECT client_id, mutation_id, status, change_no, summary FROM audit_log \
             WHERE organisation_id = $1 ORDER BY id",
        )
        .await
        .iter()
        .map(|r| AuditRow {
            client_id: r.get("client_id"),
            mutation_id: int(r, "mutation_id"),
            status: r.get("status"),
            change_no: r
                .get::<Option<i64>, _>("change_no")
                .map(|c| u64::try_from(c).unwrap()),
            summary: serde_json::from_str(&r.get::<String, _>("summary")).unwrap(),
        })
        .collect();
        let results = rows(
            "SELECT client_id, mutation_id, status FROM mutation_results WHERE organisation_id = $1",
        )
        .await
        .iter()
        .map(|r| (r.get("client_id"), int(r, "mutation_id"), r.get("status")))
        .collect();
        let clients =
            rows("SELECT client_id, last_mutation_id FROM sync_clients WHERE organisation_id = $1")
                .await
                .iter()
                .map(|r| (r.get("client_id"), int(r, "last_mutation_id")))
                .collect();

        let mut newcomer = Device::new(first.organisation, first.token.clone());
        while newcomer.take_pull(server.pull(&newcomer, DEFAULT_PULL_PAGE).await) {}

        Self {
            records,
            pulled: newcomer.records,
            draft_totals,
            changes,
            clock,
            audit,
            results,
            clients,
        }
    }
}

/// A property of a schedule's end state; `Err` says what is wrong.
type Invariant = fn(&World, &Snapshot) -> Result<(), String>;

/// Every check run after every schedule. A new kind of record or money movement adds its check here.
const INVARIANTS: &[(&str, Invariant)] = &[
    ("every outbox is empty", outboxes_are_empty),
    (
        "every device holds the server's records",
        devices_hold_the_servers_records,
    ),
    (
        "a full pull gives the server's records",
        a_full_pull_gives_the_servers_records,
    ),
    (
        "every mutation is processed exactly once",
        every_mutation_is_processed_once,
    ),
    (
        "every applied mutation has exactly one change",
        every_applied_mutation_has_one_change,
    ),
    (
        "the audit log replays to the server's records",
        the_audit_log_replays_to_the_records,
    ),
    ("nothing a device created is lost", nothing_created_is_lost),
    (
        "every refusal is reported to the device that sent it",
        refusals_reach_their_device,
    ),
    ("the ledger balances", ledger_balances),
];

fn outboxes_are_empty(world: &World, _: &Snapshot) -> Result<(), String> {
    for (n, device) in world.devices.iter().enumerate() {
        if !device.outbox.is_empty() {
            return Err(format!("device {n} still holds {:?}", device.outbox));
        }
    }
    Ok(())
}

fn devices_hold_the_servers_records(world: &World, server: &Snapshot) -> Result<(), String> {
    for (n, device) in world.devices.iter().enumerate() {
        same_records(&format!("device {n}"), &device.records, &server.records)?;
    }
    Ok(())
}

fn a_full_pull_gives_the_servers_records(_: &World, server: &Snapshot) -> Result<(), String> {
    same_records("a full pull", &server.pulled, &server.records)
}

fn same_records(
    who: &str,
    held: &BTreeMap<(EntityKind, Uuid), Record>,
    server: &BTreeMap<(EntityKind, Uuid), Record>,
) -> Result<(), String> {
    let keys: BTreeSet<_> = held.keys().chain(server.keys()).collect();
    for key in keys {
        let (mine, theirs) = (held.get(key), server.get(key));
        if mine != theirs {
            return Err(format!(
                "{who} holds {mine:?} where the server holds {theirs:?}"
            ));
        }
    }
    Ok(())
}

/// Each device's mutations 1..=n have exactly one recorded result and one audit row each, and the
/// server's progress for the device is n.
fn every_mutation_is_processed_once(world: &World, server: &Snapshot) -> Result<(), String> {
    for (n, device) in world.devices.iter().enumerate() {
        let client = device.sync.client_id.to_string();
        let expected: Vec<u64> = device.recorded.iter().map(|m| m.id).collect();
        let mut results: Vec<u64> = server
            .results
            .iter()
            .filter(|(c, _, _)| *c == client)
            .map(|(_, id, _)| *id)
            .collect();
        results.sort_unstable();
        let mut audited: Vec<u64> = server
            .audit
            .iter()
            .filter(|a| a.client_id == client)
            .map(|a| a.mutation_id)
            .collect();
        audited.sort_unstable();
        let progress = server.clients.get(&client).copied().unwrap_or(0);
        if results != expected || audited != expected || progress != expected.len() as u64 {
            return Err(format!(
                "device {n} recorded {expected:?}; the server has results {results:?}, audit rows \
                 {audited:?} and progress {progress}"
            ));
        }
    }
    Ok(())
}

/// Change numbers run 1..=clock without a gap, and each belongs to exactly one applied mutation; no
/// refused mutation has one.
fn every_applied_mutation_has_one_change(_: &World, server: &Snapshot) -> Result<(), String> {
    let numbered: Vec<u64> = (1..=server.clock).collect();
    if server.changes != numbered {
        return Err(format!(
            "changes {:?} do not run 1..={}",
            server.changes, server.clock
        ));
    }
    let mut audited: Vec<u64> = server.audit.iter().filter_map(|a| a.change_no).collect();
    audited.sort_unstable();
    if audited != numbered {
        return Err(format!(
            "audited change numbers {audited:?} are not the changes 1..={}",
            server.clock
        ));
    }
    match server
        .audit
        .iter()
        .find(|a| a.change_no.is_some() && a.status != "applied")
    {
        Some(a) => Err(format!(
            "{} mutation {} of {} has change {:?}",
            a.status, a.mutation_id, a.client_id, a.change_no
        )),
        None => Ok(()),
    }
}

/// The (entity, id) → draft version (0 for a customer) that the applied audit rows leave, in change
/// order.
fn audited_state(server: &Snapshot) -> BTreeMap<(String, String), u64> {
    let mut applied: Vec<&AuditRow> = server
        .audit
        .iter()
        .filter(|a| a.change_no.is_some())
        .collect();
    applied.sort_by_key(|a| a.change_no);
    let mut state = BTreeMap::new();
    for a in applied {
        let key = (
            a.summary["entity"].as_str().unwrap_or_default().to_owned(),
            a.summary["id"].as_str().unwrap_or_default().to_owned(),
        );
        match a.summary["op"].as_str() {
            Some("put") => {
                state.insert(key, a.summary["version"].as_u64().unwrap_or(0));
            }
            _ => {
                state.remove(&key);
            }
        }
    }
    state
}

fn the_audit_log_replays_to_the_records(_: &World, server: &Snapshot) -> Result<(), String> {
    let stored: BTreeMap<(String, String), u64> = server
        .records
        .values()
        .map(|r| {
            let entity = serde_json::to_value(r.kind()).unwrap();
            let version = match r {
                Record::InvoiceDraft(d) => d.version,
                _ => 0,
            };
            (
                (entity.as_str().unwrap().to_owned(), r.id().to_string()),
                version,
            )
        })
        .collect();
    let audited = audited_state(server);
    if audited != stored {
        return Err(format!(
            "the audit log leaves {audited:?}; the tables hold {stored:?}"
        ));
    }
    Ok(())
}

/// Every record a device created was applied: a new customer or draft cannot conflict, so its creation
/// is in the audit log as applied.
fn nothing_created_is_lost(world: &World, server: &Snapshot) -> Result<(), String> {
    let applied: BTreeSet<String> = server
        .audit
        .iter()
        .filter(|a| a.status == "applied" && a.summary["op"] == "put")
        .filter_map(|a| a.summary["id"].as_str().map(str::to_owned))
        .collect();
    for device in &world.devices {
        for mutation in &device.recorded {
            let created = match Command::decode(mutation) {
                Ok(Command::UpsertCustomer(c)) => Some(c.id.as_uuid()),
                Ok(Command::SaveDraft(d)) if d.version == 0 => Some(d.id.as_uuid()),
                _ => None,
            };
            if let Some(id) = created
                && !applied.contains(&id.to_string())
            {
                return Err(format!("{mutation:?} was never applied"));
            }
        }
    }
    Ok(())
}

/// The conflicts and rejections the server recorded for each device are exactly the ones its pushes
/// reported to it, so its user sees every change that did not make it.
fn refusals_reach_their_device(world: &World, server: &Snapshot) -> Result<(), String> {
    for (n, device) in world.devices.iter().enumerate() {
        let client = device.sync.client_id.to_string();
        let recorded = |status: MutationStatus| -> BTreeSet<u64> {
            let name = serde_json::to_value(status).unwrap();
            server
                .results
                .iter()
                .filter(|(c, _, s)| *c == client && name == s.as_str())
                .map(|(_, id, _)| *id)
                .collect()
        };
        let conflicts = recorded(MutationStatus::Conflict);
        let rejected = recorded(MutationStatus::Rejected);
        if conflicts != device.conflicts || rejected != device.rejected {
            return Err(format!(
                "device {n} was told of conflicts {:?} and rejections {:?}; the server recorded \
                 {conflicts:?} and {rejected:?}",
                device.conflicts, device.rejected
            ));
        }
    }
    Ok(())
}

/// The books balance. Today only drafts carry money: each stored draft's totals are core's totals of its
/// lines. When issued invoices, payments and credit notes sync, their balance (issued − paid − credited =
/// open, per customer) is checked here.
fn ledger_balances(_: &World, server: &Snapshot) -> Result<(), String> {
    for (draft, stored) in &server.draft_totals {
        let totals = compute(draft).map_err(|e| format!("draft {}: {e}", draft.id))?;
        let computed = [totals.line_net_total, totals.tax_total, totals.amount_due]
            .map(|m| m.amount().to_string());
        if *stored != computed {
            return Err(format!(
                "draft {} stores totals {stored:?}; its lines come to {computed:?}",
                draft.id
            ));
        }
    }
    Ok(())
}
