//! Randomized convergence: several devices, each running core's real sync engine (`ClientSync`), against
//! the real router and database.
//!
//! Each schedule sets up an organisation with two users and two to four devices. A seeded generator then
//! drives them through local edits, offline periods, pushes of every shape the network can produce (a batch, a duplicated
//! batch, two overlapping batches in flight, a reordered batch, a stale copy of an earlier batch arriving
//! late, a reply lost on its way back), paged pulls, and server restarts that build a new server on the
//! same database.
//!
//! The edits are what the app's users do: customers, and drafts whose ids the devices share so that edits
//! conflict (with VAT-inclusive prices, line and document allowances, references, prepaid amounts and
//! named terms at random); issuing drafts under the server's next number or, offline, under a number the device leased;
//! voids and credit notes; payments named to invoices (also ones another device voided meanwhile) or to
//! the oldest due first, the same bank line recorded on two devices, refunds, disputes, and settling the
//! exception items that facts raise. The owner's device saves the organisation's settings first.
//!
//! At the end every device comes online and syncs until nothing moves, and every one of
//! [`INVARIANTS`] must hold.
//!
//! Each schedule is generated from one seed. Without settings the test runs the fixed [`CI_SEEDS`], as
//! CI does, and prints them, so a failure in CI fails the same way on any machine.
//! `REMIT_CONVERGENCE_SEED=s` runs seeds `s, s + 1, …`, `REMIT_CONVERGENCE_SCHEDULES` of them (default
//! 1): a failure names its seed and replays alone with it; long runs from other seeds are recorded in
//! BENCHMARKS.md.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use remit_core::customer::Customer;
use remit_core::decide::issuing::{IssueContext, issued_invoice};
use remit_core::document::en16931::PriceBasis;
use remit_core::document::issue::CreditScope;
use remit_core::document::issued::{
    CreditNote, Invoice, IssueCreditNote, IssueInvoice, NumberSource, VoidInvoice, Voided,
};
use remit_core::document::parts::{Adjustment, DocumentAdjustment};
use remit_core::document::{InvoiceDraft, compute};
use remit_core::fixtures;
use remit_core::gateway::RefundRefused;
use remit_core::ids::{
    CreditNoteId, CustomerId, DisputeId, InvoiceId, LeaseId, MailId, OrganisationId, PaymentId,
    RefundId, ThreadId, ThreadMessageId, UserId,
};
use remit_core::mail::{MailedDocument, MailedKind, SendMail};
use remit_core::money::{Currency, Money};
use remit_core::numbering::NumberUse;
use remit_core::numbering::lease::{NumberLease, ReturnLease, TakeLease};
use remit_core::numbering::report::SequenceReport;
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::dispute::{Dispute, DisputeOutcome, OpenDispute, ResolveDispute};
use remit_core::receivables::events::{self, AccountEvent};
use remit_core::receivables::exception::{
    ExceptionItem, ExceptionKind, ExceptionResolution, Remedy, ResolveException,
};
use remit_core::receivables::payment::{Payment, RecordPayment, RefundPayment};
use remit_core::receivables::thread::{
    OpenThread, ReplyToThread, ResolveThread, Thread, ThreadKind, ThreadOutcome, ThreadReason,
};
use remit_core::sync::mutation::DraftRef;
use remit_core::sync::{
    ClientSync, Command, EntityKind, MAX_PUSH, Mutation, MutationStatus, PullResponse, PushRequest,
    PushResponse, Record,
};
use remit_server::auth::Role;
use remit_server::auth::accounts::{self, NewAccount};
use remit_server::clock::{Clock, ManualClock};
use remit_server::http::session::COOKIE_NAME;
use remit_server::http::{AppState, CSRF_HEADER, app};
use remit_server::store::ledger::SnapshotCheck;
use remit_server::store::{Store, ledger, sequences};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sqlx::Row;
use tower::ServiceExt;
use uuid::{Builder, Uuid};

use crate::helpers::*;
use crate::on_both_backends;

/// The schedules CI runs on each backend, the same on every run.
const CI_SEEDS: [u64; 20] = [
    20261122, 20261123, 20261124, 20261125, 20261126, 20261127, 20261128, 20261129, 20261130,
    20261131, 20261132, 20261133, 20261134, 20261135, 20261136, 20261137, 20261138, 20261139,
    20261140, 20261141,
];
/// Steps of one schedule, before the final sync.
const STEPS: std::ops::RangeInclusive<usize> = 40..=100;

/// Every schedule, whatever its steps, ends with all devices holding the server's records, every
/// mutation processed once with its effect present once, every conflict reported to the device that lost
/// it, and balanced books.
async fn devices_converge_to_the_servers_state(backend: Backend) {
    let seeds = schedule_seeds();
    println!("convergence: backend={backend:?} seeds={seeds:?}");
    let db = TestDatabase::new(backend).await;
    let dist = db.dir.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    let clock = ManualClock::new(Clock::system().now_ms());
    let mut server = Server::start(&db.url, &dist, clock.into()).await;
    let mut totals = Tally::default();
    for (index, &seed) in seeds.iter().enumerate() {
        let context = FailureContext { seed, index };
        let tally = run_schedule(&mut server, &context).await;
        totals.add(&tally);
    }
    println!(
        "convergence: {} schedules converged; {totals:?}",
        seeds.len()
    );
}
on_both_backends!(devices_converge_to_the_servers_state => devices_converge_to_the_servers_state_sqlite, devices_converge_to_the_servers_state_postgres);

/// The seeds of this run: [`CI_SEEDS`], or the ones the environment asks for.
fn schedule_seeds() -> Vec<u64> {
    let schedules = env_u64("REMIT_CONVERGENCE_SCHEDULES");
    match env_u64("REMIT_CONVERGENCE_SEED") {
        Some(first) => (0..schedules.unwrap_or(1))
            .map(|i| first.wrapping_add(i))
            .collect(),
        None => {
            assert!(
                schedules.is_none(),
                "REMIT_CONVERGENCE_SCHEDULES counts seeds from REMIT_CONVERGENCE_SEED: set that too"
            );
            CI_SEEDS.to_vec()
        }
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|e| panic!("{name}={v:?} is not a number: {e}"))
    })
}

/// Names the failing schedule, however the failure happened (a broken invariant, or an unexpected reply
/// in the middle of a schedule), and how to replay it alone.
struct FailureContext {
    /// The seed of this schedule's generator.
    seed: u64,
    /// Its place in this run.
    index: usize,
}

impl std::fmt::Display for FailureContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seed={} (schedule {} of this run); replay it alone with REMIT_CONVERGENCE_SEED={}",
            self.seed, self.index, self.seed
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
    rejected: u64,
    restarts: u64,
    lost_replies: u64,
    /// Invoices on the server, and how many of them carry a leased number.
    issues: u64,
    leased: u64,
    voids: u64,
    credit_notes: u64,
    payments: u64,
    refunds: u64,
    disputes: u64,
    exceptions: u64,
    /// Exception items of refunds a gateway refused.
    refused_refunds: u64,
    mails: u64,
    /// Mails of payments' receipts.
    receipts: u64,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.steps += other.steps;
        self.mutations += other.mutations;
        self.conflicts += other.conflicts;
        self.rejected += other.rejected;
        self.restarts += other.restarts;
        self.lost_replies += other.lost_replies;
        self.issues += other.issues;
        self.leased += other.leased;
        self.voids += other.voids;
        self.credit_notes += other.credit_notes;
        self.payments += other.payments;
        self.refunds += other.refunds;
        self.disputes += other.disputes;
        self.exceptions += other.exceptions;
        self.refused_refunds += other.refused_refunds;
        self.mails += other.mails;
        self.receipts += other.receipts;
    }

    /// Counts what the server holds at the end of a schedule.
    fn count_records(&mut self, server: &Snapshot) {
        for record in server.records.values() {
            match record {
                Record::Invoice(i) => {
                    self.issues += 1;
                    self.leased += u64::from(i.lease_id.is_some());
                    self.voids += u64::from(i.voided.is_some());
                }
                Record::CreditNote(_) => self.credit_notes += 1,
                Record::Payment(_) => self.payments += 1,
                Record::Refund(_) => self.refunds += 1,
                Record::Dispute(_) => self.disputes += 1,
                Record::Exception(e) => {
                    self.exceptions += 1;
                    self.refused_refunds += u64::from(matches!(
                        e.kind,
                        ExceptionKind::RefundRefusedByGateway { .. }
                    ));
                }
                Record::Mail(m) => {
                    self.mails += 1;
                    self.receipts += u64::from(m.document.kind == MailedKind::Receipt);
                }
                _ => {}
            }
        }
    }
}

/// One schedule: a fresh organisation, random steps, a final sync, then the invariants.
async fn run_schedule(server: &mut Server, context: &FailureContext) -> Tally {
    let mut rng = StdRng::seed_from_u64(context.seed);
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
    tally.rejected = world.devices.iter().map(|d| d.rejected.len() as u64).sum();
    tally.count_records(&snapshot);
    tally.lost_replies = world.devices.iter().map(|d| d.lost_replies).sum();
    tally
}

/// The server under test: the real router on the real database, called in process, on a clock that
/// stands still. A restart closes the connection pool and builds a new store and router on the same
/// database, as a new process would.
struct Server {
    url: String,
    dist: PathBuf,
    store: Store,
    clock: Clock,
    router: Router,
}

impl Server {
    async fn start(url: &str, dist: &Path, clock: Clock) -> Self {
        let store = Store::connect(url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let router = app(AppState {
            store: store.clone(),
            clock: clock.clone(),
            dist: dist.to_owned(),
            portal: Default::default(),
            gateways: Default::default(),
        });
        Self {
            url: url.to_owned(),
            dist: dist.to_owned(),
            store,
            clock,
            router,
        }
    }

    async fn restart(&mut self) {
        self.store.pool().close().await;
        *self = Self::start(&self.url.clone(), &self.dist.clone(), self.clock.clone()).await;
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
        let reply: PullResponse = self
            .post(&path, &device.token, &device.sync.pull_request())
            .await;
        // Every page says how far the pull runs, and never less than what it served.
        let head = reply
            .head
            .expect("a pull page says the organisation's newest change");
        assert!(
            head >= reply.cookie.0,
            "head {head} behind cookie {:?}",
            reply.cookie
        );
        reply
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
    /// Leases a block of the device's own series, to issue offline.
    TakeLease,
    /// Hands back what is left of the device's lease.
    ReturnLease,
    IssueWithServerNumber,
    /// Issues under the next number of the device's lease (taking a lease first when it has none).
    IssueWithLeasedNumber,
    Void,
    CreditNote,
    /// A payment whose remittance advice names one or two invoices of a customer, voided or not.
    PayNamed,
    PayOldestDueFirst,
    /// A bank line that a device (maybe another one) recorded, recorded again: the same statement
    /// imported twice.
    RecordSamePayment,
    Refund,
    OpenDispute,
    ResolveDispute,
    ResolveException,
    /// Sends an invoice the device holds by mail (a voided one is refused).
    SendMail,
    /// Records a customer's question or dispute about an invoice it holds (a dispute of a voided one
    /// is refused).
    OpenThread,
    /// Answers a thread it holds, resolved or not.
    ReplyToThread,
    /// Resolves an open thread: a dispute by a credit note of its invoice when the device holds one.
    ResolveThread,
    /// Reports that the gateway refused a refund the device holds (as the system client does when a
    /// gateway refuses one Remit sent), maybe a second time.
    RefuseRefund,
    /// Mails a payment's receipt, with the default wording.
    MailReceipt,
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
        match rng.random_range(0..104) {
            0..=3 => Action::Edit(Edit::NewCustomer),
            4..=5 => Action::Edit(Edit::RenameCustomer),
            6..=11 => Action::Edit(Edit::NewDraft),
            12..=16 => Action::Edit(Edit::ChangeDraft),
            17 => Action::Edit(Edit::DeleteDraft),
            18..=19 => Action::Edit(Edit::TakeLease),
            20 => Action::Edit(Edit::ReturnLease),
            21..=25 => Action::Edit(Edit::IssueWithServerNumber),
            26..=30 => Action::Edit(Edit::IssueWithLeasedNumber),
            31..=34 => Action::Edit(Edit::Void),
            35..=36 => Action::Edit(Edit::CreditNote),
            37..=39 => Action::Edit(Edit::PayNamed),
            40 => Action::Edit(Edit::PayOldestDueFirst),
            41..=42 => Action::Edit(Edit::RecordSamePayment),
            43..=44 => Action::Edit(Edit::Refund),
            45..=46 => Action::Edit(Edit::OpenDispute),
            47 => Action::Edit(Edit::ResolveDispute),
            48 => Action::Edit(Edit::SendMail),
            49 => Action::Edit(Edit::ResolveException),
            50..=54 => Action::GoOffline,
            55..=59 => Action::GoOnline,
            60..=67 => Action::Push(PushShape::Batch(rng.random_range(1..=4))),
            68..=69 => Action::Push(PushShape::Batch(MAX_PUSH)),
            70..=71 => Action::Push(PushShape::Duplicated),
            72..=73 => Action::Push(PushShape::Overlapping),
            74..=75 => Action::Push(PushShape::Reordered),
            76..=77 => Action::Push(PushShape::Stale),
            78..=81 => Action::Push(PushShape::ReplyLost),
            82..=94 => Action::Pull(rng.random_range(1..=5)),
            95 => Action::Edit(Edit::OpenThread),
            96 => Action::Edit(Edit::ReplyToThread),
            97 => Action::Edit(Edit::ResolveThread),
            98..=99 => Action::Edit(Edit::RefuseRefund),
            100..=101 => Action::Edit(Edit::MailReceipt),
            _ => Action::RestartServer,
        }
    }
}

/// The days of what follows an issue: every draft is dated 2026-11-23 ([`draft`]), and these come
/// later, so that no date rule refuses them.
const VOIDED_ON: &str = "2026-11-24";
const CREDITED_ON: &str = "2026-11-25";
const RECEIVED_ON: &str = "2026-11-26";
const REFUNDED_ON: &str = "2026-11-27";
const DISPUTED_ON: &str = "2026-11-27";
const RESOLVED_ON: &str = "2026-11-28";

fn day(text: &str) -> NaiveDate {
    text.parse().unwrap()
}

fn eur() -> Currency {
    Currency::parse("EUR").unwrap()
}

/// An amount between 1.00 and 30.00 EUR.
fn amount(rng: &mut StdRng) -> Money {
    Money::exact(Decimal::new(rng.random_range(100..=3000), 2), eur()).unwrap()
}

impl Edit {
    /// The command this edit makes on `device`, from what the device holds and the bank lines recorded
    /// so far; `None` when it holds nothing to edit.
    fn command(self, device: &Device, bank: &[RecordPayment], rng: &mut StdRng) -> Option<Command> {
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
                d.lines.push(fixtures::line(
                    "Extra",
                    quantity.parse().unwrap(),
                    dec!(12.50),
                    dec!(7),
                ));
                if d.lines.len() > 4 {
                    d.lines.remove(0);
                }
                document_fields(&mut d, rng);
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
            Edit::TakeLease => {
                let asked = device.outbox.iter().any(|m| m.name == Command::TAKE_LEASE);
                if asked || device.lease_with_room().is_some() {
                    return None;
                }
                Some(Command::TakeLease(TakeLease {
                    id: LeaseId::try_from(random_id(rng)).unwrap(),
                    organisation_id: organisation,
                    count: rng.random_range(2..=6),
                }))
            }
            Edit::ReturnLease => {
                let (lease, _) = device.lease_with_room()?;
                Some(Command::ReturnLease(ReturnLease {
                    id: lease.id,
                    organisation_id: organisation,
                }))
            }
            Edit::IssueWithServerNumber => {
                let d = device.drafts().choose(rng).copied()?.clone();
                Some(Command::IssueInvoice(IssueInvoice {
                    invoice_id: InvoiceId::try_from(random_id(rng)).unwrap(),
                    draft: d,
                    number: NumberSource::Server,
                }))
            }
            Edit::IssueWithLeasedNumber => {
                let Some((lease, next)) = device.lease_with_room() else {
                    return Edit::TakeLease.command(device, bank, rng);
                };
                let d = device.drafts().choose(rng).copied()?.clone();
                Some(Command::IssueInvoice(IssueInvoice {
                    invoice_id: InvoiceId::try_from(random_id(rng)).unwrap(),
                    draft: d,
                    number: NumberSource::Leased {
                        lease_id: lease.id,
                        number: lease.series.format(NaiveDate::MIN, next).unwrap(),
                    },
                }))
            }
            Edit::Void => {
                let credited: BTreeSet<InvoiceId> =
                    device.credit_notes().iter().map(|c| c.invoice_id).collect();
                let open: Vec<&Invoice> = device
                    .invoices()
                    .into_iter()
                    .filter(|i| i.voided.is_none() && !credited.contains(&i.id))
                    .collect();
                let invoice = open.choose(rng)?;
                Some(Command::VoidInvoice(VoidInvoice {
                    invoice_id: invoice.id,
                    organisation_id: organisation,
                    on: day(VOIDED_ON),
                    reason: format!("Void {}", rng.random::<u16>()),
                }))
            }
            Edit::CreditNote => {
                let open: Vec<&Invoice> = device
                    .invoices()
                    .into_iter()
                    .filter(|i| i.voided.is_none())
                    .collect();
                let invoice = open.choose(rng)?;
                let scope = if rng.random_bool(0.3) {
                    CreditScope::Full
                } else {
                    CreditScope::Lines(vec![(0, Decimal::new(5, 1))])
                };
                Some(Command::IssueCreditNote(IssueCreditNote {
                    credit_note_id: CreditNoteId::try_from(random_id(rng)).unwrap(),
                    organisation_id: organisation,
                    invoice_id: invoice.id,
                    issue_date: day(CREDITED_ON),
                    scope,
                    note: String::new(),
                }))
            }
            Edit::PayNamed => {
                let invoices = device.invoices();
                let first = invoices.choose(rng)?;
                let mut named = vec![first.id];
                let others: Vec<&&Invoice> = invoices
                    .iter()
                    .filter(|i| i.customer_id == first.customer_id && i.id != first.id)
                    .collect();
                if let Some(second) = others.choose(rng) {
                    named.push(second.id);
                }
                let customer = first.customer_id;
                Some(payment(device, rng, customer, Instruction::Named(named)))
            }
            Edit::PayOldestDueFirst => {
                let customer = device.customers().choose(rng)?.id;
                Some(payment(device, rng, customer, Instruction::OldestDueFirst))
            }
            Edit::RecordSamePayment => Some(Command::RecordPayment(bank.choose(rng)?.clone())),
            Edit::Refund => {
                let paid = device.payments().choose(rng).copied()?.received.clone();
                Some(Command::RefundPayment(RefundPayment {
                    id: RefundId::try_from(random_id(rng)).unwrap(),
                    organisation_id: organisation,
                    customer_id: paid.customer_id,
                    payment_id: rng.random_bool(0.7).then_some(paid.id),
                    amount: amount(rng),
                    paid_on: day(REFUNDED_ON),
                    method: PaymentMethod::BankTransfer,
                    reference: String::new(),
                    gateway_refund: None,
                }))
            }
            Edit::OpenDispute => {
                let invoice = device.invoices().choose(rng).copied()?;
                Some(Command::OpenDispute(OpenDispute {
                    id: DisputeId::try_from(random_id(rng)).unwrap(),
                    organisation_id: organisation,
                    invoice_id: invoice.id,
                    opened_on: day(DISPUTED_ON),
                    reason: format!("Disputed {}", rng.random::<u16>()),
                }))
            }
            Edit::ResolveDispute => {
                let open: Vec<&Dispute> = device
                    .disputes()
                    .into_iter()
                    .filter(|d| d.is_open())
                    .collect();
                let dispute = open.choose(rng)?;
                let outcomes = [
                    DisputeOutcome::Upheld,
                    DisputeOutcome::Rejected,
                    DisputeOutcome::Withdrawn,
                ];
                Some(Command::ResolveDispute(ResolveDispute {
                    id: dispute.opened.id,
                    organisation_id: organisation,
                    resolved_on: day(RESOLVED_ON),
                    outcome: *outcomes.choose(rng)?,
                    note: format!("Resolved {}", rng.random::<u16>()),
                }))
            }
            Edit::ResolveException => {
                let open: Vec<&ExceptionItem> = device
                    .exceptions()
                    .into_iter()
                    .filter(|e| e.resolution.is_none())
                    .collect();
                let item = open.choose(rng)?;
                let remedies = [Remedy::Accepted, Remedy::CustomerCredit, Remedy::CreditNote];
                Some(Command::ResolveException(ResolveException {
                    id: item.id,
                    organisation_id: organisation,
                    remedy: *remedies.choose(rng)?,
                    note: format!("Settled {}", rng.random::<u16>()),
                }))
            }
            Edit::SendMail => {
                let invoice = device.invoices().choose(rng).copied()?;
                Some(Command::SendMail(SendMail {
                    id: MailId::try_from(random_id(rng)).unwrap(),
                    organisation_id: organisation,
                    document: MailedDocument {
                        kind: MailedKind::Invoice,
                        id: invoice.id.as_uuid(),
                    },
                    to: format!("ap{}@customer.example", rng.random::<u16>()),
                    subject: String::new(),
                    message: format!("Invoice {}", invoice.number()),
                }))
            }
            Edit::OpenThread => {
                let invoice = device.invoices().choose(rng).copied()?;
                let lines = invoice.snapshot.document.lines.len() as u32;
                Some(Command::OpenThread(OpenThread {
                    id: ThreadId::try_from(random_id(rng)).unwrap(),
                    organisation_id: organisation,
                    customer_id: invoice.customer_id,
                    invoice_id: Some(invoice.id),
                    kind: *ThreadKind::ALL.choose(rng)?,
                    reason: *ThreadReason::ALL.choose(rng)?,
                    lines: if rng.random_bool(0.5) {
                        vec![rng.random_range(1..=lines)]
                    } else {
                        Vec::new()
                    },
                    message_id: ThreadMessageId::try_from(random_id(rng)).unwrap(),
                    message: format!("Asked {}", rng.random::<u16>()),
                    opened_on: day(DISPUTED_ON),
                    written_at_ms: rng.random_range(0..1_000_000),
                }))
            }
            Edit::ReplyToThread => {
                let thread = device.threads().choose(rng).copied()?;
                Some(Command::ReplyToThread(ReplyToThread {
                    id: ThreadMessageId::try_from(random_id(rng)).unwrap(),
                    organisation_id: organisation,
                    thread_id: thread.id,
                    body: format!("Answered {}", rng.random::<u16>()),
                    written_at_ms: rng.random_range(0..1_000_000),
                }))
            }
            Edit::ResolveThread => {
                let open: Vec<&Thread> = device
                    .threads()
                    .into_iter()
                    .filter(|t| !t.is_resolved())
                    .collect();
                let thread = open.choose(rng)?;
                let credit = device
                    .credit_notes()
                    .into_iter()
                    .find(|c| Some(c.invoice_id) == thread.invoice_id);
                let (outcome, credit_note_id) = match (credit, thread.kind) {
                    (Some(credit), _) if rng.random_bool(0.5) => {
                        (ThreadOutcome::Credited, Some(credit.id))
                    }
                    (_, ThreadKind::Inquiry) if rng.random_bool(0.5) => {
                        (ThreadOutcome::Answered, None)
                    }
                    _ => (ThreadOutcome::Rejected, None),
                };
                Some(Command::ResolveThread(ResolveThread {
                    id: thread.id,
                    organisation_id: organisation,
                    resolved_on: day(RESOLVED_ON),
                    outcome,
                    credit_note_id,
                    note: format!("Resolved {}", rng.random::<u16>()),
                }))
            }
            Edit::MailReceipt => {
                let payment = device.payments().choose(rng).copied()?;
                Some(Command::SendMail(SendMail {
                    id: MailId::try_from(random_id(rng)).unwrap(),
                    organisation_id: organisation,
                    document: MailedDocument {
                        kind: MailedKind::Receipt,
                        id: payment.received.id.as_uuid(),
                    },
                    to: format!("ap{}@customer.example", rng.random::<u16>()),
                    subject: String::new(),
                    message: String::new(),
                }))
            }
            Edit::RefuseRefund => {
                let refund = device.refunds().choose(rng).copied()?;
                Some(Command::RefundRefused(RefundRefused {
                    organisation_id: organisation,
                    refund_id: refund.id,
                    reason: format!("card_declined {}", rng.random::<u16>()),
                }))
            }
        }
    }
}

impl Edit {
    /// What a device does instead when it holds nothing this edit needs (before making a draft or a
    /// customer): what makes the thing it needs.
    fn instead(self) -> &'static [Edit] {
        match self {
            Edit::Void
            | Edit::CreditNote
            | Edit::PayNamed
            | Edit::OpenDispute
            | Edit::SendMail
            | Edit::OpenThread => &[Edit::IssueWithLeasedNumber, Edit::IssueWithServerNumber],
            Edit::RecordSamePayment | Edit::Refund | Edit::ResolveException | Edit::MailReceipt => {
                &[Edit::PayNamed, Edit::PayOldestDueFirst]
            }
            Edit::ResolveDispute => &[Edit::OpenDispute],
            Edit::ReplyToThread | Edit::ResolveThread => &[Edit::OpenThread],
            Edit::RefuseRefund => &[Edit::Refund, Edit::PayNamed, Edit::PayOldestDueFirst],
            _ => &[],
        }
    }
}

/// Money received from `customer`, by bank transfer.
/// Some of the document's fields beyond its lines, at random: VAT-inclusive prices, a line allowance, a
/// document allowance in the first line's VAT, the buyer's references, a prepaid amount, 2/10 net 30.
fn document_fields(d: &mut InvoiceDraft, rng: &mut StdRng) {
    if rng.random_bool(0.3) {
        d.price_basis = PriceBasis::Gross;
    }
    if rng.random_bool(0.3) {
        d.lines[0].allowances = vec![Adjustment {
            percent: Some(dec!(5)),
            reason: "Loyalty".into(),
            ..Adjustment::default()
        }];
    }
    if rng.random_bool(0.3) {
        let first = &d.lines[0];
        d.allowances = vec![DocumentAdjustment {
            adjustment: Adjustment {
                percent: Some(dec!(3)),
                reason: "Volume discount".into(),
                ..Adjustment::default()
            },
            tax_category: first.tax_category,
            tax_rate: first.tax_rate,
        }];
    }
    if rng.random_bool(0.3) {
        d.buyer_reference = format!("Dept {}", rng.random_range(1..99));
        d.purchase_order = format!("PO-{}", rng.random::<u16>());
        d.prepaid = dec!(1.00);
        d.terms = Some(
            serde_json::from_value(serde_json::json!({
                "instalments": [{ "percent": "100", "terms": { "kind": "net", "days": 30 } }],
                "discount": { "percent": "2", "days": 10, "vat": "reduces_vat" },
            }))
            .unwrap(),
        );
    }
}

fn payment(
    device: &Device,
    rng: &mut StdRng,
    customer: CustomerId,
    instruction: Instruction,
) -> Command {
    Command::RecordPayment(RecordPayment {
        id: PaymentId::try_from(random_id(rng)).unwrap(),
        organisation_id: device.organisation,
        customer_id: customer,
        amount: amount(rng),
        received_on: day(RECEIVED_ON),
        method: PaymentMethod::BankTransfer,
        reference: format!("RF{}", rng.random::<u32>()),
        instruction,
    })
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
    /// The signed-in user, who resolves exception items on this device.
    user: UserId,
    token: String,
    sync: ClientSync,
    outbox: Vec<Mutation>,
    records: BTreeMap<(EntityKind, Uuid), Record>,
    online: bool,
    /// A batch whose reply this device never read may have been processed: like the app's sync cycle,
    /// the device pushes again before it pulls.
    unanswered: bool,
    /// The last pull page said more wait. A pull that starts over (after a refusal, or to take again
    /// changes it passed over) brings older states of records before their current ones, so until it
    /// ends the device may hold a lease as it was before it was handed back: the app issues under a
    /// leased number only after a whole pull.
    mid_pull: bool,
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
    fn new(organisation: OrganisationId, user: UserId, token: String) -> Self {
        Self {
            organisation,
            user,
            token,
            sync: ClientSync::new(new_client()),
            outbox: Vec::new(),
            records: BTreeMap::new(),
            online: true,
            unanswered: false,
            mid_pull: false,
            recorded: Vec::new(),
            sent: Vec::new(),
            conflicts: BTreeSet::new(),
            rejected: BTreeSet::new(),
            lost_replies: 0,
        }
    }

    /// The records of one kind that this device holds.
    fn held<T>(&self, pick: impl Fn(&Record) -> Option<&T>) -> Vec<&T> {
        self.records.values().filter_map(pick).collect()
    }

    fn customers(&self) -> Vec<&Customer> {
        self.held(|r| match r {
            Record::Customer(c) => Some(c),
            _ => None,
        })
    }

    fn drafts(&self) -> Vec<&InvoiceDraft> {
        self.held(|r| match r {
            Record::InvoiceDraft(d) => Some(&**d),
            _ => None,
        })
    }

    fn invoices(&self) -> Vec<&Invoice> {
        self.held(|r| match r {
            Record::Invoice(i) => Some(&**i),
            _ => None,
        })
    }

    fn credit_notes(&self) -> Vec<&CreditNote> {
        self.held(|r| match r {
            Record::CreditNote(c) => Some(&**c),
            _ => None,
        })
    }

    fn payments(&self) -> Vec<&Payment> {
        self.held(|r| match r {
            Record::Payment(p) => Some(p),
            _ => None,
        })
    }

    fn refunds(&self) -> Vec<&RefundPayment> {
        self.held(|r| match r {
            Record::Refund(r) => Some(r),
            _ => None,
        })
    }

    fn disputes(&self) -> Vec<&Dispute> {
        self.held(|r| match r {
            Record::Dispute(d) => Some(d),
            _ => None,
        })
    }

    fn threads(&self) -> Vec<&Thread> {
        self.held(|r| match r {
            Record::Thread(t) => Some(&**t),
            _ => None,
        })
    }

    fn exceptions(&self) -> Vec<&ExceptionItem> {
        self.held(|r| match r {
            Record::Exception(e) => Some(e),
            _ => None,
        })
    }

    /// The highest number of `lease` this device has issued (0 when none).
    fn highest_used(&self, lease: &NumberLease) -> u64 {
        self.invoices()
            .iter()
            .filter(|i| i.lease_id == Some(lease.id))
            .map(|i| i.place.position)
            .max()
            .unwrap_or(0)
    }

    /// This device's first lease with a number left, and that number: a device issues from its lease in
    /// order, and not in the middle of a pull ([`Device::mid_pull`]).
    fn lease_with_room(&self) -> Option<(NumberLease, u64)> {
        if self.mid_pull {
            return None;
        }
        let mut mine: Vec<&NumberLease> = self
            .held(|r| match r {
                Record::NumberLease(l) => Some(l),
                _ => None,
            })
            .into_iter()
            .filter(|l| l.client_id == self.sync.client_id)
            .collect();
        mine.sort_by_key(|l| l.first);
        mine.into_iter().find_map(|lease| {
            let end = lease.returned_from.map_or(lease.last, |r| r - 1);
            let next = self.highest_used(lease).max(lease.first - 1) + 1;
            (next <= end).then(|| (lease.clone(), next))
        })
    }

    /// The invoice a device holds once it issued `issue` offline: core's decision on what the device
    /// knows. A server number is not known until the server issues it, so that invoice arrives by pull.
    fn issued_offline(&self, issue: &IssueInvoice) -> Option<Invoice> {
        let NumberSource::Leased { lease_id, .. } = &issue.number else {
            return None;
        };
        let lease = match self
            .records
            .get(&(EntityKind::NumberLease, lease_id.as_uuid()))?
        {
            Record::NumberLease(l) => l,
            _ => return None,
        };
        let settings = match self
            .records
            .get(&(EntityKind::Settings, self.organisation.as_uuid()))?
        {
            Record::Settings(s) => s,
            _ => return None,
        };
        let customer = match self
            .records
            .get(&(EntityKind::Customer, issue.draft.customer_id.as_uuid()))?
        {
            Record::Customer(c) => c,
            _ => return None,
        };
        let context = IssueContext {
            settings,
            customer,
            client: self.sync.client_id,
            draft_head: None,
            issued_from_draft: Vec::new(),
            last_in_sequence: None,
            lease: Some(lease),
            number_taken: false,
        };
        issued_invoice(issue, &context)
            .ok()
            .map(|issued| issued.invoice)
    }

    /// Records a local change: its effect on the records and its mutation in the outbox, at once.
    fn record(&mut self, command: &Command) {
        let mutation = self.sync.record(command);
        self.apply_locally(command);
        self.outbox.push(mutation.clone());
        self.recorded.push(mutation);
    }

    /// What the app shows at once. What only the server can decide (a lease's numbers, a server number,
    /// a credit note's number, a payment's allocation) arrives by pull.
    fn apply_locally(&mut self, command: &Command) {
        let key = command.target();
        match command {
            Command::UpsertCustomer(c) => {
                self.records.insert(key, Record::Customer(c.clone()));
            }
            Command::SaveDraft(d) => {
                self.records
                    .insert(key, Record::InvoiceDraft(Box::new(d.clone())));
            }
            Command::DeleteDraft(_) => {
                self.records.remove(&key);
            }
            Command::UpsertItem(i) => {
                self.records.insert(key, Record::Item(i.clone()));
            }
            Command::SaveSettings(s) => {
                self.records
                    .insert(key, Record::Settings(Box::new(s.clone())));
            }
            Command::TakeLease(_)
            | Command::IssueCreditNote(_)
            | Command::RecordPayment(_)
            | Command::SendMail(_)
            | Command::OpenThread(_)
            | Command::ReplyToThread(_)
            | Command::ResolveThread(_)
            | Command::RefundRefused(_) => {}
            Command::ReturnLease(_) => {
                if let Some(Record::NumberLease(lease)) = self.records.get(&key) {
                    let returned = lease.hand_back(self.highest_used(lease));
                    self.records.insert(key, Record::NumberLease(returned));
                }
            }
            Command::IssueInvoice(issue) => {
                self.records
                    .remove(&(EntityKind::InvoiceDraft, issue.draft.id.as_uuid()));
                if let Some(invoice) = self.issued_offline(issue) {
                    self.records.insert(key, Record::Invoice(Box::new(invoice)));
                }
            }
            Command::VoidInvoice(void) => {
                if let Some(Record::Invoice(invoice)) = self.records.get_mut(&key) {
                    invoice.voided = Some(Voided {
                        on: void.on,
                        reason: void.reason.trim().to_owned(),
                    });
                }
            }
            Command::RefundPayment(refund) => {
                self.records.insert(key, Record::Refund(refund.clone()));
            }
            Command::OpenDispute(open) => {
                let invoice = (EntityKind::Invoice, open.invoice_id.as_uuid());
                if let Some(Record::Invoice(invoice)) = self.records.get(&invoice) {
                    let dispute = Dispute {
                        opened: open.clone(),
                        customer_id: invoice.customer_id,
                        resolution: None,
                    };
                    self.records.insert(key, Record::Dispute(dispute));
                }
            }
            Command::ResolveDispute(resolve) => {
                if let Some(Record::Dispute(dispute)) = self.records.get_mut(&key) {
                    dispute.resolution = Some(resolve.clone());
                }
            }
            Command::ResolveException(resolve) => {
                if let Some(Record::Exception(item)) = self.records.get_mut(&key) {
                    item.resolution = Some(ExceptionResolution {
                        remedy: resolve.remedy,
                        note: resolve.note.trim().to_owned(),
                        resolved_by: self.user,
                    });
                }
            }
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
        self.mid_pull = plan.more;
        plan.more
    }
}

/// One organisation's devices during a schedule.
struct World {
    devices: Vec<Device>,
    /// Every payment recorded on any device: the bank statement the devices import.
    bank: Vec<RecordPayment>,
}

impl World {
    /// An organisation with an owner and a billing user, and two to four devices shared between them,
    /// each signed in with a session of its own; the first is the owner's, and has saved the
    /// organisation's settings.
    async fn set_up(server: &Server, rng: &mut StdRng) -> Self {
        let organisation = format!("Convergence {}", random_id(rng));
        let mut users = Vec::new();
        for role in [Role::Owner, Role::Billing] {
            let email = format!("{}@{}.example", role.as_str(), random_id(rng).simple());
            let account = accounts::add_user(
                &server.store,
                &server.clock,
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
            let signed_in = accounts::sign_in_new(&server.store, &server.clock, account)
                .await
                .expect("session");
            devices.push(Device::new(
                organisation,
                signed_in.user.id,
                signed_in.token,
            ));
        }
        // The owner's first device fills in the seller's address, so that invoices can be issued.
        let owner = &mut devices[0];
        let mut settings = issuing_settings(owner.organisation);
        settings.brand_colour = Some("#0b5d3b".into());
        settings.portal_link_days = Some(45);
        owner.record(&Command::SaveSettings(settings));
        push_batch(server, owner, MAX_PUSH).await;
        Self {
            devices,
            bank: Vec::new(),
        }
    }

    async fn step(&mut self, server: &mut Server, rng: &mut StdRng, index: usize, action: Action) {
        let device = &mut self.devices[index];
        match action {
            Action::Edit(edit) => {
                // A device with nothing to edit yet makes something to edit.
                let command = std::iter::once(edit)
                    .chain(edit.instead().iter().copied())
                    .chain([Edit::NewDraft, Edit::NewCustomer])
                    .find_map(|e| e.command(device, &self.bank, rng));
                if let Some(command) = command {
                    if let Command::RecordPayment(paid) = &command {
                        self.bank.push(paid.clone());
                    }
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
    organisation: OrganisationId,
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
    /// Each customer's account events, in order.
    accounts: BTreeMap<CustomerId, Vec<AccountEvent>>,
    /// How each customer's account snapshot compares with its events replayed.
    snapshots: BTreeMap<CustomerId, SnapshotCheck>,
    /// Every number handed out: (sequence, position, use).
    number_uses: Vec<(String, u64, NumberUse)>,
    /// The ids in the outgoing mail queue, in queue order.
    mail_queue: Vec<Uuid>,
}

struct AuditRow {
    client_id: String,
    mutation_id: u64,
    status: String,
    change_no: Option<u64>,
    summary: serde_json::Value,
}

/// The tables that hold records, each as (entity or the column naming it, table).
const RECORD_TABLES: [(&str, &str); 6] = [
    ("'customer'", "customers"),
    ("'invoice_draft'", "invoice_drafts"),
    ("'invoice'", "invoices"),
    ("'credit_note'", "credit_notes"),
    ("'number_lease'", "number_leases"),
    ("entity", "records"),
];

impl Snapshot {
    async fn load(server: &Server, world: &World) -> Self {
        let first = &world.devices[0];
        let organisation = first.organisation.to_string();
        let pool = server.store.pool();
        let rows = |sql: String| {
            let organisation = organisation.clone();
            async move {
                sqlx::query(&sql)
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
        for (entity, table) in RECORD_TABLES {
            let sql =
                format!("SELECT {entity} AS entity, body FROM {table} WHERE organisation_id = $1");
            for row in rows(sql).await {
                let value: serde_json::Value =
                    serde_json::from_str(&row.get::<String, _>("body")).unwrap();
                let entity: String = row.get("entity");
                let record: Record =
                    serde_json::from_value(serde_json::json!({ "entity": entity, "value": value }))
                        .unwrap();
                records.insert((record.kind(), record.id()), record);
            }
        }
        let draft_totals = rows(
            "SELECT body, line_net_total, tax_total, amount_due FROM invoice_drafts \
             WHERE organisation_id = $1"
                .into(),
        )
        .await
        .iter()
        .map(|row| {
            let d: InvoiceDraft = serde_json::from_str(&row.get::<String, _>("body")).unwrap();
            (
                d,
                ["line_net_total", "tax_total", "amount_due"].map(|c| row.get(c)),
            )
        })
        .collect();
        let changes = rows(
            "SELECT change_no FROM changes WHERE organisation_id = $1 ORDER BY change_no".into(),
        )
        .await
        .iter()
        .map(|r| int(r, "change_no"))
        .collect();
        let clock = int(
            &rows("SELECT v FROM org_clock WHERE organisation_id = $1".into()).await[0],
            "v",
        );
        let audit = rows(
            "SELECT client_id, mutation_id, status, change_no, summary FROM audit_log \
             WHERE organisation_id = $1 ORDER BY id"
                .into(),
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
            "SELECT client_id, mutation_id, status FROM mutation_results WHERE organisation_id = $1"
                .into(),
        )
        .await
        .iter()
        .map(|r| (r.get("client_id"), int(r, "mutation_id"), r.get("status")))
        .collect();
        let clients = rows(
            "SELECT client_id, last_mutation_id FROM sync_clients WHERE organisation_id = $1"
                .into(),
        )
        .await
        .iter()
        .map(|r| (r.get("client_id"), int(r, "last_mutation_id")))
        .collect();

        let mut conn = server.store.read().await.unwrap();
        let mut accounts = BTreeMap::new();
        let mut snapshots = BTreeMap::new();
        for customer in ledger::customers(&mut conn, first.organisation)
            .await
            .unwrap()
        {
            let stored = ledger::events(&mut conn, first.organisation, customer)
                .await
                .unwrap();
            accounts.insert(customer, stored);
            let check = ledger::check_snapshot(&mut conn, first.organisation, customer)
                .await
                .unwrap();
            snapshots.insert(customer, check);
        }
        let number_uses = sequences::number_uses(&mut conn, first.organisation)
            .await
            .unwrap();
        drop(conn);
        let mail_queue = rows(
            "SELECT id FROM mail_queue WHERE organisation_id = $1 ORDER BY created_at_ms, id"
                .into(),
        )
        .await
        .iter()
        .map(|r| Uuid::parse_str(&r.get::<String, _>("id")).unwrap())
        .collect();

        let mut newcomer = Device::new(first.organisation, first.user, first.token.clone());
        while newcomer.take_pull(server.pull(&newcomer, DEFAULT_PULL_PAGE).await) {}

        Self {
            organisation: first.organisation,
            records,
            pulled: newcomer.records,
            draft_totals,
            changes,
            clock,
            audit,
            results,
            clients,
            accounts,
            snapshots,
            number_uses,
            mail_queue,
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
        "every change belongs to exactly one applied mutation",
        every_change_belongs_to_one_applied_mutation,
    ),
    (
        "the audit log replays to the server's records",
        the_audit_log_replays_to_the_records,
    ),
    ("nothing a device created is lost", nothing_created_is_lost),
    (
        "every mail record has its one queued message",
        every_mail_is_queued_once,
    ),
    (
        "every refusal is reported to the device that sent it",
        refusals_reach_their_device,
    ),
    ("drafts store core's totals", drafts_store_cores_totals),
    ("the ledger balances", ledger_balances),
    (
        "every account snapshot is its events replayed",
        snapshots_are_the_events_replayed,
    ),
    ("numbers are gapless", numbers_are_gapless),
    (
        "every payment is recorded exactly once",
        payments_recorded_once,
    ),
    (
        "every exception item refers to records that exist",
        exceptions_refer_to_records,
    ),
];

fn snapshots_are_the_events_replayed(_: &World, server: &Snapshot) -> Result<(), String> {
    for (customer, check) in &server.snapshots {
        if *check != SnapshotCheck::Agrees {
            return Err(format!("customer {customer}'s account snapshot: {check:?}"));
        }
    }
    Ok(())
}

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

/// Change numbers run 1..=clock without a gap. An applied mutation may append several (an issue: the
/// invoice, the draft's deletion, the exception items it raises) and audits its last one, so the audited
/// change numbers are distinct, each mutation's changes follow the previous mutation's, and the last
/// is the clock: every change belongs to exactly one applied mutation. No refused mutation has one.
fn every_change_belongs_to_one_applied_mutation(
    _: &World,
    server: &Snapshot,
) -> Result<(), String> {
    let numbered: Vec<u64> = (1..=server.clock).collect();
    if server.changes != numbered {
        return Err(format!(
            "changes {:?} do not run 1..={}",
            server.changes, server.clock
        ));
    }
    if let Some(a) = server
        .audit
        .iter()
        .find(|a| a.change_no.is_some() && a.status != "applied")
    {
        return Err(format!(
            "{} mutation {} of {} has change {:?}",
            a.status, a.mutation_id, a.client_id, a.change_no
        ));
    }
    let audited: Vec<u64> = server.audit.iter().filter_map(|a| a.change_no).collect();
    let increasing = audited.windows(2).all(|w| w[0] < w[1]);
    if !increasing || audited.last().copied().unwrap_or(0) != server.clock {
        return Err(format!(
            "audited change numbers {audited:?}, in audit order, do not rise to the clock {}",
            server.clock
        ));
    }
    Ok(())
}

/// The key of the record an audit row names: a settings row names none (the settings' id is the
/// organisation's).
fn audited_key(server: &Snapshot, summary: &serde_json::Value) -> (String, String) {
    let entity = summary["entity"].as_str().unwrap_or_default().to_owned();
    let id = match summary["id"].as_str() {
        Some(id) => id.to_owned(),
        None => server.organisation.to_string(),
    };
    (entity, id)
}

/// The (entity, id) → version (of a draft or the settings; 0 otherwise) that the applied audit rows
/// leave, in change order. An issued invoice replaces its draft; a void keeps the invoice. Exception
/// items are raised by the facts that break a rule, not by mutations of their own, so they are counted
/// instead ([`the_audit_log_replays_to_the_records`]).
fn audited_state(server: &Snapshot) -> BTreeMap<(String, String), u64> {
    let mut applied: Vec<&AuditRow> = server
        .audit
        .iter()
        .filter(|a| a.change_no.is_some())
        .collect();
    applied.sort_by_key(|a| a.change_no);
    let mut state = BTreeMap::new();
    for a in applied {
        let key = audited_key(server, &a.summary);
        // A question's first message, and the dispute a dispute thread opens or resolves, are written
        // by the thread's mutation and audited within its row.
        if key.0 == "thread" {
            if let Some(message) = a.summary["message"].as_str() {
                state.insert(("thread_message".to_owned(), message.to_owned()), 0);
            }
            if let Some(dispute) = a.summary["dispute"]["id"].as_str() {
                state.insert(("dispute".to_owned(), dispute.to_owned()), 0);
            }
        }
        if let Some(draft) = a.summary["draft_id"].as_str() {
            state.remove(&("invoice_draft".to_owned(), draft.to_owned()));
        }
        match a.summary["op"].as_str() {
            _ if key.0 == "exception" => {}
            Some("put" | "void") => {
                state.insert(key, a.summary["version"].as_u64().unwrap_or(0));
            }
            _ => {
                state.remove(&key);
            }
        }
    }
    state
}

/// The applied audit rows replay to the records the tables hold, and the exception items they say
/// were raised are the ones stored.
fn the_audit_log_replays_to_the_records(_: &World, server: &Snapshot) -> Result<(), String> {
    let stored: BTreeMap<(String, String), u64> = server
        .records
        .values()
        .filter(|r| r.kind() != EntityKind::Exception)
        .map(|r| {
            let version = match r {
                Record::InvoiceDraft(d) => d.version,
                Record::Settings(s) => s.version,
                _ => 0,
            };
            ((r.kind().name().to_owned(), r.id().to_string()), version)
        })
        .collect();
    let audited = audited_state(server);
    if audited != stored {
        return Err(format!(
            "the audit log leaves {audited:?}; the tables hold {stored:?}"
        ));
    }
    let raised: u64 = server
        .audit
        .iter()
        .filter(|a| a.change_no.is_some())
        .filter_map(|a| a.summary["exceptions"].as_u64())
        .sum();
    let exceptions = server
        .records
        .keys()
        .filter(|(kind, _)| *kind == EntityKind::Exception)
        .count() as u64;
    if raised != exceptions {
        return Err(format!(
            "the audit log raised {raised} exception items; the server holds {exceptions}"
        ));
    }
    Ok(())
}

/// Every record a device created was applied: a new customer or draft cannot conflict, and a fact (an
/// invoice issued under a leased number, a payment, a refund) is never refused, so its creation is in
/// the audit log as applied.
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
                Ok(Command::IssueInvoice(i)) if i.number != NumberSource::Server => {
                    Some(i.invoice_id.as_uuid())
                }
                Ok(Command::RecordPayment(p)) => Some(p.id.as_uuid()),
                Ok(Command::RefundPayment(r)) => Some(r.id.as_uuid()),
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

/// Every applied `mail.send` queued exactly one message with its record, and nothing else is queued.
fn every_mail_is_queued_once(_: &World, server: &Snapshot) -> Result<(), String> {
    let records: BTreeSet<Uuid> = server
        .records
        .keys()
        .filter(|(kind, _)| *kind == EntityKind::Mail)
        .map(|(_, id)| *id)
        .collect();
    let queued: BTreeSet<Uuid> = server.mail_queue.iter().copied().collect();
    if queued.len() != server.mail_queue.len() || queued != records {
        return Err(format!(
            "mail records {records:?}; queued messages {:?}",
            server.mail_queue
        ));
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

/// Each stored draft's totals are core's totals of its lines: the server never keeps a client's total.
fn drafts_store_cores_totals(_: &World, server: &Snapshot) -> Result<(), String> {
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

/// What a customer owes in each currency, as one sum.
type Owed = BTreeMap<(CustomerId, Currency), Decimal>;

fn owe(owed: &mut Owed, customer: CustomerId, money: Money, sign: Decimal) {
    *owed.entry((customer, money.currency())).or_default() += sign * money.amount();
}

/// The books balance. For every customer, core's replay of the stored account events gives a balance
/// that is what its open items still owe less its unapplied credit, in each currency; and that balance
/// is what the records add up to on their own: invoices not voided (a void takes an invoice off the
/// books, and what was paid on it becomes credit), less credit notes, less payments, plus refunds.
fn ledger_balances(_: &World, server: &Snapshot) -> Result<(), String> {
    let one = Decimal::ONE;
    let mut from_records = Owed::new();
    for record in server.records.values() {
        match record {
            Record::Invoice(i) if i.voided.is_none() => {
                owe(
                    &mut from_records,
                    i.customer_id,
                    i.snapshot.totals.amount_due,
                    one,
                );
            }
            Record::CreditNote(c) => {
                owe(
                    &mut from_records,
                    c.customer_id,
                    c.snapshot.totals.amount_due,
                    -one,
                );
            }
            Record::Payment(p) => {
                owe(
                    &mut from_records,
                    p.received.customer_id,
                    p.received.amount,
                    -one,
                );
                // An early-payment discount the payment took settles that much of its item too.
                for line in &p.allocation.lines {
                    owe(
                        &mut from_records,
                        p.received.customer_id,
                        line.discount,
                        -one,
                    );
                }
            }
            Record::Refund(r) => owe(&mut from_records, r.customer_id, r.amount, one),
            _ => {}
        }
    }
    let mut from_events = Owed::new();
    for (customer, stored) in &server.accounts {
        let account =
            events::replay(stored).map_err(|e| format!("customer {customer}'s account: {e}"))?;
        for currency in account.currencies() {
            let balance = account
                .balance(currency)
                .map_err(|e| format!("customer {customer}: {e}"))?;
            let open: Decimal = account
                .items()
                .iter()
                .filter(|i| i.open.currency() == currency)
                .map(|i| i.open.amount())
                .sum();
            let unapplied = account.unapplied(currency).amount();
            if balance.amount() != open - unapplied {
                return Err(format!(
                    "customer {customer} owes {balance:?}, but its open items come to {open} and \
                     its credit to {unapplied}"
                ));
            }
            from_events.insert((*customer, currency), balance.amount());
        }
    }
    from_records.retain(|_, v| !v.is_zero());
    from_events.retain(|_, v| !v.is_zero());
    if from_records != from_events {
        return Err(format!(
            "the accounts owe {from_events:?}; the records add up to {from_records:?}"
        ));
    }
    Ok(())
}

/// Every sequence's numbers are whole: the numbering report finds none missing and none used twice. A
/// sequence the server numbers (invoices without a device's code, credit notes) holds exactly 1..=N,
/// each on a document.
fn numbers_are_gapless(_: &World, server: &Snapshot) -> Result<(), String> {
    let mut sequences: BTreeMap<&str, Vec<(u64, NumberUse)>> = BTreeMap::new();
    for (sequence, n, use_) in &server.number_uses {
        sequences.entry(sequence).or_default().push((*n, *use_));
    }
    let leased: BTreeSet<String> = server
        .records
        .values()
        .filter_map(|r| match r {
            Record::NumberLease(l) => Some(l.series.sequence_key(NaiveDate::MIN)),
            _ => None,
        })
        .collect();
    for (sequence, uses) in sequences {
        let report = SequenceReport::build(sequence, &uses)
            .map_err(|e| format!("sequence {sequence}: {e}"))?;
        if !report.is_whole() {
            return Err(format!("sequence {sequence} misses {:?}", report.missing));
        }
        let on_documents = uses
            .iter()
            .all(|(_, u)| matches!(u, NumberUse::Issued | NumberUse::Voided));
        let one_to_n = on_documents && report.highest == uses.len() as u64;
        if !leased.contains(sequence) && !one_to_n {
            return Err(format!(
                "server sequence {sequence} is not 1..=N: {report:?}"
            ));
        }
    }
    Ok(())
}

/// Every payment a device recorded is on the server once, as one record and one account event, and
/// every payment event is a recorded payment: the same bank line arriving twice, by a replayed push or
/// from two devices, is never counted twice.
fn payments_recorded_once(world: &World, server: &Snapshot) -> Result<(), String> {
    let mut received: BTreeMap<PaymentId, Vec<&RecordPayment>> = BTreeMap::new();
    for event in server.accounts.values().flatten() {
        if let AccountEvent::Received(p) = event {
            received.entry(p.id).or_default().push(p);
        }
    }
    let recorded: BTreeSet<PaymentId> = world
        .devices
        .iter()
        .flat_map(|d| &d.recorded)
        .filter_map(|m| match Command::decode(m) {
            Ok(Command::RecordPayment(p)) => Some(p.id),
            _ => None,
        })
        .collect();
    for id in &recorded {
        let stored = server.records.get(&(EntityKind::Payment, id.as_uuid()));
        let events = received.get(id).map_or(0, Vec::len);
        if stored.is_none() || events != 1 {
            return Err(format!(
                "payment {id} is stored as {stored:?} with {events} account events"
            ));
        }
    }
    for (id, events) in &received {
        match server.records.get(&(EntityKind::Payment, id.as_uuid())) {
            Some(Record::Payment(p)) if events.iter().all(|e| **e == p.received) => {}
            other => {
                return Err(format!(
                    "account events {events:?} of payment {id} do not match its record {other:?}"
                ));
            }
        }
    }
    Ok(())
}

/// Every exception item names records the server holds: the invoices, payments and refunds (and, for a
/// draft issued twice, the invoices under each of its numbers) it asks a person to look at, and its
/// customer.
fn exceptions_refer_to_records(_: &World, server: &Snapshot) -> Result<(), String> {
    let numbers: BTreeSet<String> = server
        .records
        .values()
        .filter_map(|r| match r {
            Record::Invoice(i) => Some(i.number().to_string()),
            _ => None,
        })
        .collect();
    let holds = |kind: EntityKind, id: Uuid| server.records.contains_key(&(kind, id));
    for record in server.records.values() {
        let Record::Exception(item) = record else {
            continue;
        };
        let exists = match &item.kind {
            ExceptionKind::IssuedInClosedPeriod { invoice_id, .. }
            | ExceptionKind::IssueDateOutOfOrder { invoice_id, .. }
            | ExceptionKind::DraftChangedElsewhere { invoice_id, .. }
            | ExceptionKind::NotAnEInvoice { invoice_id, .. } => {
                holds(EntityKind::Invoice, invoice_id.as_uuid())
            }
            ExceptionKind::DraftIssuedTwice { numbers: twice, .. } => {
                twice.iter().all(|n| numbers.contains(n.as_str()))
            }
            ExceptionKind::PaymentForVoidedInvoice {
                payment_id,
                invoice_id,
            } => {
                holds(EntityKind::Payment, payment_id.as_uuid())
                    && holds(EntityKind::Invoice, invoice_id.as_uuid())
            }
            ExceptionKind::Overpayment { payment_id, .. }
            | ExceptionKind::PaymentInClosedPeriod { payment_id, .. } => {
                holds(EntityKind::Payment, payment_id.as_uuid())
            }
            ExceptionKind::RefundExceedsCredit { refund_id, .. }
            | ExceptionKind::RefundRefusedByGateway { refund_id, .. } => {
                holds(EntityKind::Refund, refund_id.as_uuid())
            }
        };
        let customer = item
            .customer_id
            .is_none_or(|c| holds(EntityKind::Customer, c.as_uuid()));
        if !exists || !customer {
            return Err(format!(
                "{item:?} refers to a record the server does not hold"
            ));
        }
    }
    Ok(())
}
