//! Paying through Stripe, against a stand-in that speaks Stripe's API contract and signs its events as
//! Stripe documents (`server/tests/stripe_standin.py`, one per test): Checkout Sessions, signed webhooks
//! delivered twice, late, out of order and racing the success page, refunds made in Stripe's dashboard,
//! and refunds sent from the workspace (made once, or refused and raised).

use std::io::{self, BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdin, Command as Process, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use remit_core::customer::Customer;
use remit_core::gateway::{
    Checkout, CheckoutState, GatewayDecision, GatewayEvent, Provider, gateway_payment_id,
};
use remit_core::ids::{CheckoutId, InvoiceId, OrganisationId, RefundId};
use remit_core::money::Money;
use remit_core::organisation::TimeZoneName;
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::exception::{ExceptionItem, ExceptionKind};
use remit_core::receivables::payment::{Payment, RefundPayment};
use remit_core::sync::{Command, PatchOp, Record};
use remit_server::application::Intervals;
use remit_server::auth::Role;
use remit_server::clock;
use remit_server::gateway::refunds::RefundSender;
use remit_server::gateway::stripe::{self, CallError, SessionRequest};
use remit_server::gateway::{GatewayConfig, HostedPage};
use remit_server::store::gateway::{self as gateway_store, GatewayAccount, StoredCheckout};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use tracing_subscriber::fmt::MakeWriter;

use crate::helpers::*;
use crate::on_both_backends;

/// The organisation's Stripe secret key and webhook signing secrets (the old one still valid while
/// it is rolled), as Stripe names them.
pub(crate) const SECRET_KEY: &str = "sk_test_remit4242secretkey";
const WEBHOOK_SECRET: &str = "whsec_remit_current_signing_secret";
const OLD_WEBHOOK_SECRET: &str = "whsec_remit_previous_signing_secret";

/// No background task runs on its own after the start: the tests send refunds by hand.
const BY_HAND: Intervals = Intervals {
    webhook_poll: Duration::from_secs(3600),
    mail_poll: Duration::from_secs(3600),
    login_failure_sweep: Duration::from_secs(15 * 60),
    refund_poll: Duration::from_secs(3600),
};

/// The stand-in for Stripe's API, signing with `WEBHOOK_SECRET`. It stops when dropped (its stdin
/// closes).
pub(crate) struct StandIn {
    pub(crate) url: String,
    http: reqwest::Client,
    _process: Child,
    _stdin: ChildStdin,
}

impl StandIn {
    pub(crate) fn start() -> Self {
        let python =
            std::env::var("REMIT_TEST_PYTHON").unwrap_or_else(|_| "/usr/bin/python3".into());
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/stripe_standin.py");
        let mut process = Process::new(&python)
            .arg(&script)
            .arg(SECRET_KEY)
            .arg(WEBHOOK_SECRET)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
        let mut line = String::new();
        BufReader::new(process.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .strip_prefix("ready ")
            .unwrap_or_else(|| panic!("the stand-in did not start: {line:?}"));
        Self {
            url: format!("http://127.0.0.1:{port}"),
            http: reqwest::Client::new(),
            _stdin: process.stdin.take().unwrap(),
            _process: process,
        }
    }

    /// A test control of the stand-in; its JSON answer.
    pub(crate) async fn control(&self, path: &str, options: Value) -> Value {
        let response = self
            .http
            .post(format!("{}{path}", self.url))
            .body(options.to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.unwrap()
    }

    pub(crate) async fn get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        response.json().await.unwrap()
    }
}

/// An event as Stripe would deliver it: the raw body and its `Stripe-Signature`.
#[derive(Debug, Clone)]
struct Signed {
    payload: String,
    signature: String,
    event: Value,
}

impl Signed {
    fn of(answer: &Value) -> Self {
        Self {
            payload: answer["payload"].as_str().unwrap().to_owned(),
            signature: answer["signature"].as_str().unwrap().to_owned(),
            event: answer["event"].clone(),
        }
    }
}

/// An organisation taking payments through Stripe (the stand-in), with a customer and one issued
/// invoice of 24.67 EUR.
struct Shop {
    app: TestApp,
    stand_in: StandIn,
    owner: Api,
    /// A billing user, who refunds from the workspace.
    billing: Api,
    org: OrganisationId,
    customer: Customer,
    invoice: InvoiceId,
    device: remit_core::ids::ClientId,
    next: u64,
}

impl Shop {
    async fn open(backend: Backend) -> Self {
        let stand_in = StandIn::start();
        let gateways = GatewayConfig::new(stand_in.url.clone(), Duration::from_secs(300)).unwrap();
        let app = spawn_app_with_gateways(backend, BY_HAND, gateways).await;
        let (owner, info) = app.set_up().await;
        let org = organisation_of(&info);
        set_up_seller(&owner, org).await;
        let customer = customer(org, "Fiskeri AS");
        let invoice: InvoiceId = new_id();
        let reply = owner
            .push(
                new_client(),
                vec![
                    upsert(1, &customer),
                    issue_numbered(2, invoice, &draft(&customer)),
                ],
            )
            .await;
        assert_applied(&reply);
        let mut tx = app.store.write().await.unwrap();
        gateway_store::put_account(
            &mut tx,
            org,
            &GatewayAccount {
                provider: Provider::Stripe,
                secret_key: SECRET_KEY.into(),
                webhook_secrets: vec![OLD_WEBHOOK_SECRET.into(), WEBHOOK_SECRET.into()],
            },
            app.clock.now_ms(),
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let (billing, _) = app
            .user("Acme GmbH", "billing@acme.example", Role::Billing)
            .await;
        Self {
            app,
            stand_in,
            owner,
            billing,
            org,
            customer,
            invoice,
            device: new_client(),
            next: 1,
        }
    }

    fn eur(&self, amount: &str) -> Money {
        Money::parse(amount, self.customer.currency).unwrap()
    }

    /// A checkout of `amount` for the invoice, with its Stripe session made as the portal makes it.
    async fn checkout(&self, amount: &str) -> StoredCheckout {
        let checkout = Checkout {
            id: new_id(),
            organisation_id: self.org,
            customer_id: self.customer.id,
            link_id: new_id(),
            provider: Provider::Stripe,
            amount: self.eur(amount),
            instruction: Instruction::Named(vec![self.invoice]),
            state: CheckoutState::Open,
        };
        let mut tx = self.app.store.write().await.unwrap();
        gateway_store::insert_checkout(&mut tx, &checkout, "203.0.113.9", self.app.clock.now_ms())
            .await
            .unwrap();
        tx.commit().await.unwrap();
        let page = self
            .make_session(&checkout, SECRET_KEY)
            .await
            .expect("the stand-in makes a session");
        let mut tx = self.app.store.write().await.unwrap();
        gateway_store::set_session(&mut tx, checkout.id, &page.session)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        self.stored(checkout.id).await
    }

    /// Asks Stripe (the stand-in) with `key` for the session of `checkout`, as the portal does.
    async fn make_session(&self, checkout: &Checkout, key: &str) -> Result<HostedPage, CallError> {
        let success = format!("{}/pay/{}/done", self.app.address, checkout.id);
        let cancel = format!("{}/pay/{}/cancelled", self.app.address, checkout.id);
        let request = SessionRequest {
            checkout,
            description: "Invoice from Acme GmbH",
            customer_email: Some("ap@customer.example"),
            success_url: &success,
            cancel_url: &cancel,
        };
        stripe::create_session(&self.app.gateways, key, &request).await
    }

    async fn stored(&self, id: CheckoutId) -> StoredCheckout {
        let mut conn = self.app.store.read().await.unwrap();
        gateway_store::find_checkout(&mut conn, id)
            .await
            .unwrap()
            .expect("the checkout is stored")
    }

    /// The customer pays the checkout's session on Stripe's page (`card` or a `delayed` method); the
    /// `checkout.session.completed` Stripe would send.
    async fn pay(&self, checkout: &StoredCheckout, method: &str) -> Signed {
        let session = checkout.gateway_session.as_deref().unwrap();
        Signed::of(
            &self
                .stand_in
                .control(
                    &format!("/test/sessions/{session}/pay"),
                    json!({ "method": method }),
                )
                .await,
        )
    }

    /// Posts `payload` to the organisation's webhook with `signature`; the status.
    async fn deliver_raw(&self, payload: &str, signature: Option<&str>) -> StatusCode {
        let mut request = reqwest::Client::new()
            .post(format!("{}/hooks/stripe/{}", self.app.address, self.org))
            .header("Content-Type", "application/json")
            .body(payload.to_owned());
        if let Some(signature) = signature {
            request = request.header("Stripe-Signature", signature);
        }
        request.send().await.unwrap().status()
    }

    async fn deliver(&self, event: &Signed) -> StatusCode {
        self.deliver_raw(&event.payload, Some(&event.signature))
            .await
    }

    /// Everything the organisation's devices see.
    async fn patch(&self) -> Vec<PatchOp> {
        pull_all(&self.owner, new_client()).await
    }

    async fn payments(&self) -> Vec<Payment> {
        puts(&self.patch().await, |r| match r {
            Record::Payment(p) => Some(p.clone()),
            _ => None,
        })
    }

    async fn refunds(&self) -> Vec<RefundPayment> {
        puts(&self.patch().await, |r| match r {
            Record::Refund(r) => Some(r.clone()),
            _ => None,
        })
    }

    async fn exceptions(&self) -> Vec<ExceptionItem> {
        puts(&self.patch().await, |r| match r {
            Record::Exception(e) => Some(e.clone()),
            _ => None,
        })
    }

    /// A billing user refunds `amount` of `payment` from the workspace, through the sync API.
    async fn refund(&mut self, payment: &Payment, amount: &str) -> RefundId {
        let id: RefundId = new_id();
        let refund = RefundPayment {
            id,
            organisation_id: self.org,
            customer_id: self.customer.id,
            payment_id: Some(payment.received.id),
            amount: self.eur(amount),
            paid_on: payment.received.received_on,
            method: PaymentMethod::Card,
            reference: String::new(),
            gateway_refund: None,
        };
        let reply = self
            .billing
            .push(
                self.device,
                vec![Command::RefundPayment(refund).to_mutation(self.next)],
            )
            .await;
        self.next += 1;
        assert_applied(&reply);
        id
    }

    /// Sends the refunds due now, as the server's refund sender does every poll.
    async fn send_refunds(&self) -> usize {
        RefundSender::new(
            self.app.store.clone(),
            self.app.clock(),
            self.app.gateways.clone(),
            Duration::from_secs(3600),
        )
        .send_due(self.app.clock.now_ms())
        .await
        .unwrap()
    }
}

/// The organisation's business date (Berlin's, as set up) when Stripe created `event`.
fn business_date(event: &Signed) -> chrono::NaiveDate {
    let created = event.event["created"].as_i64().unwrap();
    let berlin = clock::zone(&TimeZoneName::parse("Europe/Berlin").unwrap()).unwrap();
    clock::today_in(berlin, clock::instant(created * 1000))
}

fn payment_intent(event: &Signed) -> String {
    event.event["data"]["object"]["payment_intent"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Only a body signed with one of the organisation's webhook secrets, within the tolerance, is read:
/// anything else is refused with 400 and records nothing. While a secret is rolled, the old and the new
/// are both accepted.
async fn only_events_signed_as_stripe_documents_are_read(backend: Backend) {
    let shop = Shop::open(backend).await;
    let checkout = shop.checkout("24.67").await;
    let paid = shop.pay(&checkout, "card").await;

    let tampered = paid.payload.replace("24", "25");
    assert_ne!(tampered, paid.payload);
    assert_eq!(
        shop.deliver_raw(&tampered, Some(&paid.signature)).await,
        StatusCode::BAD_REQUEST,
        "tampered body"
    );
    let ten_minutes_ago = shop.app.clock.now_ms() / 1000 - 600;
    let expired = Signed::of(
        &shop
            .stand_in
            .control(
                "/test/sign",
                json!({ "payload": paid.payload, "signed_at": ten_minutes_ago }),
            )
            .await,
    );
    assert_eq!(
        shop.deliver(&expired).await,
        StatusCode::BAD_REQUEST,
        "expired"
    );
    let forged = Signed::of(
        &shop
            .stand_in
            .control(
                "/test/sign",
                json!({ "payload": paid.payload, "signed_with": ["whsec_someone_else"] }),
            )
            .await,
    );
    assert_eq!(
        shop.deliver(&forged).await,
        StatusCode::BAD_REQUEST,
        "another secret"
    );
    assert_eq!(
        shop.deliver_raw(&paid.payload, None).await,
        StatusCode::BAD_REQUEST,
        "no signature"
    );
    let v0_only = paid.signature.replace("v1=", "v0=");
    assert_eq!(
        shop.deliver_raw(&paid.payload, Some(&v0_only)).await,
        StatusCode::BAD_REQUEST,
        "v0 only"
    );
    let huge = format!("{{\"padding\":\"{}\"}}", "x".repeat(300 * 1024));
    assert_eq!(
        shop.deliver_raw(&huge, Some(&paid.signature)).await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "more than Stripe sends"
    );
    assert!(shop.payments().await.is_empty(), "nothing recorded");
    assert_eq!(
        shop.stored(checkout.checkout.id).await.checkout.state,
        CheckoutState::Open
    );

    // Signed with the previous secret alone, or with a retired one beside the current one.
    let with_old = Signed::of(
        &shop
            .stand_in
            .control(
                "/test/sign",
                json!({ "payload": paid.payload, "signed_with": [OLD_WEBHOOK_SECRET] }),
            )
            .await,
    );
    assert_eq!(shop.deliver(&with_old).await, StatusCode::OK, "old secret");
    let rotated = Signed::of(
        &shop
            .stand_in
            .control(
                "/test/sign",
                json!({
                    "payload": paid.payload,
                    "signed_with": ["whsec_retired_long_ago", WEBHOOK_SECRET],
                }),
            )
            .await,
    );
    assert_eq!(rotated.signature.matches("v1=").count(), 2);
    assert_eq!(shop.deliver(&rotated).await, StatusCode::OK, "two v1");
    assert_eq!(
        shop.deliver(&paid).await,
        StatusCode::OK,
        "as Stripe sent it"
    );
    assert_eq!(shop.payments().await.len(), 1);

    // An organisation without a Stripe account has no webhook.
    let nowhere = reqwest::Client::new()
        .post(format!(
            "{}/hooks/stripe/{}",
            shop.app.address,
            new_id::<OrganisationId>()
        ))
        .header("Stripe-Signature", &paid.signature)
        .body(paid.payload.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(nowhere.status(), StatusCode::NOT_FOUND);
}
on_both_backends!(only_events_signed_as_stripe_documents_are_read => only_events_signed_as_stripe_documents_are_read_sqlite, only_events_signed_as_stripe_documents_are_read_postgres);

/// The session is made as Stripe takes it: the amount in minor units, the checkout's id as reference
/// and idempotency key, return addresses naming the checkout.
async fn a_checkout_session_names_the_checkout_and_is_made_once(backend: Backend) {
    let shop = Shop::open(backend).await;
    let checkout = shop.checkout("24.67").await;
    let session = checkout.gateway_session.clone().unwrap();
    let made = shop
        .stand_in
        .get(&format!("/test/sessions/{session}"))
        .await;
    let form = &made["form"];
    let id = checkout.checkout.id.to_string();
    assert_eq!(form["mode"], "payment");
    assert_eq!(form["line_items[0][price_data][currency]"], "eur");
    assert_eq!(form["line_items[0][price_data][unit_amount]"], "2467");
    assert_eq!(form["line_items[0][quantity]"], "1");
    assert_eq!(form["client_reference_id"], id.as_str());
    assert_eq!(form["metadata[checkout_id]"], id.as_str());
    assert_eq!(
        form["payment_intent_data[metadata][checkout_id]"],
        id.as_str()
    );
    assert_eq!(form["customer_email"], "ap@customer.example");
    for url in ["success_url", "cancel_url"] {
        assert!(form[url].as_str().unwrap().contains(&id), "{url}");
    }
    // The portal retrying the start gets the same page: the checkout's id is the idempotency key.
    let again = shop
        .make_session(&checkout.checkout, SECRET_KEY)
        .await
        .unwrap();
    assert_eq!(again.session, session);
    // A wrong key is Stripe's refusal, and says nothing of the key.
    let refused = shop
        .make_session(&checkout.checkout, "sk_test_wrong_key_9999")
        .await
        .unwrap_err();
    assert!(!refused.is_transient());
    assert!(refused.to_string().contains("api_key_invalid"), "{refused}");
    assert!(!format!("{refused:?}").contains("sk_test_wrong_key_9999"));
}
on_both_backends!(a_checkout_session_names_the_checkout_and_is_made_once => a_checkout_session_names_the_checkout_and_is_made_once_sqlite, a_checkout_session_names_the_checkout_and_is_made_once_postgres);

/// A payment reported twice, and a delayed payment whose reports arrive out of order, are each one
/// payment, allocated as the checkout asked.
async fn a_payment_reported_twice_or_out_of_order_is_recorded_once(backend: Backend) {
    let shop = Shop::open(backend).await;
    let card = shop.checkout("24.67").await;
    let paid = shop.pay(&card, "card").await;
    assert_eq!(shop.deliver(&paid).await, StatusCode::OK);
    assert_eq!(shop.deliver(&paid).await, StatusCode::OK, "again");
    let payments = shop.payments().await;
    assert_eq!(payments.len(), 1);
    let payment = &payments[0];
    let pi = payment_intent(&paid);
    assert_eq!(
        payment.received.id,
        gateway_payment_id(Provider::Stripe, &pi)
    );
    assert_eq!(payment.received.amount, shop.eur("24.67"));
    assert_eq!(payment.received.reference, pi);
    assert_eq!(payment.received.received_on, business_date(&paid));
    assert_eq!(payment.allocation.lines.len(), 1);
    assert_eq!(payment.allocation.lines[0].item.invoice_id, shop.invoice);
    assert_eq!(payment.allocation.lines[0].amount, shop.eur("24.67"));
    assert_eq!(
        shop.stored(card.checkout.id).await.checkout.state,
        CheckoutState::Paid {
            gateway_payment: pi.clone(),
            payment_id: payment.received.id,
            amount: shop.eur("24.67"),
            paid_on: business_date(&paid),
            receipt_to: Some("ap@customer.example".into()),
        }
    );

    // A delayed method: finished unpaid, then settled; the settlement arrives first.
    let delayed = shop.checkout("10.00").await;
    let completed = shop.pay(&delayed, "delayed").await;
    let session = delayed.gateway_session.as_deref().unwrap();
    let succeeded = Signed::of(
        &shop
            .stand_in
            .control(
                &format!("/test/sessions/{session}/settle"),
                json!({ "outcome": "succeeded" }),
            )
            .await,
    );
    assert_eq!(
        succeeded.event["type"],
        "checkout.session.async_payment_succeeded"
    );
    assert_eq!(shop.deliver(&succeeded).await, StatusCode::OK);
    assert_eq!(shop.deliver(&completed).await, StatusCode::OK, "late");
    assert_eq!(shop.deliver(&succeeded).await, StatusCode::OK, "again");
    let delayed_pi = payment_intent(&succeeded);
    let of_delayed: Vec<Payment> = shop
        .payments()
        .await
        .into_iter()
        .filter(|p| p.received.reference == delayed_pi)
        .collect();
    assert_eq!(of_delayed.len(), 1);
    assert_eq!(of_delayed[0].received.amount, shop.eur("10.00"));
    assert!(matches!(
        shop.stored(delayed.checkout.id).await.checkout.state,
        CheckoutState::Paid { .. }
    ));

    // A delayed payment that fails records nothing and marks the checkout failed.
    let failing = shop.checkout("5.00").await;
    let completed = shop.pay(&failing, "delayed").await;
    assert_eq!(shop.deliver(&completed).await, StatusCode::OK);
    assert_eq!(
        shop.stored(failing.checkout.id).await.checkout.state,
        CheckoutState::Pending
    );
    let session = failing.gateway_session.as_deref().unwrap();
    let failed = Signed::of(
        &shop
            .stand_in
            .control(
                &format!("/test/sessions/{session}/settle"),
                json!({ "outcome": "failed" }),
            )
            .await,
    );
    assert_eq!(shop.deliver(&failed).await, StatusCode::OK);
    assert!(matches!(
        shop.stored(failing.checkout.id).await.checkout.state,
        CheckoutState::Failed { .. }
    ));
    assert_eq!(shop.payments().await.len(), 2);

    // An event Remit does not handle is acknowledged and ignored.
    let other = Signed::of(
        &shop
            .stand_in
            .control(
                "/test/sign",
                json!({ "payload": json!({
                    "id": "evt_other", "object": "event", "type": "customer.created",
                    "created": 1_796_000_000, "data": { "object": { "id": "cus_1" } },
                }).to_string() }),
            )
            .await,
    );
    assert_eq!(shop.deliver(&other).await, StatusCode::OK);
    // A signed body that is not an event is refused.
    let garbage = Signed::of(
        &shop
            .stand_in
            .control("/test/sign", json!({ "payload": "not json" }))
            .await,
    );
    assert_eq!(shop.deliver(&garbage).await, StatusCode::BAD_REQUEST);
}
on_both_backends!(a_payment_reported_twice_or_out_of_order_is_recorded_once => a_payment_reported_twice_or_out_of_order_is_recorded_once_sqlite, a_payment_reported_twice_or_out_of_order_is_recorded_once_postgres);

/// The customer's return to the success page asks Stripe and settles what it says; racing the webhook,
/// it still records one payment.
async fn the_success_page_racing_the_webhook_records_one_payment(backend: Backend) {
    let shop = Shop::open(backend).await;
    let checkout = shop.checkout("24.67").await;
    let config = shop.app.gateways.clone();
    let clock = shop.app.clock();

    let before = stripe::confirm(&shop.app.store, &clock, &config, &checkout)
        .await
        .unwrap();
    assert!(
        matches!(before.decision, GatewayDecision::Ignore { .. }),
        "the customer has not paid yet"
    );
    assert!(shop.payments().await.is_empty());

    let paid = shop.pay(&checkout, "card").await;
    let (webhook, page) = tokio::join!(
        shop.deliver(&paid),
        stripe::confirm(&shop.app.store, &clock, &config, &checkout)
    );
    assert_eq!(webhook, StatusCode::OK);
    let page = page.expect("the success page settles");
    assert!(matches!(
        page.decision,
        GatewayDecision::Apply { .. } | GatewayDecision::Ignore { .. }
    ));
    let race_day = clock::today_in(
        clock::zone(&TimeZoneName::parse("Europe/Berlin").unwrap()).unwrap(),
        clock.now(),
    );
    // The customer reloads the success page two days later: the payment is recorded as it was.
    shop.app
        .clock
        .advance(Duration::from_secs(2 * 24 * 60 * 60));
    let again = stripe::confirm(&shop.app.store, &clock, &config, &checkout).await;
    assert!(again.is_ok(), "{again:?}");
    let payments = shop.payments().await;
    assert_eq!(payments.len(), 1);
    assert_eq!(
        payments[0].received.id,
        gateway_payment_id(Provider::Stripe, &payment_intent(&paid))
    );
    assert_eq!(
        payments[0].allocation.lines[0].item.invoice_id,
        shop.invoice
    );
    let recorded_on = payments[0].received.received_on;
    assert!(
        recorded_on == business_date(&paid) || recorded_on == race_day,
        "dated by the first report: {recorded_on}"
    );
}
on_both_backends!(the_success_page_racing_the_webhook_records_one_payment => the_success_page_racing_the_webhook_records_one_payment_sqlite, the_success_page_racing_the_webhook_records_one_payment_postgres);

/// A refund made in Stripe's dashboard becomes one refund of the payment, however often it is
/// reported; reported before the payment, Stripe is asked to send it again later.
async fn a_refund_made_in_stripes_dashboard_becomes_one_refund(backend: Backend) {
    let shop = Shop::open(backend).await;
    let checkout = shop.checkout("24.67").await;
    let paid = shop.pay(&checkout, "card").await;
    let pi = payment_intent(&paid);
    let refunded = Signed::of(
        &shop
            .stand_in
            .control(
                &format!("/test/payment_intents/{pi}/refund"),
                json!({ "amount": 1000 }),
            )
            .await,
    );
    assert_eq!(refunded.event["type"], "charge.refunded");
    assert_eq!(
        shop.deliver(&refunded).await,
        StatusCode::SERVICE_UNAVAILABLE,
        "the payment is not recorded yet"
    );
    assert_eq!(shop.deliver(&paid).await, StatusCode::OK);
    assert_eq!(shop.deliver(&refunded).await, StatusCode::OK);
    assert_eq!(shop.deliver(&refunded).await, StatusCode::OK, "again");
    let refunds = shop.refunds().await;
    assert_eq!(refunds.len(), 1);
    let refund = &refunds[0];
    let stripe_refund = refunded.event["data"]["object"]["refunds"]["data"][0]["id"]
        .as_str()
        .unwrap();
    assert_eq!(refund.amount, shop.eur("10.00"));
    assert_eq!(refund.gateway_refund.as_deref(), Some(stripe_refund));
    assert_eq!(
        refund.payment_id,
        Some(gateway_payment_id(Provider::Stripe, &pi))
    );
    // Made in Stripe: nothing is sent back to it.
    assert_eq!(shop.send_refunds().await, 0);
    assert_eq!(
        shop.stand_in.get("/test/refunds").await["requests"],
        0,
        "no refund asked of Stripe"
    );
}
on_both_backends!(a_refund_made_in_stripes_dashboard_becomes_one_refund => a_refund_made_in_stripes_dashboard_becomes_one_refund_sqlite, a_refund_made_in_stripes_dashboard_becomes_one_refund_postgres);

/// Log output kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// The log of this test process from the first call on: every test's server logs there. A process-wide
/// subscriber, since one set for a test's thread alone may miss events whose interest another thread
/// cached first.
fn captured_log() -> Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let log = Captured::default();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::INFO)
            .with_writer(log.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::set_global_default(subscriber).expect("no other test sets a logger");
        log
    })
    .clone()
}

/// A refund a billing user records for a Stripe payment is made in Stripe once, under the refund's id;
/// one Stripe refuses raises an exception item. Neither the secret key nor a webhook secret is ever in
/// a pull, an audit row or the log.
async fn a_workspace_refund_is_made_in_stripe_once_and_a_refusal_is_raised(backend: Backend) {
    let log = captured_log();
    let mut shop = Shop::open(backend).await;
    let checkout = shop.checkout("40.00").await;
    let paid = shop.pay(&checkout, "card").await;
    let pi = payment_intent(&paid);
    assert_eq!(shop.deliver(&paid).await, StatusCode::OK);
    let forged = paid.signature.replace("t=", "t=1");
    assert_eq!(
        shop.deliver_raw(&paid.payload, Some(&forged)).await,
        StatusCode::BAD_REQUEST
    );
    let payment = shop.payments().await.remove(0);

    let refund = shop.refund(&payment, "10.00").await;
    assert_eq!(shop.send_refunds().await, 1);
    assert_eq!(shop.send_refunds().await, 0, "sent once");
    let seen = shop.stand_in.get("/test/refunds").await;
    assert_eq!(seen["requests"], 1);
    let made = &seen["refunds"][0];
    assert_eq!(made["idempotency_key"], refund.to_string().as_str());
    assert_eq!(
        made["refund"]["metadata"]["remit_refund_id"],
        refund.to_string().as_str()
    );
    assert_eq!(made["refund"]["amount"], 1000);
    assert_eq!(made["refund"]["payment_intent"], pi.as_str());
    let status: String = sqlx::query("SELECT status FROM gateway_refunds WHERE refund_id = $1")
        .bind(refund.to_string())
        .fetch_one(shop.app.store.pool())
        .await
        .unwrap()
        .get("status");
    assert_eq!(status, "sent");
    // Stripe reports the refund Remit asked for: it is recorded already, not again.
    let reported = Signed::of(
        &shop
            .stand_in
            .control(
                &format!("/test/payment_intents/{pi}/charge_refunded"),
                json!({}),
            )
            .await,
    );
    assert_eq!(shop.deliver(&reported).await, StatusCode::OK);
    assert_eq!(shop.refunds().await.len(), 1);

    // 30.00 is left of the payment: Stripe refuses 35.00.
    let too_much = shop.refund(&payment, "35.00").await;
    assert_eq!(shop.send_refunds().await, 1);
    assert_eq!(shop.stand_in.get("/test/refunds").await["requests"], 2);
    let raised: Vec<ExceptionItem> = shop
        .exceptions()
        .await
        .into_iter()
        .filter(|e| matches!(e.kind, ExceptionKind::RefundRefusedByGateway { .. }))
        .collect();
    assert_eq!(raised.len(), 1);
    let ExceptionKind::RefundRefusedByGateway {
        refund_id,
        amount,
        reason,
    } = &raised[0].kind
    else {
        unreachable!()
    };
    assert_eq!(*refund_id, too_much);
    assert_eq!(*amount, shop.eur("35.00"));
    assert!(reason.contains("amount_too_large"), "{reason}");
    assert_eq!(
        serde_json::to_value(&raised[0].kind).unwrap()["kind"],
        "refund_refused_by_gateway"
    );
    assert_eq!(shop.send_refunds().await, 0, "refused for good");

    // No secret anywhere a person or a device reads.
    let secrets = [SECRET_KEY, WEBHOOK_SECRET, OLD_WEBHOOK_SECRET];
    let pulled = shop
        .owner
        .pull_raw(new_client(), None, None)
        .await
        .text()
        .await
        .unwrap();
    let audit: Vec<String> = sqlx::query("SELECT summary FROM audit_log")
        .fetch_all(shop.app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|row| row.get("summary"))
        .collect();
    assert!(audit.iter().any(|s| s.contains("refund")), "audited");
    let logged = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(logged.contains("stripe webhook refused"), "{logged}");
    assert!(logged.contains("gateway refund"), "{logged}");
    for secret in secrets {
        assert!(!pulled.contains(secret), "pull");
        assert!(audit.iter().all(|s| !s.contains(secret)), "audit");
        assert!(!logged.contains(secret), "log");
    }
    assert!(!logged.contains(&paid.signature), "no signature in the log");
}
on_both_backends!(a_workspace_refund_is_made_in_stripe_once_and_a_refusal_is_raised => a_workspace_refund_is_made_in_stripe_once_and_a_refusal_is_raised_sqlite, a_workspace_refund_is_made_in_stripe_once_and_a_refusal_is_raised_postgres);

/// The `status` and `attempts` of the queued refund `refund`.
async fn queued(shop: &Shop, refund: RefundId) -> (String, i64) {
    let row = sqlx::query("SELECT status, attempts FROM gateway_refunds WHERE refund_id = $1")
        .bind(refund.to_string())
        .fetch_one(shop.app.store.pool())
        .await
        .unwrap();
    (row.get("status"), row.get("attempts"))
}

/// A refund Stripe cannot be reached for is tried again after the backoff, and once given up on, it is
/// raised as refused.
async fn a_refund_stripe_never_answers_is_retried_then_raised(backend: Backend) {
    let mut shop = Shop::open(backend).await;
    let checkout = shop.checkout("24.67").await;
    assert_eq!(
        shop.deliver(&shop.pay(&checkout, "card").await).await,
        StatusCode::OK
    );
    let payment = shop.payments().await.remove(0);
    let refund = shop.refund(&payment, "5.00").await;
    // Nothing listens on port 9 of this host.
    let unreachable =
        GatewayConfig::new("http://127.0.0.1:9".into(), Duration::from_secs(300)).unwrap();
    let sender = RefundSender::new(
        shop.app.store.clone(),
        shop.app.clock(),
        unreachable,
        Duration::from_secs(3600),
    );
    assert_eq!(sender.send_due(shop.app.clock.now_ms()).await.unwrap(), 1);
    assert_eq!(queued(&shop, refund).await, ("queued".into(), 1));
    assert_eq!(
        sender.send_due(shop.app.clock.now_ms()).await.unwrap(),
        0,
        "not due before its backoff"
    );
    let mut attempts = 1;
    while queued(&shop, refund).await.0 == "queued" {
        shop.app.clock.advance(Duration::from_secs(6 * 60 * 60));
        assert_eq!(sender.send_due(shop.app.clock.now_ms()).await.unwrap(), 1);
        attempts += 1;
    }
    assert_eq!(
        attempts, 12,
        "given up after the webhook backoff's attempts"
    );
    assert_eq!(queued(&shop, refund).await, ("refused".into(), 12));
    let raised = shop.exceptions().await;
    assert!(
        raised.iter().any(|e| matches!(
            &e.kind,
            ExceptionKind::RefundRefusedByGateway { refund_id, reason, .. }
                if *refund_id == refund && reason.contains("did not answer after 12 attempts")
        )),
        "{raised:?}"
    );
    assert_eq!(
        shop.stand_in.get("/test/refunds").await["requests"],
        0,
        "the stand-in was never reached"
    );
}
on_both_backends!(a_refund_stripe_never_answers_is_retried_then_raised => a_refund_stripe_never_answers_is_retried_then_raised_sqlite, a_refund_stripe_never_answers_is_retried_then_raised_postgres);

/// The sandbox refunds what is left of its payment and refuses more, as a card gateway does.
async fn the_sandbox_refunds_at_most_what_is_left_of_its_payment(backend: Backend) {
    let mut shop = Shop::open(backend).await;
    let mut tx = shop.app.store.write().await.unwrap();
    let sandbox = GatewayAccount {
        provider: Provider::Sandbox,
        secret_key: String::new(),
        webhook_secrets: Vec::new(),
    };
    gateway_store::put_account(&mut tx, shop.org, &sandbox, shop.app.clock.now_ms())
        .await
        .unwrap();
    let checkout = Checkout {
        id: new_id(),
        organisation_id: shop.org,
        customer_id: shop.customer.id,
        link_id: new_id(),
        provider: Provider::Sandbox,
        amount: shop.eur("24.67"),
        instruction: Instruction::Named(vec![shop.invoice]),
        state: CheckoutState::Open,
    };
    gateway_store::insert_checkout(&mut tx, &checkout, "203.0.113.9", shop.app.clock.now_ms())
        .await
        .unwrap();
    tx.commit().await.unwrap();
    // What the sandbox's card page reports when the customer pays.
    let paid = GatewayEvent::Paid {
        checkout: checkout.id,
        gateway_payment: format!("sandbox_{}", checkout.id),
        amount: shop.eur("24.67"),
        paid_on: date("2026-12-01"),
        payer_email: None,
    };
    remit_server::gateway::settle(
        &shop.app.store,
        &shop.app.clock(),
        (shop.org, Provider::Sandbox),
        &paid,
    )
    .await
    .unwrap();
    let payment = shop.payments().await.remove(0);

    let first = shop.refund(&payment, "10.00").await;
    assert_eq!(shop.send_refunds().await, 1);
    assert_eq!(queued(&shop, first).await.0, "sent");
    // 14.67 is left.
    let too_much = shop.refund(&payment, "14.68").await;
    assert_eq!(shop.send_refunds().await, 1);
    assert_eq!(queued(&shop, too_much).await.0, "refused");
    let rest = shop.refund(&payment, "14.67").await;
    assert_eq!(shop.send_refunds().await, 1);
    assert_eq!(queued(&shop, rest).await.0, "sent");
    let refused: Vec<RefundId> = shop
        .exceptions()
        .await
        .into_iter()
        .filter_map(|e| match e.kind {
            ExceptionKind::RefundRefusedByGateway {
                refund_id, reason, ..
            } if reason.starts_with("amount_too_large") => Some(refund_id),
            _ => None,
        })
        .collect();
    assert_eq!(refused, vec![too_much]);
    assert_eq!(
        shop.stand_in.get("/test/refunds").await["requests"],
        0,
        "nothing went to Stripe"
    );
}
on_both_backends!(the_sandbox_refunds_at_most_what_is_left_of_its_payment => the_sandbox_refunds_at_most_what_is_left_of_its_payment_sqlite, the_sandbox_refunds_at_most_what_is_left_of_its_payment_postgres);

/// A refund of a payment Stripe does not know is refused by Stripe and raised.
async fn a_refund_of_a_payment_stripe_does_not_know_is_raised(backend: Backend) {
    let mut shop = Shop::open(backend).await;
    let checkout = shop.checkout("24.67").await;
    // A report of a payment intent the stand-in never made (another Stripe account's, say).
    let paid = GatewayEvent::Paid {
        checkout: checkout.checkout.id,
        gateway_payment: "pi_test_unknown_to_stripe".into(),
        amount: shop.eur("24.67"),
        paid_on: date("2026-12-01"),
        payer_email: None,
    };
    remit_server::gateway::settle(
        &shop.app.store,
        &shop.app.clock(),
        (shop.org, Provider::Stripe),
        &paid,
    )
    .await
    .unwrap();
    let payment = shop.payments().await.remove(0);
    let refund = shop.refund(&payment, "5.00").await;
    assert_eq!(shop.send_refunds().await, 1);
    assert_eq!(queued(&shop, refund).await, ("refused".into(), 1));
    assert_eq!(shop.stand_in.get("/test/refunds").await["requests"], 1);
    let reasons: Vec<String> = shop
        .exceptions()
        .await
        .into_iter()
        .filter_map(|e| match e.kind {
            ExceptionKind::RefundRefusedByGateway {
                refund_id, reason, ..
            } if refund_id == refund => Some(reason),
            _ => None,
        })
        .collect();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons[0].starts_with("resource_missing: "), "{reasons:?}");
}
on_both_backends!(a_refund_of_a_payment_stripe_does_not_know_is_raised => a_refund_of_a_payment_stripe_does_not_know_is_raised_sqlite, a_refund_of_a_payment_stripe_does_not_know_is_raised_postgres);
