//! Every API route, tried against organisation A by the owner of another organisation and by a read-only
//! user of A: the first sees none of A's data, and neither changes anything of A's. The cases are keyed
//! by the route table, so a new route without a case here fails this test.

use remit_core::customer::Customer;
use remit_core::document::InvoiceDraft;
use remit_core::document::issue::CreditScope;
use remit_core::document::issued::IssueCreditNote;
use remit_core::gateway::RefundRefused;
use remit_core::ids::{
    ClientId, CreditNoteId, InvoiceId, OrganisationId, PaymentId, RefundId, ThreadId,
};
use remit_core::mail::{MailedDocument, MailedKind, SendMail};
use remit_core::money::Money;
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::payment::RefundPayment;
use remit_core::receivables::thread::ThreadKind;
use remit_core::sync::{Command, Mutation, MutationErrorKind, MutationStatus};
use remit_server::auth::Role;
use remit_server::http::{ApiRoute, ROUTES};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::*;
use crate::on_both_backends;

const OTHER_OWNER: &str = "bob@other.example";
const READER: &str = "auditor@acme.example";
/// A's gateway's secrets.
const GATEWAY_KEY: &str = "sk_test_acme0secret0key0x7Q";
const GATEWAY_WEBHOOK_SECRET: &str = "whsec_acme0secret0hook";

/// Organisation A with a customer, a draft, an issued invoice with a payment (an overpayment, which
/// raises an exception item) and a refund of it, a dispute, a credit note and a mail, a number lease, a
/// customer's disputing thread with an answer, its payment gateway, and the owner's device, plus the
/// two outsiders' accounts.
struct World {
    app: TestApp,
    owner: Api,
    org: OrganisationId,
    owner_client: ClientId,
    customer: Customer,
    draft: InvoiceDraft,
    invoice: InvoiceId,
    credit_note: CreditNoteId,
    payment: PaymentId,
    refund: RefundId,
    thread: ThreadId,
    /// A's link to the customer's portal.
    portal_link: String,
    /// How many changes A has.
    changes: usize,
    /// The newest change of organisation A: what a pull of A's says its progress runs to.
    head: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Intruder {
    /// The owner of another organisation.
    OtherOrganisation,
    /// A read-only user of A: may read A's data, must not change it.
    ReadOnly,
}

impl Intruder {
    fn email(self) -> &'static str {
        match self {
            Intruder::OtherOrganisation => OTHER_OWNER,
            Intruder::ReadOnly => READER,
        }
    }
}

impl World {
    async fn new(backend: Backend) -> Self {
        let app = spawn_app(backend).await;
        let (owner, info) = app.set_up().await;
        let org = organisation_of(&info);
        let owner_client = new_client();
        let customer = customer(org, "Secret Customer AS");
        let draft = draft(&customer);
        set_up_seller(&owner, org).await;
        let invoice = new_id();
        let credit_note: CreditNoteId = new_id();
        let thread: ThreadId = new_id();
        let mut overpaid = payment(&customer, "100.00", "2026-12-01");
        overpaid.instruction = Instruction::Named(vec![invoice]);
        let refund: RefundId = new_id();
        let reply = owner
            .push(
                owner_client,
                vec![
                    upsert(1, &customer),
                    save(2, &draft),
                    issue_numbered(3, invoice, &self::draft(&customer)),
                    pay(4, &overpaid),
                    dispute(5, org, invoice, "2026-12-02"),
                    take_lease(6, org, new_id(), 5),
                    Command::IssueCreditNote(IssueCreditNote {
                        credit_note_id: credit_note,
                        organisation_id: org,
                        invoice_id: invoice,
                        issue_date: date("2026-12-03"),
                        scope: CreditScope::Full,
                        note: String::new(),
                    })
                    .to_mutation(7),
                    send_mail(8, org, invoice, "ap@secret.example"),
                    open_thread(9, thread, (org, customer.id), invoice, ThreadKind::Dispute),
                    reply_to_thread(10, org, thread, "Secret answer"),
                    Command::RefundPayment(RefundPayment {
                        id: refund,
                        organisation_id: org,
                        customer_id: customer.id,
                        payment_id: Some(overpaid.id),
                        amount: Money::parse("5.00", customer.currency).unwrap(),
                        paid_on: date("2026-12-04"),
                        method: PaymentMethod::BankTransfer,
                        reference: String::new(),
                        gateway_refund: None,
                    })
                    .to_mutation(11),
                ],
            )
            .await;
        assert!(
            reply
                .results
                .iter()
                .all(|r| r.status == MutationStatus::Applied)
        );
        let everything = owner.pull(owner_client, None, Some(5000)).await;
        let (changes, head) = (everything.patch.len(), everything.head.unwrap());
        let links = format!("/api/customers/{}/portal-links", customer.id);
        let link = owner.post(&links, &json!({})).await;
        assert_eq!(link.status(), StatusCode::CREATED);
        let link: Value = link.json().await.unwrap();
        let portal_link = link["id"].as_str().unwrap().to_owned();
        let gateway = json!({
            "provider": "stripe",
            "secret_key": GATEWAY_KEY,
            "webhook_secrets": [GATEWAY_WEBHOOK_SECRET],
        });
        assert_eq!(
            owner.put("/api/gateway", &gateway).await.status(),
            StatusCode::OK
        );
        app.user("Other Org", OTHER_OWNER, Role::Owner).await;
        app.user("Acme GmbH", READER, Role::ReadOnly).await;
        Self {
            app,
            owner,
            org,
            owner_client,
            customer,
            draft,
            invoice,
            credit_note,
            payment: overpaid.id,
            refund,
            thread,
            portal_link,
            changes,
            head,
        }
    }

    /// A fresh browser signed in as the intruder.
    async fn signed_in(&self, intruder: Intruder) -> Api {
        let browser = self.app.browser();
        let response = browser.sign_in(intruder.email(), PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
        browser
    }

    /// Texts that only A's data contains.
    fn markers(&self) -> Vec<String> {
        vec![
            self.org.to_string(),
            "Acme GmbH".into(),
            OWNER_EMAIL.into(),
            self.customer.id.to_string(),
            self.customer.name.clone(),
            self.draft.id.to_string(),
            self.invoice.to_string(),
            self.credit_note.to_string(),
            self.payment.to_string(),
            self.refund.to_string(),
            self.thread.to_string(),
            "Secret answer".into(),
            self.owner_client.to_string(),
            self.portal_link.clone(),
            "INV-".into(),
            "Hauptstraße".into(),
            GATEWAY_KEY.into(),
            GATEWAY_KEY[GATEWAY_KEY.len() - 4..].into(),
            GATEWAY_WEBHOOK_SECRET.into(),
        ]
    }

    /// Everything of A's that an intruder must not change, and whether A's owner is still signed in.
    async fn state_of_a(&self) -> Vec<String> {
        let org = self.org.to_string();
        let client = self.owner_client.to_string();
        let queries = [
            (
                "SELECT id || ' ' || name FROM organisations ORDER BY id",
                None,
            ),
            (
                "SELECT email || ' ' || role FROM users WHERE organisation_id = $1 ORDER BY email",
                Some(&org),
            ),
            (
                "SELECT id || ' ' || name || ' ' || change_no FROM customers \
                 WHERE organisation_id = $1 ORDER BY id",
                Some(&org),
            ),
            (
                "SELECT id || ' ' || version || ' ' || body FROM invoice_drafts \
                 WHERE organisation_id = $1 ORDER BY id",
                Some(&org),
            ),
            (
                "SELECT change_no || ' ' || entity_id FROM changes \
                 WHERE organisation_id = $1 ORDER BY change_no",
                Some(&org),
            ),
            (
                "SELECT user_id || ' ' || last_mutation_id FROM sync_clients WHERE client_id = $1",
                Some(&client),
            ),
            (
                "SELECT id || ' ' || to_address || ' ' || status FROM mail_queue \
                 WHERE organisation_id = $1 ORDER BY id",
                Some(&org),
            ),
            (
                "SELECT id || ' ' || customer_id || ' ' || expires_on || ' ' || \
                   CASE WHEN revoked_at_ms IS NULL THEN 'open' ELSE 'revoked' END \
                 FROM portal_links WHERE organisation_id = $1 ORDER BY id",
                Some(&org),
            ),
            (
                "SELECT provider || ' ' || secret_key || ' ' || webhook_secrets || ' ' || \
                   updated_at_ms FROM gateway_accounts WHERE organisation_id = $1",
                Some(&org),
            ),
        ];
        let mut state = Vec::new();
        for (sql, bind) in queries {
            let query = sqlx::query_scalar(sql);
            let query = match bind {
                Some(value) => query.bind(value),
                None => query,
            };
            let rows: Vec<String> = query.fetch_all(self.app.store.pool()).await.unwrap();
            state.push(rows.join("\n"));
        }
        state.push(self.owner.get("/api/session").await.status().to_string());
        state
    }
}

/// `refund.refused` of `refund` in `organisation`, as mutation `id`.
fn refund_refused(id: u64, organisation: OrganisationId, refund: RefundId) -> Mutation {
    Command::RefundRefused(RefundRefused {
        organisation_id: organisation,
        refund_id: refund,
        reason: "refused by an intruder".into(),
    })
    .to_mutation(id)
}

/// What one attempt answered.
struct Answer {
    status: StatusCode,
    body: String,
}

async fn answer(response: reqwest::Response) -> Answer {
    Answer {
        status: response.status(),
        body: response.text().await.unwrap(),
    }
}

fn json_of(answer: &Answer) -> Value {
    serde_json::from_str(&answer.body).unwrap()
}

/// 200 for a reader of A, 404 for anyone else: another organisation's ids do not exist for them.
fn found_by(reads_a: bool) -> StatusCode {
    if reads_a {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    }
}

/// A push whose every mutation must have been refused as forbidden.
fn assert_all_forbidden(answer: &Answer) {
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let results = json_of(answer)["results"].as_array().unwrap().clone();
    assert!(!results.is_empty());
    for result in results {
        assert_eq!(result["status"], "rejected", "{result}");
        assert_eq!(
            result["error"]["kind"],
            serde_json::to_value(MutationErrorKind::Forbidden).unwrap()
        );
    }
}

/// Tries the route against A as `intruder`, asserts what the route must answer, and returns every answer
/// for the checks common to all routes.
async fn attempt(route: &ApiRoute, intruder: Intruder, as_: &Api, w: &World) -> Vec<Answer> {
    let reads_a = intruder == Intruder::ReadOnly;
    match (route.method.as_str(), route.path) {
        ("GET", "/setup") => {
            let a = answer(as_.get("/api/setup").await).await;
            assert_eq!(json_of(&a), json!({"needed": false}));
            vec![a]
        }
        ("POST", "/setup") => {
            let mut body = setup_body();
            body["email"] = json!("takeover@evil.example");
            let a = answer(as_.post("/api/setup", &body).await).await;
            assert_eq!(a.status, StatusCode::CONFLICT);
            vec![a]
        }
        ("GET", "/session") => {
            let a = answer(as_.get("/api/session").await).await;
            assert_eq!(a.status, StatusCode::OK);
            assert_eq!(json_of(&a)["user"]["email"], intruder.email());
            vec![a]
        }
        ("POST", "/session") => {
            let a = answer(as_.sign_in(OWNER_EMAIL, "a guess at the password").await).await;
            assert_eq!(a.status, StatusCode::UNAUTHORIZED);
            vec![a]
        }
        ("DELETE", "/session") => {
            let a = answer(as_.delete("/api/session").await).await;
            assert_eq!(a.status, StatusCode::NO_CONTENT);
            vec![a]
        }
        ("POST", "/sync/push") => {
            let mut renamed = w.customer.clone();
            renamed.name = "Renamed by an intruder".into();
            let mut emptied = w.draft.clone();
            emptied.lines.truncate(1);
            emptied.version = 1;
            let mailed = send_mail(3, w.org, w.invoice, "intruder@evil.example");
            let answered = reply_to_thread(4, w.org, w.thread, "Answered by an intruder");
            let resolved = reject_thread(5, w.org, w.thread);
            let refused = refund_refused(6, w.org, w.refund);
            let receipt = Command::SendMail(SendMail {
                id: new_id(),
                organisation_id: w.org,
                document: MailedDocument {
                    kind: MailedKind::Receipt,
                    id: w.payment.as_uuid(),
                },
                to: "intruder@evil.example".into(),
                subject: String::new(),
                message: String::new(),
            })
            .to_mutation(7);
            let own = answer(
                as_.push_raw(
                    new_client(),
                    vec![
                        upsert(1, &renamed),
                        save(2, &emptied),
                        mailed,
                        answered,
                        resolved,
                        refused,
                        receipt,
                    ],
                )
                .await,
            )
            .await;
            assert_all_forbidden(&own);
            // In the intruder's own organisation, A's refund and payment are none of theirs.
            let mut answers = Vec::new();
            if !reads_a {
                let session = json_of(&answer(as_.get("/api/session").await).await);
                let theirs: OrganisationId =
                    serde_json::from_value(session["organisation"]["id"].clone()).unwrap();
                let receipt_in_theirs = Command::SendMail(SendMail {
                    id: new_id(),
                    organisation_id: theirs,
                    document: MailedDocument {
                        kind: MailedKind::Receipt,
                        id: w.payment.as_uuid(),
                    },
                    to: "intruder@evil.example".into(),
                    subject: String::new(),
                    message: String::new(),
                })
                .to_mutation(2);
                let in_their_own = answer(
                    as_.push_raw(
                        new_client(),
                        vec![refund_refused(1, theirs, w.refund), receipt_in_theirs],
                    )
                    .await,
                )
                .await;
                let results = json_of(&in_their_own)["results"].clone();
                assert_eq!(results.as_array().unwrap().len(), 2, "{results}");
                for (result, field) in results
                    .as_array()
                    .unwrap()
                    .iter()
                    .zip(["refund_id", "document.id"])
                {
                    assert_eq!(result["status"], "rejected", "{result}");
                    assert_eq!(result["error"]["field"], field, "{result}");
                }
                answers.push(in_their_own);
            }
            let through_owners_device = answer(
                as_.push_raw(w.owner_client, vec![upsert(3, &renamed)])
                    .await,
            )
            .await;
            assert_eq!(through_owners_device.status, StatusCode::FORBIDDEN);
            answers.extend([own, through_owners_device]);
            answers
        }
        ("POST", "/sync/pull") => {
            let own = answer(as_.pull_raw(new_client(), None, None).await).await;
            assert_eq!(own.status, StatusCode::OK);
            let patch = json_of(&own)["patch"].as_array().unwrap().len();
            assert_eq!(patch, if reads_a { w.changes } else { 0 });
            // The progress a pull shows runs to the caller's own organisation's newest change.
            let head = json_of(&own)["head"].as_u64().unwrap();
            if reads_a {
                assert_eq!(head, w.head);
            } else {
                assert!(
                    head < w.head,
                    "another organisation's pull runs to A's newest change"
                );
            }
            let through_owners_device =
                answer(as_.pull_raw(w.owner_client, None, None).await).await;
            assert_eq!(through_owners_device.status, StatusCode::FORBIDDEN);
            vec![own, through_owners_device]
        }
        ("GET", "/invoice-drafts/{id}") => {
            let a = answer(
                as_.get(&format!("/api/invoice-drafts/{}", w.draft.id))
                    .await,
            )
            .await;
            let expected = if reads_a {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(a.status, expected);
            vec![a]
        }
        ("GET", "/customers") => {
            let a = answer(as_.get("/api/customers").await).await;
            assert_eq!(a.status, StatusCode::OK);
            let listed = json_of(&a).as_array().unwrap().len();
            assert_eq!(listed, usize::from(reads_a));
            vec![a]
        }
        ("GET", "/invoices") => {
            let all = answer(as_.get("/api/invoices").await).await;
            let of_customer = answer(
                as_.get(&format!("/api/invoices?customer_id={}", w.customer.id))
                    .await,
            )
            .await;
            for a in [&all, &of_customer] {
                assert_eq!(a.status, StatusCode::OK);
                assert_eq!(json_of(a).as_array().unwrap().len(), usize::from(reads_a));
            }
            vec![all, of_customer]
        }
        ("GET", "/invoices/{id}") => {
            let a = answer(as_.get(&format!("/api/invoices/{}", w.invoice)).await).await;
            assert_eq!(a.status, found_by(reads_a));
            vec![a]
        }
        ("GET", "/invoices/{id}/{file}") => {
            let mut answers = Vec::new();
            for file in ["pdf", "ubl", "cii"] {
                let a = answer(
                    as_.get(&format!("/api/invoices/{}/{file}", w.invoice))
                        .await,
                )
                .await;
                assert_eq!(a.status, found_by(reads_a), "{file}");
                answers.push(a);
            }
            answers
        }
        ("GET", "/credit-notes/{id}/{file}") => {
            let mut answers = Vec::new();
            for file in ["pdf", "ubl", "cii"] {
                let path = format!("/api/credit-notes/{}/{file}", w.credit_note);
                let a = answer(as_.get(&path).await).await;
                assert_eq!(a.status, found_by(reads_a), "{file}");
                answers.push(a);
            }
            answers
        }
        ("GET", "/payments") => {
            let all = answer(as_.get("/api/payments").await).await;
            let of_customer = answer(
                as_.get(&format!("/api/payments?customer_id={}", w.customer.id))
                    .await,
            )
            .await;
            for a in [&all, &of_customer] {
                assert_eq!(a.status, StatusCode::OK);
                assert_eq!(json_of(a).as_array().unwrap().len(), usize::from(reads_a));
            }
            vec![all, of_customer]
        }
        ("GET", "/customers/{id}/statement") => {
            let a = answer(
                as_.get(&format!(
                    "/api/customers/{}/statement?from=2026-11-01&to=2026-12-31",
                    w.customer.id
                ))
                .await,
            )
            .await;
            assert_eq!(a.status, found_by(reads_a));
            vec![a]
        }
        ("GET", "/payments/{id}/receipt") => {
            let path = format!("/api/payments/{}/receipt", w.payment);
            let a = answer(as_.get(&path).await).await;
            assert_eq!(a.status, found_by(reads_a));
            vec![a]
        }
        ("GET", "/customers/{id}/statement/pdf") => {
            let a = answer(
                as_.get(&format!(
                    "/api/customers/{}/statement/pdf?from=2026-11-01&to=2026-12-31",
                    w.customer.id
                ))
                .await,
            )
            .await;
            assert_eq!(a.status, found_by(reads_a));
            vec![a]
        }
        ("GET", "/customers/{id}/aging") => {
            let a = answer(
                as_.get(&format!(
                    "/api/customers/{}/aging?on=2027-01-31",
                    w.customer.id
                ))
                .await,
            )
            .await;
            assert_eq!(a.status, found_by(reads_a));
            vec![a]
        }
        ("GET", "/numbering/report") => {
            let a = answer(as_.get("/api/numbering/report").await).await;
            assert_eq!(a.status, StatusCode::OK);
            let sequences = json_of(&a).as_array().unwrap().len();
            // The invoices', the credit notes' and the lease's sequences.
            assert_eq!(sequences, if reads_a { 3 } else { 0 });
            vec![a]
        }
        ("GET", "/exceptions") => {
            let a = answer(as_.get("/api/exceptions").await).await;
            assert_eq!(a.status, StatusCode::OK);
            assert_eq!(json_of(&a).as_array().unwrap().len(), usize::from(reads_a));
            vec![a]
        }
        ("GET", "/customers/{id}/portal-links") => {
            let path = format!("/api/customers/{}/portal-links", w.customer.id);
            let a = answer(as_.get(&path).await).await;
            assert_eq!(a.status, found_by(reads_a));
            if reads_a {
                let listed = json_of(&a);
                assert_eq!(listed[0]["id"], w.portal_link.as_str());
                assert!(!a.body.contains("/p/"), "a listing never shows a token");
            }
            vec![a]
        }
        ("POST", "/customers/{id}/portal-links") => {
            let path = format!("/api/customers/{}/portal-links", w.customer.id);
            let a = answer(as_.post(&path, &json!({})).await).await;
            let refused = if reads_a {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(a.status, refused, "{}", a.body);
            let for_invoice = json!({"invoice_id": w.invoice});
            let b = answer(as_.post(&path, &for_invoice).await).await;
            assert_eq!(b.status, refused, "{}", b.body);
            vec![a, b]
        }
        ("DELETE", "/portal-links/{id}") => {
            let a = answer(
                as_.delete(&format!("/api/portal-links/{}", w.portal_link))
                    .await,
            )
            .await;
            let refused = if reads_a {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(a.status, refused, "{}", a.body);
            vec![a]
        }
        ("GET", "/gateway") => {
            // Owners only: a reader of A is refused; another organisation's owner reads their own
            // organisation's, which has none.
            let a = answer(as_.get("/api/gateway").await).await;
            let expected = if reads_a {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::NOT_FOUND
            };
            assert_eq!(a.status, expected, "{}", a.body);
            vec![a]
        }
        ("PUT", "/gateway") => {
            // Another organisation's owner sets their own organisation's gateway, never A's.
            let sandbox = json!({"provider": "sandbox"});
            let a = answer(as_.put("/api/gateway", &sandbox).await).await;
            let expected = if reads_a {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::OK
            };
            assert_eq!(a.status, expected, "{}", a.body);
            vec![a]
        }
        ("GET", "/openapi.json") => {
            let a = answer(as_.get("/api/openapi.json").await).await;
            assert_eq!(a.status, StatusCode::OK);
            vec![a]
        }
        (method, path) => panic!("route {method} {path} has no isolation case: add one"),
    }
}

async fn no_route_leaks_or_changes_another_organisations_data(backend: Backend) {
    let w = World::new(backend).await;
    let before = w.state_of_a().await;
    assert_eq!(before.last().unwrap(), "200 OK");
    for intruder in [Intruder::OtherOrganisation, Intruder::ReadOnly] {
        for route in ROUTES {
            let as_ = w.signed_in(intruder).await;
            let answers = attempt(route, intruder, &as_, &w).await;
            let case = format!("{} {} as {intruder:?}", route.method, route.path);
            if intruder == Intruder::OtherOrganisation {
                for a in &answers {
                    for marker in w.markers() {
                        assert!(
                            !a.body.contains(&marker),
                            "{case} answered {} with A's {marker:?}: {}",
                            a.status,
                            a.body
                        );
                    }
                }
            }
            assert_eq!(w.state_of_a().await, before, "{case} changed A's data");
        }
    }
}
on_both_backends!(no_route_leaks_or_changes_another_organisations_data => no_route_leaks_or_changes_another_organisations_data_sqlite, no_route_leaks_or_changes_another_organisations_data_postgres);
