//! Outgoing webhooks: queued in the transaction of the change that causes them, signed, delivered to a
//! receiver on this machine, retried with growing delays, never sent twice at once.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use hmac::{Hmac, Mac};
use remit_core::customer::Customer;
use remit_core::ids::{InvoiceId, OrganisationId};
use remit_server::application::Intervals;
use remit_server::auth::Role;
use remit_server::clock::Clock;
use remit_server::webhooks::dispatch::Dispatcher;
use remit_server::webhooks::{check_url, register};
use serde_json::Value;
use sha2::Sha256;
use sqlx::Row;

use crate::helpers::*;
use crate::on_both_backends;

/// One request the receiver accepted or refused.
#[derive(Debug, Clone)]
struct Received {
    event: String,
    delivery: String,
    signed: bool,
    body: Value,
}

/// A webhook receiver on a free port of this machine. It checks each request's signature the way
/// docs/webhooks.md tells receivers to, and answers with `status` (after `delay`).
#[derive(Clone)]
struct Receiver {
    url: String,
    secret: Arc<Mutex<String>>,
    status: Arc<AtomicU16>,
    delay: Duration,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    async fn start(delay: Duration) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let receiver = Self {
            url: format!("http://{}/hooks/remit", listener.local_addr().unwrap()),
            secret: Arc::default(),
            status: Arc::new(AtomicU16::new(200)),
            delay,
            received: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/hooks/remit", post(receive))
            .with_state(receiver.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        receiver
    }

    fn answer(&self, status: u16) {
        self.status.store(status, Ordering::SeqCst);
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

/// Checks `Remit-Signature: t=<seconds>,v1=<hex>`: the HMAC-SHA256 of `<t>.<body>` under the secret,
/// with `t` within five minutes of now (the receiver's own clock, the system's).
fn verify(secret: &str, header: &str, body: &[u8]) -> bool {
    let mut t = None;
    let mut v1 = None;
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", value)) => t = value.parse::<i64>().ok(),
            Some(("v1", value)) => v1 = hex::decode(value).ok(),
            _ => {}
        }
    }
    let (Some(t), Some(v1)) = (t, v1) else {
        return false;
    };
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.verify_slice(&v1).is_ok() && (Clock::system().now_ms() / 1000 - t).abs() <= 300
}

async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    tokio::time::sleep(receiver.delay).await;
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let secret = receiver.secret.lock().unwrap().clone();
    let signed = verify(&secret, &header("remit-signature"), &body);
    receiver.received.lock().unwrap().push(Received {
        event: header("remit-event"),
        delivery: header("remit-delivery"),
        signed,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    if !signed {
        return StatusCode::BAD_REQUEST;
    }
    StatusCode::from_u16(receiver.status.load(Ordering::SeqCst)).unwrap()
}

/// One row of `webhook_deliveries`.
#[derive(Debug, Clone, PartialEq)]
struct Delivery {
    id: String,
    organisation_id: String,
    event: String,
    payload: Value,
    attempts: i64,
    next_attempt_at_ms: Option<i64>,
    delivered_at_ms: Option<i64>,
    last_error: Option<String>,
}

async fn deliveries(app: &TestApp) -> Vec<Delivery> {
    let rows = sqlx::query(
        "SELECT id, organisation_id, event, payload, attempts, next_attempt_at_ms, \
         delivered_at_ms, last_error FROM webhook_deliveries ORDER BY id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    rows.iter()
        .map(|r| Delivery {
            id: r.get("id"),
            organisation_id: r.get("organisation_id"),
            event: r.get("event"),
            payload: serde_json::from_str(&r.get::<String, _>("payload")).unwrap(),
            attempts: r.get("attempts"),
            next_attempt_at_ms: r.get("next_attempt_at_ms"),
            delivered_at_ms: r.get("delivered_at_ms"),
            last_error: r.get("last_error"),
        })
        .collect()
}

/// Organisation A, ready to issue to one customer, with an endpoint at `url`.
struct Sender {
    app: TestApp,
    owner: Api,
    org: OrganisationId,
    customer: Customer,
}

/// The server's own dispatcher polls once as it starts, before anything is queued, and then not for
/// an hour: the tests that send by hand at chosen instants have the deliveries to themselves.
const BY_HAND: Intervals = Intervals {
    webhook_poll: Duration::from_secs(3600),
    mail_poll: Duration::from_secs(3600),
    login_failure_sweep: Duration::from_secs(15 * 60),
    refund_poll: Duration::from_secs(3600),
};

/// The server's own dispatcher polls every 20 ms.
const RUNNING: Intervals = Intervals {
    webhook_poll: Duration::from_millis(20),
    ..BY_HAND
};

impl Sender {
    async fn new(backend: Backend, receiver: Option<&Receiver>) -> Self {
        Self::with(backend, receiver, BY_HAND).await
    }

    async fn with(backend: Backend, receiver: Option<&Receiver>, intervals: Intervals) -> Self {
        let app = spawn_app_with(backend, intervals).await;
        let (owner, info) = app.set_up().await;
        let org = organisation_of(&info);
        set_up_seller(&owner, org).await;
        let customer = customer(org, "Nordlys AS");
        assert_applied(&owner.push(new_client(), vec![upsert(1, &customer)]).await);
        let url = receiver.map_or("http://127.0.0.1:9/never-called", |r| r.url.as_str());
        let endpoint = register(
            &app.store,
            org,
            &check_url(url).unwrap(),
            app.clock.now_ms(),
        )
        .await
        .unwrap();
        assert!(endpoint.secret.starts_with("whsec_"));
        if let Some(receiver) = receiver {
            *receiver.secret.lock().unwrap() = endpoint.secret;
        }
        Self {
            app,
            owner,
            org,
            customer,
        }
    }

    /// Issues `count` invoices from a device of its own; their ids.
    async fn issue(&self, count: u64) -> Vec<InvoiceId> {
        let ids: Vec<InvoiceId> = (0..count).map(|_| new_id()).collect();
        let mutations = ids
            .iter()
            .zip(1..)
            .map(|(&id, n)| issue_numbered(n, id, &draft(&self.customer)))
            .collect();
        assert_applied(&self.owner.push(new_client(), mutations).await);
        ids
    }

    fn dispatcher(&self) -> Dispatcher {
        Dispatcher::new(
            self.app.store.clone(),
            self.app.clock(),
            Duration::from_millis(20),
        )
        .unwrap()
    }
}

async fn issuing_paying_and_disputing_queue_one_event_each_with_their_change(backend: Backend) {
    let a = Sender::new(backend, None).await;
    let (other, other_info) = a
        .app
        .user("Other Org", "bob@other.example", Role::Owner)
        .await;
    let other_org = organisation_of(&other_info);
    register(
        &a.app.store,
        other_org,
        &check_url("https://other.example/hooks").unwrap(),
        a.app.clock.now_ms(),
    )
    .await
    .unwrap();
    let device = new_client();
    let invoice: InvoiceId = new_id();
    let paid = payment(&a.customer, "10.00", "2026-12-01");
    let disputed = dispute(4, a.org, invoice, "2026-12-02");
    let mutations = vec![
        issue_numbered(1, invoice, &draft(&a.customer)),
        pay(2, &paid),
        upsert(3, &a.customer),
        disputed.clone(),
    ];
    let first = a.owner.push(device, mutations.clone()).await;
    assert_applied(&first);

    let queued = deliveries(&a.app).await;
    let events: Vec<&str> = queued.iter().map(|d| d.event.as_str()).collect();
    assert_eq!(
        events,
        ["invoice.issued", "payment.received", "dispute.opened"]
    );
    for d in &queued {
        assert_eq!(d.organisation_id, a.org.to_string());
        assert_eq!(d.payload["id"], d.id.as_str());
        assert_eq!(d.payload["type"], d.event.as_str());
        assert_eq!(d.payload["organisation_id"], a.org.to_string());
        assert!(d.payload["created_at"].as_str().unwrap().ends_with('Z'));
        assert_eq!((d.attempts, d.delivered_at_ms), (0, None));
        assert!(d.next_attempt_at_ms.is_some(), "due at once");
    }
    assert_eq!(queued[0].payload["data"]["id"], invoice.to_string());
    assert_eq!(
        queued[0].payload["data"]["snapshot"]["number"],
        "INV-2026-000001"
    );
    assert_eq!(queued[1].payload["data"]["id"], paid.id.to_string());
    assert_eq!(
        queued[1].payload["data"]["allocation"]["unapplied"]["amount"],
        "0.00"
    );
    assert_eq!(queued[2].payload["data"]["id"], disputed.args["id"]);

    // Replaying the push applies nothing and queues nothing.
    assert_eq!(a.owner.push(device, mutations).await, first);
    // Refused mutations queue nothing: an invoice id already used, a payment from no customer.
    let mut stranger = payment(&a.customer, "5.00", "2026-12-03");
    stranger.customer_id = new_id();
    let refused = a
        .owner
        .push(
            device,
            vec![
                issue_numbered(5, invoice, &draft(&a.customer)),
                pay(6, &stranger),
            ],
        )
        .await;
    assert!(
        refused.results.iter().all(|r| r.error.is_some()),
        "{refused:?}"
    );
    // Another organisation's changes go to its own endpoints only.
    let theirs = customer(other_org, "Their Customer");
    assert_applied(&other.push(new_client(), vec![upsert(1, &theirs)]).await);
    assert_eq!(deliveries(&a.app).await, queued);
}
on_both_backends!(issuing_paying_and_disputing_queue_one_event_each_with_their_change => issuing_paying_and_disputing_queue_one_event_each_with_their_change_sqlite, issuing_paying_and_disputing_queue_one_event_each_with_their_change_postgres);

async fn the_dispatcher_sends_signed_events_and_records_their_delivery(backend: Backend) {
    let receiver = Receiver::start(Duration::ZERO).await;
    let a = Sender::new(backend, Some(&receiver)).await;
    let invoice = a.issue(1).await[0];
    let dispatcher = a.dispatcher();
    let now = a.app.clock.now_ms();
    assert_eq!(dispatcher.deliver_due(now).await.unwrap(), 1);

    let got = receiver.received();
    assert_eq!(got.len(), 1);
    let queued = &deliveries(&a.app).await[0];
    assert!(
        got[0].signed,
        "the signature verifies with the endpoint's secret"
    );
    assert_eq!(got[0].event, "invoice.issued");
    assert_eq!(got[0].delivery, queued.id);
    assert_eq!(got[0].body, queued.payload);
    assert_eq!(got[0].body["data"]["id"], invoice.to_string());
    assert_eq!(
        (
            queued.attempts,
            queued.delivered_at_ms,
            queued.next_attempt_at_ms
        ),
        (1, Some(now), None)
    );
    assert_eq!(queued.last_error, None);
    assert_eq!(
        dispatcher.deliver_due(now + 3_600_000).await.unwrap(),
        0,
        "sent once"
    );
}
on_both_backends!(the_dispatcher_sends_signed_events_and_records_their_delivery => the_dispatcher_sends_signed_events_and_records_their_delivery_sqlite, the_dispatcher_sends_signed_events_and_records_their_delivery_postgres);

async fn a_failing_receiver_is_tried_again_later_and_later(backend: Backend) {
    let receiver = Receiver::start(Duration::ZERO).await;
    receiver.answer(500);
    let a = Sender::new(backend, Some(&receiver)).await;
    a.issue(1).await;
    let dispatcher = a.dispatcher();
    let t0 = a.app.clock.now_ms();

    assert_eq!(dispatcher.deliver_due(t0).await.unwrap(), 1);
    let after_one = deliveries(&a.app).await[0].clone();
    assert_eq!(after_one.attempts, 1);
    assert_eq!(after_one.next_attempt_at_ms, Some(t0 + 30_000));
    assert_eq!(after_one.delivered_at_ms, None);
    assert!(after_one.last_error.unwrap().contains("500"));

    assert_eq!(
        dispatcher.deliver_due(t0 + 29_999).await.unwrap(),
        0,
        "not yet due"
    );
    assert_eq!(dispatcher.deliver_due(t0 + 30_000).await.unwrap(), 1);
    let after_two = deliveries(&a.app).await[0].clone();
    assert_eq!(after_two.attempts, 2);
    assert_eq!(after_two.next_attempt_at_ms, Some(t0 + 30_000 + 60_000));

    receiver.answer(204);
    assert_eq!(dispatcher.deliver_due(t0 + 90_000).await.unwrap(), 1);
    let delivered = deliveries(&a.app).await[0].clone();
    assert_eq!(delivered.attempts, 3);
    assert_eq!(delivered.delivered_at_ms, Some(t0 + 90_000));
    assert_eq!(
        (delivered.next_attempt_at_ms, delivered.last_error),
        (None, None)
    );
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    assert!(got.iter().all(|r| r.signed && r.delivery == delivered.id));
}
on_both_backends!(a_failing_receiver_is_tried_again_later_and_later => a_failing_receiver_is_tried_again_later_and_later_sqlite, a_failing_receiver_is_tried_again_later_and_later_postgres);

async fn two_dispatchers_never_send_one_delivery_twice(backend: Backend) {
    let receiver = Receiver::start(Duration::from_millis(50)).await;
    let a = Sender::new(backend, Some(&receiver)).await;
    a.issue(6).await;
    let (first, second) = (a.dispatcher(), a.dispatcher());
    let now = a.app.clock.now_ms();
    let (x, y) = tokio::join!(first.deliver_due(now), second.deliver_due(now));
    assert_eq!(x.unwrap() + y.unwrap(), 6);
    let mut sent: Vec<String> = receiver
        .received()
        .into_iter()
        .map(|r| r.delivery)
        .collect();
    sent.sort();
    sent.dedup();
    assert_eq!(sent.len(), 6, "each delivery was sent exactly once");
    assert!(
        deliveries(&a.app)
            .await
            .iter()
            .all(|d| d.attempts == 1 && d.delivered_at_ms.is_some())
    );
}
on_both_backends!(two_dispatchers_never_send_one_delivery_twice => two_dispatchers_never_send_one_delivery_twice_sqlite, two_dispatchers_never_send_one_delivery_twice_postgres);

/// Waits until the receiver has had `count` requests.
async fn received(receiver: &Receiver, count: usize) -> Vec<Received> {
    tokio::time::timeout(Duration::from_secs(10), async {
        while receiver.received().len() < count {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap_or_else(|_| panic!("{count} requests arrive within seconds"));
    receiver.received()
}

async fn the_dispatcher_task_sends_what_is_due_until_it_is_stopped(backend: Backend) {
    let receiver = Receiver::start(Duration::ZERO).await;
    let mut a = Sender::with(backend, Some(&receiver), RUNNING).await;
    a.issue(1).await;
    received(&receiver, 1).await;
    a.app
        .stop(Duration::from_secs(5))
        .await
        .expect("the server and its dispatcher stop when told");
    assert!(deliveries(&a.app).await[0].delivered_at_ms.is_some());
}
on_both_backends!(the_dispatcher_task_sends_what_is_due_until_it_is_stopped => the_dispatcher_task_sends_what_is_due_until_it_is_stopped_sqlite, the_dispatcher_task_sends_what_is_due_until_it_is_stopped_postgres);

async fn the_running_dispatcher_tries_again_when_the_clock_says_so(backend: Backend) {
    let receiver = Receiver::start(Duration::ZERO).await;
    receiver.answer(503);
    let a = Sender::with(backend, Some(&receiver), RUNNING).await;
    a.issue(1).await;
    let t0 = a.app.clock.now_ms();
    assert_eq!(received(&receiver, 1).await.len(), 1);

    // Polls go on, but the next attempt is due 30 seconds later by the server's clock.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.received().len(), 1);
    let waiting = deliveries(&a.app).await[0].clone();
    assert_eq!(
        (waiting.attempts, waiting.next_attempt_at_ms),
        (1, Some(t0 + 30_000))
    );
    receiver.answer(200);
    a.app.clock.advance(Duration::from_secs(30));
    let got = received(&receiver, 2).await;
    assert!(got.iter().all(|r| r.signed && r.delivery == waiting.id));
    tokio::time::timeout(Duration::from_secs(10), async {
        while deliveries(&a.app).await[0].delivered_at_ms.is_none() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the delivery is recorded");
    let delivered = deliveries(&a.app).await[0].clone();
    assert_eq!(
        (delivered.attempts, delivered.delivered_at_ms),
        (2, Some(t0 + 30_000))
    );
}
on_both_backends!(the_running_dispatcher_tries_again_when_the_clock_says_so => the_running_dispatcher_tries_again_when_the_clock_says_so_sqlite, the_running_dispatcher_tries_again_when_the_clock_says_so_postgres);

async fn remit_serve_delivers_to_an_endpoint_added_on_the_command_line(backend: Backend) {
    use crate::binary::{address_of, db_args, remit, stop};
    use std::process::Stdio;

    let receiver = Receiver::start(Duration::ZERO).await;
    let db = TestDatabase::new(backend).await;
    let args = db_args(&db, backend);
    let added = remit()
        .args([
            "user",
            "add",
            "--org",
            "Cli Org",
            "--email",
            "cli@acme.example",
        ])
        .args(["--password", PASSWORD])
        .args(&args)
        .output()
        .unwrap();
    assert!(
        added.status.success(),
        "{}",
        String::from_utf8_lossy(&added.stderr)
    );
    let refused = remit()
        .args(["webhook", "add", "--org", "Nobody", "--url", &receiver.url])
        .args(&args)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("no organisation"));
    let refused = remit()
        .args([
            "webhook",
            "add",
            "--org",
            "Cli Org",
            "--url",
            "erp.example/hooks",
        ])
        .args(&args)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("url"));
    let output = remit()
        .args(["webhook", "add", "--org", "Cli Org", "--url", &receiver.url])
        .args(&args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let secret = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Signing secret: "))
        .unwrap_or_else(|| panic!("the secret is printed: {stdout}"));
    *receiver.secret.lock().unwrap() = secret.to_owned();

    let mut server = remit()
        .arg("serve")
        .args(&args)
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let api = Api::new(&address_of(&mut server));
    let info: Value = api
        .sign_in("cli@acme.example", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let org = organisation_of(&info);
    set_up_seller(&api, org).await;
    let buyer = customer(org, "Nordlys AS");
    let invoice: InvoiceId = new_id();
    let reply = api
        .push(
            new_client(),
            vec![
                upsert(1, &buyer),
                issue_numbered(2, invoice, &draft(&buyer)),
            ],
        )
        .await;
    assert_applied(&reply);
    tokio::time::timeout(Duration::from_secs(20), async {
        while receiver.received().is_empty() {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    })
    .await
    .expect("remit serve delivers the event within its polling interval");
    let got = receiver.received();
    assert!(got[0].signed);
    assert_eq!(got[0].event, "invoice.issued");
    assert_eq!(got[0].body["data"]["id"], invoice.to_string());
    stop(server);
}
on_both_backends!(remit_serve_delivers_to_an_endpoint_added_on_the_command_line => remit_serve_delivers_to_an_endpoint_added_on_the_command_line_sqlite, remit_serve_delivers_to_an_endpoint_added_on_the_command_line_postgres);
