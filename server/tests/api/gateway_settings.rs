//! The organisation's payment gateway (`PUT`/`GET /api/gateway`): owners set it, its secrets are
//! checked, kept server-only, and never leave again: not in a pull of any user, not in the audit log or
//! any synced row, not in an answer, not in the server's logs.

use std::io;
use std::sync::{Arc, Mutex, OnceLock};

use remit_server::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use sqlx::Row;
use tracing_subscriber::fmt::MakeWriter;
use uuid::Uuid;

use crate::helpers::*;
use crate::on_both_backends;

/// Log lines kept in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

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
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// Captures what the server logs on this thread (the test's runtime runs the server's tasks here) until
/// the guard drops.
///
/// While only one `Dispatch` is registered in the process, tracing-core decides a log statement's
/// interest by the default subscriber of whichever thread reaches it first (tokio-rs/tracing#3611): a
/// test on another thread with no subscriber would switch the statement off for good, and this capture
/// would miss it. A second dispatch, registered once and never installed, makes tracing ask every
/// registered subscriber instead.
fn capture_logs(into: &Captured) -> tracing::subscriber::DefaultGuard {
    static SECOND: OnceLock<tracing::Dispatch> = OnceLock::new();
    SECOND.get_or_init(|| tracing::Dispatch::new(tracing::subscriber::NoSubscriber::default()));
    let subscriber = tracing_subscriber::fmt()
        .with_writer(into.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_default(subscriber)
}

/// Every pull page a new device of `api`'s user gets, as the server wrote it.
async fn pulled_text(api: &Api) -> String {
    let client = new_client();
    let mut cookie = None;
    let mut pages = String::new();
    loop {
        let response = api.pull_raw(client, cookie, Some(5)).await;
        assert_eq!(response.status(), StatusCode::OK);
        let text = response.text().await.unwrap();
        let page: Value = serde_json::from_str(&text).unwrap();
        pages.push_str(&text);
        cookie = page["cookie"].as_u64();
        if page["more"] != json!(true) {
            return pages;
        }
    }
}

async fn the_gateways_secrets_are_in_no_pull_audit_row_answer_or_log_line(backend: Backend) {
    // The server's tasks run on this test's thread: what they log while it runs is captured.
    let logs = Captured::default();
    let _logging = capture_logs(&logs);

    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    set_up_seller(&owner, org).await;
    let acme = customer(org, "Fiskeri AS");
    assert_applied(&owner.push(new_client(), vec![upsert(1, &acme)]).await);
    let (reader, _) = app
        .user("Acme GmbH", "reader@acme.example", Role::ReadOnly)
        .await;
    let (billing, _) = app
        .user("Acme GmbH", "billing@acme.example", Role::Billing)
        .await;

    let secret_key = format!("sk_test_{}", Uuid::now_v7().simple());
    let webhook_secrets = [
        format!("whsec_{}", Uuid::now_v7().simple()),
        format!("whsec_{}", Uuid::now_v7().simple()),
    ];
    let secrets: Vec<&str> = [secret_key.as_str()]
        .into_iter()
        .chain(webhook_secrets.iter().map(String::as_str))
        .collect();
    let stripe = json!({
        "provider": "stripe",
        "secret_key": secret_key,
        "webhook_secrets": webhook_secrets,
    });

    // Nobody but an owner sets or reads it.
    assert_eq!(
        owner.get("/api/gateway").await.status(),
        StatusCode::NOT_FOUND,
        "none set yet"
    );
    for other in [&reader, &billing] {
        let (status, error) = error_of(other.put("/api/gateway", &stripe).await).await;
        assert_eq!(
            (status, &error["error"]),
            (StatusCode::FORBIDDEN, &json!("forbidden"))
        );
        assert_eq!(
            other.get("/api/gateway").await.status(),
            StatusCode::FORBIDDEN
        );
    }
    // Bad input is refused naming the field, and nothing is stored.
    let refusals = [
        (json!({"provider": "paypal"}), "provider"),
        (
            json!({"provider": "stripe", "secret_key": "pk_live_x", "webhook_secrets": ["whsec_a"]}),
            "secret_key",
        ),
        (
            json!({"provider": "stripe", "secret_key": secret_key}),
            "webhook_secrets",
        ),
        (
            json!({"provider": "stripe", "secret_key": secret_key,
                   "webhook_secrets": [webhook_secrets[0], "sk_live_x"]}),
            "webhook_secrets[1]",
        ),
    ];
    for (body, field) in refusals {
        let (status, error) = error_of(owner.put("/api/gateway", &body).await).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(error["field"], field, "{body}: {error}");
    }
    assert_eq!(app.count("gateway_accounts").await, 0);

    let set = owner.put("/api/gateway", &stripe).await;
    assert_eq!(set.status(), StatusCode::OK);
    let set: Value = set.json().await.unwrap();
    let shown = owner.get("/api/gateway").await;
    assert_eq!(shown.status(), StatusCode::OK);
    let shown_text = shown.text().await.unwrap();
    let shown: Value = serde_json::from_str(&shown_text).unwrap();
    assert_eq!(shown, set);
    assert_eq!(
        shown,
        json!({
            "provider": "stripe",
            "key_hint": &secret_key[secret_key.len() - 4..],
            "webhook_secrets": 2,
            "webhook_url": format!("/hooks/stripe/{org}"),
        })
    );
    let stored = sqlx::query("SELECT secret_key FROM gateway_accounts WHERE organisation_id = $1")
        .bind(org.to_string())
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        stored.get::<String, _>("secret_key"),
        secret_key,
        "kept where the gateway's calls read it"
    );

    // Who set it is audited, without a secret.
    let audited = sqlx::query(
        "SELECT a.summary, u.email FROM audit_log a JOIN users u ON u.id = a.user_id \
         WHERE a.mutation_name = 'gateway.set'",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap();
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].get::<String, _>("email"), OWNER_EMAIL);
    let summary: Value = serde_json::from_str(&audited[0].get::<String, _>("summary")).unwrap();
    assert_eq!(
        (&summary["provider"], &summary["webhook_secrets"]),
        (&json!("stripe"), &json!(2))
    );

    // Where the secrets must not be: every pull (an owner's, a read-only user's), every audit row and
    // synced row, the answers, the logs.
    let mut places = vec![
        ("the owner's pull", pulled_text(&owner).await),
        ("the read-only user's pull", pulled_text(&reader).await),
        ("the GET answer", shown_text),
        ("the PUT answer", set.to_string()),
    ];
    assert!(
        places[0].1.contains("Fiskeri AS"),
        "the pull holds the workspace"
    );
    assert!(places[1].1.contains("\"settings\""), "and the settings");
    for (table, query) in [
        ("the audit log", "SELECT summary AS t FROM audit_log"),
        ("the synced records", "SELECT body AS t FROM records"),
        (
            "the change log",
            "SELECT body AS t FROM changes WHERE body IS NOT NULL",
        ),
    ] {
        let rows = sqlx::query(query)
            .fetch_all(app.store.pool())
            .await
            .unwrap();
        assert!(!rows.is_empty(), "{table}");
        for row in rows {
            places.push((table, row.get::<String, _>("t")));
        }
    }
    let logged = logs.text();
    assert!(
        logged.contains("gateway set"),
        "the capture holds the server's logs: {logged}"
    );
    assert!(
        logged.contains("/api/gateway"),
        "and its requests: {logged}"
    );
    places.push(("the server's logs", logged));
    for (place, text) in &places {
        for secret in &secrets {
            assert!(!text.contains(secret), "a secret is in {place}: {text}");
        }
    }
}
on_both_backends!(the_gateways_secrets_are_in_no_pull_audit_row_answer_or_log_line => the_gateways_secrets_are_in_no_pull_audit_row_answer_or_log_line_sqlite, the_gateways_secrets_are_in_no_pull_audit_row_answer_or_log_line_postgres);

async fn the_sandbox_replaces_stripe_and_keeps_no_secret(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, _) = app.set_up().await;
    let stripe = json!({
        "provider": "stripe",
        "secret_key": "sk_test_remit0example0key",
        "webhook_secrets": ["whsec_remit0example"],
    });
    assert_eq!(
        owner.put("/api/gateway", &stripe).await.status(),
        StatusCode::OK
    );
    let sandbox = owner
        .put("/api/gateway", &json!({"provider": "sandbox"}))
        .await;
    assert_eq!(sandbox.status(), StatusCode::OK);
    let shown = get_json(&owner, "/api/gateway").await;
    assert_eq!(
        shown,
        json!({"provider": "sandbox", "key_hint": null, "webhook_secrets": 0, "webhook_url": null})
    );
    let row = sqlx::query("SELECT secret_key, webhook_secrets FROM gateway_accounts")
        .fetch_one(app.store.pool())
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<String, _>("secret_key"),
            row.get::<String, _>("webhook_secrets")
        ),
        (String::new(), String::new()),
        "Stripe's secrets are gone with it"
    );
    assert_eq!(app.count("gateway_accounts").await, 1);
}
on_both_backends!(the_sandbox_replaces_stripe_and_keeps_no_secret => the_sandbox_replaces_stripe_and_keeps_no_secret_sqlite, the_sandbox_replaces_stripe_and_keeps_no_secret_postgres);
