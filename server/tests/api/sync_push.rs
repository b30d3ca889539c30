//! Pushing mutations: applied through core, once, in order; refusals recorded and rolled back.

use remit_core::document::compute;
use remit_core::sync::{MutationErrorKind, MutationStatus, PatchOp, Record};
use reqwest::StatusCode;
use serde_json::json;
use sqlx::Row;

use crate::helpers::*;
use crate::on_both_backends;

async fn a_push_applies_once_and_a_replay_changes_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let client = new_client();
    let c = customer(organisation_of(&info), "Globex AG");
    let d = draft(&c);
    let mutations = vec![upsert(1, &c), save(2, &d)];

    let first = owner.push(client, mutations.clone()).await;
    assert_eq!(first.last_mutation_id, 2);
    assert_eq!(
        first
            .results
            .iter()
            .map(|r| (r.id, r.status))
            .collect::<Vec<_>>(),
        vec![(1, MutationStatus::Applied), (2, MutationStatus::Applied)]
    );
    assert!(first.results.iter().all(|r| r.error.is_none()));

    // The server's totals come from core: 1.5 × 0.35 = 0.525 → 0.53; 2 × 10.10 = 20.20; VAT 19 % of 20.73.
    let view: serde_json::Value = owner
        .get(&format!("/api/invoice-drafts/{}", d.id))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(view["version"], 1);
    assert_eq!(view["draft"]["version"], 1);
    assert_eq!(view["totals"]["line_nets"][0]["amount"], "0.53");
    assert_eq!(view["totals"]["line_net_total"]["amount"], "20.73");
    assert_eq!(view["totals"]["tax_total"]["amount"], "3.94");
    assert_eq!(view["totals"]["amount_due"]["amount"], "24.67");
    let expected = compute(&d).unwrap();
    assert_eq!(view["totals"], serde_json::to_value(&expected).unwrap());
    let row = sqlx::query(
        "SELECT line_net_total, tax_total, amount_due, version, issue_date FROM invoice_drafts",
    )
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    assert_eq!(row.get::<String, _>("line_net_total"), "20.73");
    assert_eq!(row.get::<String, _>("tax_total"), "3.94");
    assert_eq!(row.get::<String, _>("amount_due"), "24.67");
    assert_eq!(row.get::<i64, _>("version"), 1);
    assert_eq!(row.get::<String, _>("issue_date"), "2026-11-23");

    let customers: serde_json::Value = owner.get("/api/customers").await.json().await.unwrap();
    assert_eq!(customers, json!([serde_json::to_value(&c).unwrap()]));

    let pulled = owner.pull(client, None, None).await;
    assert_eq!(pulled.last_mutation_id, 2);
    assert!(!pulled.more);
    assert_eq!(pulled.cookie.0, 2);
    let stored_draft = remit_core::document::InvoiceDraft {
        version: 1,
        ..d.clone()
    };
    assert_eq!(
        pulled.patch,
        vec![
            PatchOp::Put {
                change: 1,
                record: Record::Customer(c.clone())
            },
            PatchOp::Put {
                change: 2,
                record: Record::InvoiceDraft(Box::new(stored_draft))
            },
        ]
    );

    let counts = app.counts().await;
    assert_eq!(counts, [1, 1, 2, 2, 2, 1]);
    let replay = owner.push(client, mutations).await;
    assert_eq!(replay, first);
    assert_eq!(app.counts().await, counts);
    let after = owner.pull(client, Some(pulled.cookie.0), None).await;
    assert!(after.patch.is_empty());
    assert_eq!(after.cookie, pulled.cookie);
    assert_eq!(after.last_mutation_id, 2);
    assert!(!after.more);
}
on_both_backends!(a_push_applies_once_and_a_replay_changes_nothing => a_push_applies_once_and_a_replay_changes_nothing_sqlite, a_push_applies_once_and_a_replay_changes_nothing_postgres);

async fn a_gap_stops_the_push(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let client = new_client();
    let cs: Vec<_> = (1..=5)
        .map(|i| customer(org, &format!("Customer {i}")))
        .collect();

    let reply = owner
        .push(
            client,
            vec![
                upsert(1, &cs[0]),
                upsert(2, &cs[1]),
                upsert(4, &cs[3]),
                upsert(5, &cs[4]),
            ],
        )
        .await;
    assert_eq!(reply.last_mutation_id, 2);
    assert_eq!(
        reply
            .results
            .iter()
            .map(|r| (r.id, r.status))
            .collect::<Vec<_>>(),
        vec![
            (1, MutationStatus::Applied),
            (2, MutationStatus::Applied),
            (4, MutationStatus::OutOfOrder),
        ]
    );
    let gap = reply.results[2].error.as_ref().unwrap();
    assert!(
        gap.message.contains("expected mutation 3"),
        "{}",
        gap.message
    );
    assert_eq!(app.count("customers").await, 2);
    assert_eq!(app.count("mutation_results").await, 2);
    assert_eq!(app.count("audit_log").await, 2);

    let reply = owner
        .push(client, vec![upsert(3, &cs[2]), upsert(4, &cs[3])])
        .await;
    assert_eq!(reply.last_mutation_id, 4);
    assert!(
        reply
            .results
            .iter()
            .all(|r| r.status == MutationStatus::Applied)
    );
    assert_eq!(app.count("customers").await, 4);
    let pulled = owner.pull(client, None, None).await;
    let names: Vec<_> = pulled
        .patch
        .iter()
        .map(|op| match op {
            PatchOp::Put {
                record: Record::Customer(c),
                ..
            } => c.name.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        names,
        ["Customer 1", "Customer 2", "Customer 3", "Customer 4"]
    );
}
on_both_backends!(a_gap_stops_the_push => a_gap_stops_the_push_sqlite, a_gap_stops_the_push_postgres);

async fn a_rejected_mutation_is_recorded_and_the_push_goes_on(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let client = new_client();
    let c = customer(organisation_of(&info), "Initech");
    let mut negative = draft(&c);
    negative.lines[1].unit_price = "-10.10".parse().unwrap();
    let mut unknown = upsert(3, &c);
    unknown.name = "invoice.teleport".into();
    let good = draft(&c);

    let mutations = vec![upsert(1, &c), save(2, &negative), unknown, save(4, &good)];
    let reply = owner.push(client, mutations.clone()).await;
    assert_eq!(reply.last_mutation_id, 4);
    let statuses: Vec<_> = reply.results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            MutationStatus::Applied,
            MutationStatus::Rejected,
            MutationStatus::Rejected,
            MutationStatus::Applied,
        ]
    );
    let invalid = reply.results[1].error.as_ref().unwrap();
    assert_eq!(invalid.kind, MutationErrorKind::Invalid);
    assert_eq!(invalid.field.as_deref(), Some("lines[1].unit_price"));
    let unknown = reply.results[2].error.as_ref().unwrap();
    assert_eq!(unknown.kind, MutationErrorKind::UnknownMutation);
    assert_eq!(unknown.field.as_deref(), Some("name"));

    // Nothing of the rejected draft exists; the good one does.
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM invoice_drafts")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    assert_eq!(ids, [good.id.to_string()]);
    assert_eq!(app.counts().await, [1, 1, 2, 4, 4, 1]);
    let audited: Vec<(i64, String, String, Option<i64>)> = sqlx::query(
        "SELECT mutation_id, mutation_name, status, change_no FROM audit_log ORDER BY id",
    )
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
    .collect();
    assert_eq!(
        audited,
        [
            (1, "customer.upsert".into(), "applied".into(), Some(1)),
            (2, "invoice_draft.save".into(), "rejected".into(), None),
            (3, "invoice.teleport".into(), "rejected".into(), None),
            (4, "invoice_draft.save".into(), "applied".into(), Some(2)),
        ]
    );

    // The recorded refusal is what a replay gets, word for word.
    assert_eq!(owner.push(client, mutations).await, reply);
    assert_eq!(app.counts().await, [1, 1, 2, 4, 4, 1]);
}
on_both_backends!(a_rejected_mutation_is_recorded_and_the_push_goes_on => a_rejected_mutation_is_recorded_and_the_push_goes_on_sqlite, a_rejected_mutation_is_recorded_and_the_push_goes_on_postgres);

async fn a_draft_needs_a_customer_of_the_organisation(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let never_pushed = customer(organisation_of(&info), "Ghost Ltd");
    let reply = owner
        .push(new_client(), vec![save(1, &draft(&never_pushed))])
        .await;
    assert_eq!(reply.results[0].status, MutationStatus::Rejected);
    assert_eq!(
        reply.results[0].error.as_ref().unwrap().field.as_deref(),
        Some("customer_id")
    );
    assert_eq!(reply.last_mutation_id, 1);
    assert_eq!(app.count("invoice_drafts").await, 0);
}
on_both_backends!(a_draft_needs_a_customer_of_the_organisation => a_draft_needs_a_customer_of_the_organisation_sqlite, a_draft_needs_a_customer_of_the_organisation_postgres);

async fn an_unknown_protocol_version_is_refused(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let c = customer(organisation_of(&info), "Future Corp");
    let body = json!({
        "protocol_version": remit_core::sync::PROTOCOL_VERSION + 1,
        "client_id": new_client(),
        "mutations": [upsert(1, &c)],
    });
    let (code, error) = error_of(owner.post("/api/sync/push", &body).await).await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"], "unsupported_protocol_version");
    let (code, error) = error_of(
        owner
            .post("/api/sync/push", &json!({"mutations": []}))
            .await,
    )
    .await;
    assert_eq!(code, StatusCode::BAD_REQUEST);
    assert_eq!(error["error"], "bad_request");
    assert_eq!(app.counts().await, [0, 0, 0, 0, 0, 0]);
}
on_both_backends!(an_unknown_protocol_version_is_refused => an_unknown_protocol_version_is_refused_sqlite, an_unknown_protocol_version_is_refused_postgres);

async fn deleting_a_draft_is_a_change_and_deleting_it_again_is_harmless(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let client = new_client();
    let c = customer(organisation_of(&info), "Umbrella plc");
    let d = draft(&c);
    let delete = |id: u64| {
        remit_core::sync::Command::DeleteDraft(remit_core::sync::mutation::DraftRef {
            id: d.id,
            organisation_id: d.organisation_id,
            version: 1,
        })
        .to_mutation(id)
    };
    let reply = owner
        .push(
            client,
            vec![upsert(1, &c), save(2, &d), delete(3), delete(4)],
        )
        .await;
    assert!(
        reply
            .results
            .iter()
            .all(|r| r.status == MutationStatus::Applied)
    );
    assert_eq!(app.count("invoice_drafts").await, 0);
    let pulled = owner.pull(client, Some(2), None).await;
    assert_eq!(
        pulled.patch,
        vec![PatchOp::Del {
            change: 3,
            entity: remit_core::sync::EntityKind::InvoiceDraft,
            id: d.id.as_uuid(),
        }]
    );
    assert_eq!(
        owner
            .get(&format!("/api/invoice-drafts/{}", d.id))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.count("audit_log").await, 4);
}
on_both_backends!(deleting_a_draft_is_a_change_and_deleting_it_again_is_harmless => deleting_a_draft_is_a_change_and_deleting_it_again_is_harmless_sqlite, deleting_a_draft_is_a_change_and_deleting_it_again_is_harmless_postgres);

/// A laptop offline across the upgrade to protocol 2 still pushes its version-1 queue, written as the
/// version-1 app wrote it (customers without address fields), and it applies.
async fn a_queue_written_under_the_previous_protocol_still_applies(backend: Backend) {
    let app = spawn_app(backend).await;
    let (owner, info) = app.set_up().await;
    let org = organisation_of(&info);
    let customer_id = "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e5f";
    let body = json!({
        "protocol_version": 1,
        "client_id": new_client(),
        "mutations": [
            { "id": 1, "name": "customer.upsert", "args": {
                "id": customer_id, "organisation_id": org, "name": "Nordlys Shipping ASA",
                "email": "", "currency": "NOK", "payment_terms_days": 14 } },
            { "id": 2, "name": "invoice_draft.save", "args": {
                "id": "019a4d5e-7b1c-7c3d-8e9f-0a1b2c3d4e60", "organisation_id": org,
                "customer_id": customer_id, "currency": "NOK",
                "issue_date": "2026-11-23", "due_date": "2026-12-07", "version": 0,
                "lines": [ { "description": "Site audit", "quantity": "1.5",
                             "unit_price": "0.35", "tax_rate": "19" } ] } }
        ],
    });
    let response = owner.post("/api/sync/push", &body).await;
    assert_eq!(response.status(), StatusCode::OK);
    let reply: remit_core::sync::PushResponse = response.json().await.unwrap();
    assert!(
        reply
            .results
            .iter()
            .all(|r| r.status == remit_core::sync::MutationStatus::Applied),
        "{reply:?}"
    );
    assert_eq!(app.count("invoice_drafts").await, 1);
}
on_both_backends!(a_queue_written_under_the_previous_protocol_still_applies => a_queue_written_under_the_previous_protocol_still_applies_sqlite, a_queue_written_under_the_previous_protocol_still_applies_postgres);
