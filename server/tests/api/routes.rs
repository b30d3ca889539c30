//! The route table is the whole API: the server answers every route of `ROUTES` and nothing else under
//! `/api/`, and serves the OpenAPI document that describes them, whose statuses and shapes its answers
//! keep.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use http_body_util::BodyExt;
use remit_core::gateway::RefundRefused;
use remit_core::ids::{CustomerId, InvoiceId, LeaseId};
use remit_core::money::Money;
use remit_core::receivables::account::PaymentMethod;
use remit_core::receivables::allocation::Instruction;
use remit_core::receivables::payment::RefundPayment;
use remit_core::sync::Command;
use remit_core::sync::mutation::DraftRef;
use remit_server::auth::Role;
use remit_server::http::{API_PREFIX, AppState, ROUTES, app, openapi};
use serde_json::json;
use tower::ServiceExt;

use crate::helpers::*;
use crate::on_both_backends;

const METHODS: [Method; 7] = [
    Method::GET,
    Method::HEAD,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
    Method::OPTIONS,
];

/// A path of the table with its parameters filled in.
fn concrete(path: &str) -> String {
    format!(
        "{API_PREFIX}{}",
        path.replace("{id}", "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e60")
    )
}

fn declared(method: &Method, path: &str) -> bool {
    ROUTES.iter().any(|r| {
        r.path == path
            && (r.method == *method || (*method == Method::HEAD && r.method == Method::GET))
    })
}

/// Whether `path` is an instance of the route `template` (`{…}` matches any one segment).
fn fits_template(template: &str, path: &str) -> bool {
    let (t, p): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), path.split('/').collect());
    t.len() == p.len()
        && t.iter()
            .zip(&p)
            .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
}

/// Asks without a session, with the CSRF header and an empty JSON object as body.
async fn probe(state: &AppState, method: &Method, path: &str) -> (StatusCode, String) {
    let request = Request::builder()
        .method(method.clone())
        .uri(path)
        .header("x-remit-request", "1")
        .header("content-type", "application/json")
        .body(Body::from("{}"))
        .unwrap();
    let response = app(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn the_api_answers_the_routes_of_the_table_and_nothing_else(backend: Backend) {
    let test = spawn_app(backend).await;
    let state = test.state();
    let mut paths: Vec<&str> = ROUTES.iter().map(|r| r.path).collect();
    paths.sort_unstable();
    paths.dedup();
    for path in &paths {
        for method in &METHODS {
            let (status, body) = probe(&state, method, &concrete(path)).await;
            if declared(method, path) {
                assert!(
                    ![StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&status),
                    "{method} {path} is in the table but answered {status} {body}"
                );
            } else {
                assert_eq!(
                    status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is not in the table but answered {body}"
                );
            }
        }
    }
    // Paths next to the table's: their parents, children and the API's root.
    let mut neighbours = vec![API_PREFIX.to_owned(), format!("{API_PREFIX}/")];
    for path in &paths {
        let child = format!("{path}/more");
        // `/invoices/more` is `/invoices/{id}` with an id that does not parse: a route of the table.
        if !paths.iter().any(|p| fits_template(p, &child)) {
            neighbours.push(concrete(&child));
        }
        let mut parent = *path;
        while let Some((up, _)) = parent.rsplit_once('/') {
            if !up.is_empty() && !paths.contains(&up) {
                neighbours.push(concrete(up));
            }
            parent = up;
        }
    }
    for path in &neighbours {
        for method in &METHODS {
            let (status, body) = probe(&state, method, path).await;
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{method} {path} is not in the table but answered {body}"
            );
        }
    }
}
on_both_backends!(the_api_answers_the_routes_of_the_table_and_nothing_else => the_api_answers_the_routes_of_the_table_and_nothing_else_sqlite, the_api_answers_the_routes_of_the_table_and_nothing_else_postgres);

async fn the_openapi_document_is_served(backend: Backend) {
    let app = spawn_app(backend).await;
    let response = app.browser().get("/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    let served: serde_json::Value = response.json().await.unwrap();
    let stored: serde_json::Value = serde_json::from_str(openapi::DOCUMENT).unwrap();
    assert_eq!(served, stored);
    assert_eq!(served["info"]["title"], "Remit API");
}
on_both_backends!(the_openapi_document_is_served => the_openapi_document_is_served_sqlite, the_openapi_document_is_served_postgres);

/// Holds answers to the OpenAPI document: each status must be documented for its route, and each JSON
/// body must fit the documented schema, undocumented fields included.
struct Contract {
    doc: serde_json::Value,
    checked: BTreeSet<(String, String)>,
}

impl Contract {
    fn new() -> Self {
        Self {
            doc: serde_json::from_str(openapi::DOCUMENT).unwrap(),
            checked: BTreeSet::new(),
        }
    }

    /// Checks an answer of `method` on the route `template` (as the table writes it); returns its body.
    async fn check(
        &mut self,
        method: &str,
        template: &str,
        response: reqwest::Response,
    ) -> serde_json::Value {
        let status = response.status().as_u16().to_string();
        let case = format!("{method} {template} {status}");
        let documented = &self.doc["paths"][format!("{API_PREFIX}{template}")]
            [method.to_lowercase()]["responses"][&status];
        assert!(documented.is_object(), "{case} is not documented");
        let content_type = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let body = response.bytes().await.unwrap();
        let files: Vec<&String> = documented["content"]
            .as_object()
            .map(|c| {
                c.keys()
                    .filter(|media| *media != "application/json")
                    .collect()
            })
            .unwrap_or_default();
        let value = match documented["content"]["application/json"]["schema"].clone() {
            serde_json::Value::Null if !files.is_empty() => {
                assert!(
                    files.contains(&&content_type),
                    "{case} answers {content_type}, not a documented file ({files:?})"
                );
                assert!(!body.is_empty(), "{case} answers a file with nothing in it");
                serde_json::Value::Null
            }
            serde_json::Value::Null => {
                assert!(body.is_empty(), "{case} documents no body");
                serde_json::Value::Null
            }
            schema => {
                let value = serde_json::from_slice(&body).unwrap();
                if let Err(e) = conforms(&self.doc, &schema, &value, "body") {
                    panic!("{case}: {e}\n{value:#}");
                }
                value
            }
        };
        self.checked
            .insert((method.to_owned(), template.to_owned()));
        value
    }
}

/// Whether `value` fits `schema`, in the subset of JSON Schema the document uses (formats and patterns
/// are not checked). Objects must not carry properties the schema does not name.
fn conforms(
    doc: &serde_json::Value,
    schema: &serde_json::Value,
    value: &serde_json::Value,
    at: &str,
) -> Result<(), String> {
    use serde_json::Value;
    if let Some(Value::String(reference)) = schema.get("$ref") {
        let target = doc
            .pointer(reference.trim_start_matches('#'))
            .ok_or_else(|| format!("{reference} does not resolve"))?;
        return conforms(doc, target, value, at);
    }
    if let Some(Value::Array(options)) = schema.get("oneOf") {
        let fitting = options
            .iter()
            .filter(|o| conforms(doc, o, value, at).is_ok())
            .count();
        if fitting != 1 {
            return Err(format!("{at} fits {fitting} of its oneOf schemas"));
        }
    }
    if let Some(constant) = schema.get("const")
        && constant != value
    {
        return Err(format!("{at} is {value}, not {constant}"));
    }
    if let Some(Value::Array(allowed)) = schema.get("enum")
        && !allowed.contains(value)
    {
        return Err(format!("{at} is {value}, not one of {allowed:?}"));
    }
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            other => return Err(format!("bad type {other}")),
        };
        let fits = types.iter().any(|t| match *t {
            "object" => value.is_object(),
            "array" => value.is_array(),
            "string" => value.is_string(),
            "integer" => value.is_i64() || value.is_u64(),
            "boolean" => value.is_boolean(),
            "null" => value.is_null(),
            _ => false,
        });
        if !fits {
            return Err(format!("{at} is {value}, not of type {types:?}"));
        }
    }
    if let Value::Object(fields) = value {
        for required in schema["required"].as_array().into_iter().flatten() {
            let name = required.as_str().unwrap_or_default();
            if !fields.contains_key(name) {
                return Err(format!("{at} lacks {name}"));
            }
        }
        if let Some(properties) = schema["properties"].as_object() {
            for (name, field) in fields {
                let property = properties
                    .get(name)
                    .ok_or_else(|| format!("{at}.{name} is not documented"))?;
                conforms(doc, property, field, &format!("{at}.{name}"))?;
            }
        }
    }
    if let (Value::Array(items), Some(item)) = (value, schema.get("items")) {
        for (i, element) in items.iter().enumerate() {
            conforms(doc, item, element, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

async fn every_route_answers_as_the_openapi_document_says(backend: Backend) {
    let app = spawn_app(backend).await;
    let mut contract = Contract::new();
    let browser = app.browser();
    contract
        .check("GET", "/setup", browser.get("/api/setup").await)
        .await;
    contract
        .check(
            "GET",
            "/openapi.json",
            browser.get("/api/openapi.json").await,
        )
        .await;
    contract
        .check(
            "POST",
            "/setup",
            browser.post("/api/setup", &json!({})).await,
        )
        .await;
    contract
        .check(
            "POST",
            "/setup",
            browser
                .post_without_csrf_header("/api/setup", &json!({}))
                .await,
        )
        .await;
    contract
        .check("GET", "/session", browser.get("/api/session").await)
        .await;
    let info = contract
        .check(
            "POST",
            "/setup",
            browser.post("/api/setup", &setup_body()).await,
        )
        .await;
    contract
        .check("GET", "/session", browser.get("/api/session").await)
        .await;

    let org = organisation_of(&info);
    let client = new_client();
    let c = customer(org, "Documented Ltd");
    let d = draft(&c);
    let mut negative = draft(&c);
    negative.lines[0].unit_price = "-1".parse().unwrap();
    let delete = Command::DeleteDraft(DraftRef {
        id: d.id,
        organisation_id: org,
        version: 1,
    })
    .to_mutation(4);
    contract
        .check(
            "POST",
            "/sync/push",
            browser
                .push_raw(client, vec![upsert(1, &c), save(2, &d), save(3, &negative)])
                .await,
        )
        .await;
    contract
        .check(
            "GET",
            "/invoice-drafts/{id}",
            browser.get(&format!("/api/invoice-drafts/{}", d.id)).await,
        )
        .await;
    contract
        .check(
            "POST",
            "/sync/push",
            browser.push_raw(client, vec![delete]).await,
        )
        .await;
    contract
        .check(
            "POST",
            "/sync/push",
            browser
                .post("/api/sync/push", &json!({"protocol_version": 99}))
                .await,
        )
        .await;
    let pulled = contract
        .check(
            "POST",
            "/sync/pull",
            browser.pull_raw(client, None, Some(10)).await,
        )
        .await;
    assert_eq!(
        pulled["patch"].as_array().unwrap().len(),
        2,
        "the customer's put, and the draft's del (its put is superseded)"
    );
    contract
        .check(
            "POST",
            "/sync/pull",
            app.browser().pull_raw(client, None, None).await,
        )
        .await;
    contract
        .check(
            "GET",
            "/invoice-drafts/{id}",
            browser.get(&format!("/api/invoice-drafts/{}", d.id)).await,
        )
        .await;
    contract
        .check("GET", "/customers", browser.get("/api/customers").await)
        .await;

    // Issued documents and receivables, in the REST reads and in a pull's patch.
    set_up_seller(&browser, org).await;
    let invoice: InvoiceId = new_id();
    let lease: LeaseId = new_id();
    let mut overpaid = payment(&c, "100.00", "2026-12-01");
    overpaid.instruction = Instruction::Named(vec![invoice]);
    let refund = RefundPayment {
        id: new_id(),
        organisation_id: org,
        customer_id: c.id,
        payment_id: Some(overpaid.id),
        amount: Money::parse("5.00", c.currency).unwrap(),
        paid_on: date("2026-12-02"),
        method: PaymentMethod::BankTransfer,
        reference: String::new(),
        gateway_refund: None,
    };
    let refused = RefundRefused {
        organisation_id: org,
        refund_id: refund.id,
        reason: "account_closed".into(),
    };
    let reply = browser
        .push(
            client,
            vec![
                issue_numbered(5, invoice, &draft(&c)),
                credit(6, org, invoice, "2026-11-24"),
                pay(7, &overpaid),
                dispute(8, org, invoice, "2026-11-25"),
                take_lease(9, org, lease, 3),
                Command::RefundPayment(refund).to_mutation(10),
                Command::RefundRefused(refused).to_mutation(11),
            ],
        )
        .await;
    assert_applied(&reply);
    let pulled = contract
        .check(
            "POST",
            "/sync/pull",
            browser.pull_raw(client, None, Some(100)).await,
        )
        .await;
    let mut entities: Vec<&str> = pulled["patch"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|op| op["record"]["entity"].as_str())
        .collect();
    entities.sort_unstable();
    entities.dedup();
    // The draft was deleted earlier: a pull serves it at that latest change, a del (checked above).
    assert_eq!(
        entities,
        [
            "credit_note",
            "customer",
            "dispute",
            "exception",
            "invoice",
            "number_lease",
            "payment",
            "refund",
            "settings"
        ]
    );
    let shown = browser.get(&format!("/api/invoices/{invoice}")).await;
    let shown: serde_json::Value = shown.json().await.unwrap();
    let credit_note = shown["credit_notes"][0]["id"].as_str().unwrap().to_owned();
    let customer_path = |rest: &str| format!("/api/customers/{}/{rest}", c.id);
    let unknown_customer = format!("/api/customers/{}/portal-links", new_id::<CustomerId>());
    let reads = [
        ("/invoices", "/api/invoices".to_owned()),
        ("/invoices", format!("/api/invoices?customer_id={}", c.id)),
        ("/invoices", "/api/invoices?customer_id=someone".to_owned()),
        ("/invoices/{id}", format!("/api/invoices/{invoice}")),
        ("/invoices/{id}", format!("/api/invoices/{}", d.id)),
        (
            "/invoices/{id}/{file}",
            format!("/api/invoices/{invoice}/pdf"),
        ),
        (
            "/invoices/{id}/{file}",
            format!("/api/invoices/{invoice}/ubl"),
        ),
        (
            "/invoices/{id}/{file}",
            format!("/api/invoices/{invoice}/cii"),
        ),
        (
            "/invoices/{id}/{file}",
            format!("/api/invoices/{invoice}/xls"),
        ),
        (
            "/invoices/{id}/{file}",
            format!("/api/invoices/{}/pdf", d.id),
        ),
        (
            "/credit-notes/{id}/{file}",
            format!("/api/credit-notes/{credit_note}/pdf"),
        ),
        (
            "/credit-notes/{id}/{file}",
            format!("/api/credit-notes/{credit_note}/ubl"),
        ),
        (
            "/credit-notes/{id}/{file}",
            format!("/api/credit-notes/{invoice}/cii"),
        ),
        ("/payments", "/api/payments".to_owned()),
        ("/payments", "/api/payments?customer_id=".to_owned()),
        (
            "/customers/{id}/statement",
            customer_path("statement?from=2026-11-01&to=2026-12-31"),
        ),
        (
            "/customers/{id}/statement",
            customer_path("statement?from=2026-11-01"),
        ),
        (
            "/customers/{id}/statement",
            format!(
                "/api/customers/{}/statement?from=2026-11-01&to=2026-12-31",
                d.id
            ),
        ),
        (
            "/customers/{id}/statement/pdf",
            customer_path("statement/pdf?from=2026-11-01&to=2026-12-31&on=2027-01-31"),
        ),
        (
            "/customers/{id}/statement/pdf",
            customer_path("statement/pdf?from=2026-11-01&to=2026-12-31&on=someday"),
        ),
        (
            "/customers/{id}/statement/pdf",
            format!(
                "/api/customers/{}/statement/pdf?from=2026-11-01&to=2026-12-31",
                d.id
            ),
        ),
        (
            "/payments/{id}/receipt",
            format!("/api/payments/{}/receipt", overpaid.id),
        ),
        (
            "/payments/{id}/receipt",
            format!("/api/payments/{}/receipt", d.id),
        ),
        (
            "/customers/{id}/aging",
            customer_path("aging?on=2027-01-31"),
        ),
        (
            "/customers/{id}/aging",
            customer_path("aging?on=31.01.2027"),
        ),
        (
            "/customers/{id}/aging",
            format!("/api/customers/{}/aging?on=2027-01-31", d.id),
        ),
        ("/numbering/report", "/api/numbering/report".to_owned()),
        ("/exceptions", "/api/exceptions".to_owned()),
    ];
    for (template, path) in &reads {
        contract
            .check("GET", template, browser.get(path).await)
            .await;
    }
    let exceptions = contract
        .check("GET", "/exceptions", browser.get("/api/exceptions").await)
        .await;
    assert!(
        exceptions
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "refund_refused_by_gateway" && e["reason"] == "account_closed"),
        "{exceptions:#}"
    );

    let links = customer_path("portal-links");
    let made = contract
        .check(
            "POST",
            "/customers/{id}/portal-links",
            browser.post(&links, &json!({})).await,
        )
        .await;
    let expired = json!({"expires_on": "2000-01-01"});
    for (path, body) in [
        (links.clone(), expired),
        (unknown_customer.clone(), json!({})),
    ] {
        contract
            .check(
                "POST",
                "/customers/{id}/portal-links",
                browser.post(&path, &body).await,
            )
            .await;
    }
    for path in [&links, &unknown_customer] {
        contract
            .check(
                "GET",
                "/customers/{id}/portal-links",
                browser.get(path).await,
            )
            .await;
    }
    let revoke = format!("/api/portal-links/{}", made["id"].as_str().unwrap());
    let unknown_link = format!("/api/portal-links/{}", new_id::<CustomerId>());
    for path in [revoke, unknown_link] {
        contract
            .check("DELETE", "/portal-links/{id}", browser.delete(&path).await)
            .await;
    }

    // The gateway: none yet, a refused one, the sandbox, and a reader who is not an owner.
    contract
        .check("GET", "/gateway", browser.get("/api/gateway").await)
        .await;
    let stripe_without_secret = json!({"provider": "stripe", "secret_key": "sk_test_x"});
    for body in [stripe_without_secret, json!({"provider": "sandbox"})] {
        contract
            .check("PUT", "/gateway", browser.put("/api/gateway", &body).await)
            .await;
    }
    contract
        .check("GET", "/gateway", browser.get("/api/gateway").await)
        .await;
    let (reader, _) = app
        .user("Acme GmbH", "reader@acme.example", Role::ReadOnly)
        .await;
    contract
        .check("GET", "/gateway", reader.get("/api/gateway").await)
        .await;

    let stranger = app.browser();
    for _ in 0..5 {
        contract
            .check(
                "POST",
                "/session",
                stranger.sign_in(OWNER_EMAIL, "not the password").await,
            )
            .await;
    }
    contract
        .check(
            "POST",
            "/session",
            stranger.sign_in(OWNER_EMAIL, PASSWORD).await,
        )
        .await;
    contract
        .check(
            "POST",
            "/session",
            app.browser().sign_in("someone@else.example", "").await,
        )
        .await;
    contract
        .check("DELETE", "/session", browser.delete("/api/session").await)
        .await;
    contract
        .check("GET", "/customers", browser.get("/api/customers").await)
        .await;
    for (template, path) in &reads {
        contract
            .check("GET", template, browser.get(path).await)
            .await;
    }

    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    assert_eq!(contract.checked, routed, "every route is checked");
}
on_both_backends!(every_route_answers_as_the_openapi_document_says => every_route_answers_as_the_openapi_document_says_sqlite, every_route_answers_as_the_openapi_document_says_postgres);
